from django.urls import path

from annotate import views_models

urlpatterns = [
    path("annotate/projects/<int:project_id>/models/", views_models.models_page, name="models-page"),
]
