from django.urls import path

from labeling.api import review

urlpatterns = [
    path("projects/<int:project_id>/review-queue/", review.ReviewQueueView.as_view(), name="review-queue"),
    path("projects/<int:project_id>/review-queue/waiting/", review.ReviewWaitingView.as_view(),
         name="review-waiting"),
    path("tasks/<int:task_id>/review/", review.TaskReviewView.as_view(), name="task-review"),
    path("tasks/<int:task_id>/review-early/", review.TaskReviewEarlyView.as_view(), name="task-review-early"),
    path("projects/<int:project_id>/stats/", review.ProjectStatsView.as_view(), name="project-stats"),
    path("projects/<int:project_id>/stats/annotators/<int:user_id>/", review.AnnotatorStatsView.as_view(),
         name="annotator-stats"),
]
