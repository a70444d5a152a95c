from django.urls import path

from annotate import views_review

urlpatterns = [
    path("annotate/projects/<int:project_id>/review/", views_review.review_page, name="review-page"),
    path("annotate/projects/<int:project_id>/stats/", views_review.stats_page, name="stats-page"),
]
