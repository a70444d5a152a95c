from django.urls import path

from annotate.pages import team

urlpatterns = [
    path("annotate/projects/<int:project_id>/my-work/", team.my_work_page, name="my-work-page"),
    path("annotate/projects/<int:project_id>/gold/", team.gold_page, name="gold-page"),
]
