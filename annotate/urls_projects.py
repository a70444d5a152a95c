from django.urls import path

from annotate.pages import overview, project_setup, task_browser

urlpatterns = [
    path("annotate/projects/new/", project_setup.project_new, name="project-new"),
    path("annotate/projects/<int:project_id>/settings/", project_setup.project_settings, name="project-settings"),
    path("annotate/projects/<int:project_id>/tasks/", task_browser.task_browser, name="task-browser"),
    path("annotate/projects/<int:project_id>/overview/", overview.project_overview, name="project-overview"),
]
