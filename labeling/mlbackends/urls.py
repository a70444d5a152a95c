from django.urls import path

from labeling.mlbackends import api
from labeling.predictions import quality_api

urlpatterns = [
    path("projects/<int:project_id>/ml-backends/", api.ProjectBackendsView.as_view(), name="ml-backends"),
    path("projects/<int:project_id>/ml-backends/<int:backend_id>/", api.BackendDetailView.as_view(),
         name="ml-backend"),
    path("projects/<int:project_id>/ml-backends/<int:backend_id>/check/", api.BackendCheckView.as_view(),
         name="ml-backend-check"),
    path("projects/<int:project_id>/predictions/run/", api.PredictionRunView.as_view(), name="predictions-run"),
    path("projects/<int:project_id>/predictions/train/", api.TrainingRunView.as_view(), name="predictions-train"),
    path("projects/<int:project_id>/model-runs/", api.ProjectRunsView.as_view(), name="model-runs"),
    path("projects/<int:project_id>/model-runs/<int:run_id>/", api.RunDetailView.as_view(), name="model-run"),
    path("projects/<int:project_id>/model-quality/", quality_api.ModelQualityView.as_view(), name="model-quality"),
    path("ml/images/<int:image_id>/<str:token>/", api.SignedImageView.as_view(), name="ml-image"),
]
