from django.urls import path

from labeling.api.energy import ProjectEnergyView, TaskEnergyView

urlpatterns = [
    path("projects/<int:project_id>/energy/", ProjectEnergyView.as_view(), name="project-energy"),
    path("tasks/<int:task_id>/energy/", TaskEnergyView.as_view(), name="task-energy"),
]
