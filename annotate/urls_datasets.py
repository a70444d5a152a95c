from django.urls import path

from annotate import datasets

urlpatterns = [
    path("annotate/projects/<int:project_id>/datasets/", datasets.datasets, name="project-datasets"),
]
