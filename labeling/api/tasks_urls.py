"""Routes of task distribution and the annotation API."""

from django.urls import path

from labeling.api import tasks

urlpatterns = [
    path("projects/<int:project_id>/tasks/next/", tasks.TaskNextView.as_view(), name="task-next"),
    path("projects/<int:project_id>/tasks/", tasks.ProjectTasksView.as_view(), name="project-tasks"),
    path("projects/<int:project_id>/my-progress/", tasks.MyProgressView.as_view(), name="my-progress"),
    path("tasks/<int:task_id>/", tasks.TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<int:task_id>/annotation/", tasks.AnnotationView.as_view(), name="task-annotation"),
    path("tasks/<int:task_id>/submit/", tasks.TaskSubmitView.as_view(), name="task-submit"),
    path("tasks/<int:task_id>/skip/", tasks.TaskSkipView.as_view(), name="task-skip"),
    path("tasks/<int:task_id>/heartbeat/", tasks.TaskHeartbeatView.as_view(), name="task-heartbeat"),
    path("tasks/<int:task_id>/assign/", tasks.TaskAssignView.as_view(), name="task-assign"),
]
