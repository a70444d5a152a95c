"""Every route of the labeling API under /api/v1/, grouped by what a client does.

Each view lives in ``labeling/api/<module>.py`` named like its group (models in the
loop: ``labeling/mlbackends/api.py``); the routes are the public contract in
``docs/contract.md``.
"""

from django.urls import path

from labeling.api import (
    audit,
    energy,
    exports,
    gold,
    image_tiles,
    images,
    images_ingest,
    imports,
    me,
    my_work,
    projects,
    review,
    tasks,
)
from labeling.mlbackends import api as ml
from labeling.predictions import quality_api

project = "projects/<int:project_id>/"
task = "tasks/<int:task_id>/"
image = "images/<int:image_id>/"

urlpatterns = [
    # Projects and people
    path("users/me/", me.MeView.as_view(), name="user-me"),
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path(project, projects.ProjectDetailView.as_view(), name="project-detail"),
    path(project + "labels/", projects.ProjectLabelsView.as_view(), name="project-labels"),
    path(project + "labels/<int:label_id>/", projects.LabelDetailView.as_view(), name="project-label"),
    path(project + "members/", projects.ProjectMembersView.as_view(), name="project-members"),
    path(project + "audit/", audit.ProjectAuditView.as_view(), name="project-audit"),
    # Images
    path(project + "images/", images_ingest.ProjectImagesView.as_view(), name="project-images"),
    path(image + "file/", images.ImageFileView.as_view(), name="image-file"),
    path(image + "display/", images.ImageDisplayView.as_view(), name="image-display"),
    path(image + "thumbnail/", images.ImageThumbnailView.as_view(), name="image-thumbnail"),
    path("files/<str:token>/", images.SignedFileView.as_view(), name="signed-file"),
    path(image + "dzi/", image_tiles.ImageDziView.as_view(), name="image-dzi"),
    path(image + "tiles/<int:level>/<int:col>_<int:row>.jpg", image_tiles.ImageTileView.as_view(),
         name="image-tile"),
    # Tasks and annotations
    path(project + "tasks/next/", tasks.TaskNextView.as_view(), name="task-next"),
    path(project + "tasks/", tasks.ProjectTasksView.as_view(), name="project-tasks"),
    path(project + "my-progress/", tasks.MyProgressView.as_view(), name="my-progress"),
    path(task, tasks.TaskDetailView.as_view(), name="task-detail"),
    path(task + "annotation/", tasks.AnnotationView.as_view(), name="task-annotation"),
    path(task + "submit/", tasks.TaskSubmitView.as_view(), name="task-submit"),
    path(task + "skip/", tasks.TaskSkipView.as_view(), name="task-skip"),
    path(task + "heartbeat/", tasks.TaskHeartbeatView.as_view(), name="task-heartbeat"),
    path(task + "assign/", tasks.TaskAssignView.as_view(), name="task-assign"),
    path(project + "my-work/", my_work.MyWorkView.as_view(), name="my-work"),
    path(task + "take-back/", my_work.TaskTakeBackView.as_view(), name="task-take-back"),
    # Review and stats
    path(project + "review-queue/", review.ReviewQueueView.as_view(), name="review-queue"),
    path(project + "review-queue/waiting/", review.ReviewWaitingView.as_view(), name="review-waiting"),
    path(task + "review/", review.TaskReviewView.as_view(), name="task-review"),
    path(task + "review-early/", review.TaskReviewEarlyView.as_view(), name="task-review-early"),
    path(project + "stats/", review.ProjectStatsView.as_view(), name="project-stats"),
    path(project + "stats/annotators/<int:user_id>/", review.AnnotatorStatsView.as_view(), name="annotator-stats"),
    # Gold tasks
    path(project + "gold/", gold.GoldTasksView.as_view(), name="gold-tasks"),
    path(project + "gold/results/", gold.GoldResultsView.as_view(), name="gold-results"),
    path(task + "gold/", gold.TaskGoldView.as_view(), name="task-gold"),
    # Datasets
    path(project + "exports/", exports.ProjectExportsView.as_view(), name="project-exports"),
    path("exports/<int:export_id>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:export_id>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    path(project + "coco-import/", imports.DatasetImportView.as_view(), name="coco-import"),
    path(project + "dataset-import/", imports.DatasetImportView.as_view(), name="dataset-import"),
    # Energy
    path(project + "energy/", energy.ProjectEnergyView.as_view(), name="project-energy"),
    path(task + "energy/", energy.TaskEnergyView.as_view(), name="task-energy"),
    # Models in the loop
    path(project + "ml-backends/", ml.ProjectBackendsView.as_view(), name="ml-backends"),
    path(project + "ml-backends/<int:backend_id>/", ml.BackendDetailView.as_view(), name="ml-backend"),
    path(project + "ml-backends/<int:backend_id>/check/", ml.BackendCheckView.as_view(), name="ml-backend-check"),
    path(project + "predictions/run/", ml.PredictionRunView.as_view(), name="predictions-run"),
    path(project + "predictions/train/", ml.TrainingRunView.as_view(), name="predictions-train"),
    path(project + "model-runs/", ml.ProjectRunsView.as_view(), name="model-runs"),
    path(project + "model-runs/<int:run_id>/", ml.RunDetailView.as_view(), name="model-run"),
    path(project + "model-quality/", quality_api.ModelQualityView.as_view(), name="model-quality"),
    path("ml/images/<int:image_id>/<str:token>/", ml.SignedImageView.as_view(), name="ml-image"),
]
