from django.urls import path

from annotate import views_images

urlpatterns = [
    path("annotate/projects/<int:project_id>/images/", views_images.images_upload, name="images-upload"),
    path("annotate/projects/<int:project_id>/map/", views_images.images_map, name="images-map"),
]
