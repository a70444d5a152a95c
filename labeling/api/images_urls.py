from django.urls import path

from labeling.api import image_tiles, images_ingest

urlpatterns = [
    path("projects/<int:project_id>/images/", images_ingest.ProjectImagesView.as_view(), name="project-images"),
    path("images/<int:image_id>/dzi/", image_tiles.ImageDziView.as_view(), name="image-dzi"),
    path(
        "images/<int:image_id>/tiles/<int:level>/<int:col>_<int:row>.jpg",
        image_tiles.ImageTileView.as_view(),
        name="image-tile",
    ),
]
