"""Routes of a team's week: my work, taking a task back, gold management, early review."""

from django.urls import path

from labeling.api import gold, my_work

urlpatterns = [
    path("projects/<int:project_id>/my-work/", my_work.MyWorkView.as_view(), name="my-work"),
    path("tasks/<int:task_id>/take-back/", my_work.TaskTakeBackView.as_view(), name="task-take-back"),
    path("projects/<int:project_id>/gold/", gold.GoldTasksView.as_view(), name="gold-tasks"),
    path("projects/<int:project_id>/gold/results/", gold.GoldResultsView.as_view(), name="gold-results"),
    path("tasks/<int:task_id>/gold/", gold.TaskGoldView.as_view(), name="task-gold"),
]
