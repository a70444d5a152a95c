"""Every browser page, grouped as the home page links them; each view lives in
``annotate/pages/<module>.py`` named like its group, its template in
``annotate/templates/annotate/``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from annotate.pages import (
    datasets, energy, home, images, labeling, models, overview, project_setup, review, task_browser, team,
)

project = "annotate/projects/<int:project_id>/"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    # Annotators
    path(project, labeling.labeling_page, name="labeling"),
    path("annotate/tasks/<int:task_id>/", labeling.task_page, name="labeling-task"),
    # Supervisors
    path(project + "review/", review.review_page, name="review-page"),
    path(project + "stats/", review.stats_page, name="stats-page"),
    path(project + "images/", images.images_upload, name="images-upload"),
    path(project + "map/", images.images_map, name="images-map"),
    path(project + "models/", models.models_page, name="models-page"),
    path("annotate/projects/new/", project_setup.project_new, name="project-new"),
    path(project + "settings/", project_setup.project_settings, name="project-settings"),
    path(project + "overview/", overview.project_overview, name="project-overview"),
    path(project + "tasks/", task_browser.task_browser, name="task-browser"),
    # Clients and supervisors
    path(project + "datasets/", datasets.datasets, name="project-datasets"),
    path(project + "energy/", energy.project_energy_page, name="project-energy-page"),
    # Annotators: their own work; supervisors: gold tasks
    path(project + "my-work/", team.my_work_page, name="my-work-page"),
    path(project + "gold/", team.gold_page, name="gold-page"),
]
