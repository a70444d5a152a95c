from django.urls import path

from annotate.pages import labeling

urlpatterns = [
    path("annotate/projects/<int:project_id>/", labeling.labeling_page, name="labeling"),
    path("annotate/tasks/<int:task_id>/", labeling.task_page, name="labeling-task"),
]
