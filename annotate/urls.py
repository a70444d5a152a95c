from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotate import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    # One module per area of the browser side.
    path("", include("annotate.urls_labeling")),
    path("", include("annotate.urls_review")),
    path("", include("annotate.urls_datasets")),
    path("", include("annotate.urls_energy")),
    path("", include("annotate.urls_images")),
    path("", include("annotate.urls_models")),
    path("", include("annotate.urls_projects")),
]
