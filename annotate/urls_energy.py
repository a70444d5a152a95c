from django.urls import path

from annotate.pages.energy import project_energy_page

urlpatterns = [
    path("annotate/projects/<int:project_id>/energy/", project_energy_page, name="project-energy-page"),
]
