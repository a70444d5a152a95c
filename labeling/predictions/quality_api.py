"""``GET /api/v1/projects/{id}/model-quality/``: each model version's mAP and time saved."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling.access import access_project
from labeling.predictions.quality import model_quality


class ModelQualityView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "models.manage")
        return Response(model_quality(project))
