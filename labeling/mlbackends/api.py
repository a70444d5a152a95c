"""REST endpoints of model servers, model runs and signed image links: thin views over the services."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotFound
from config.serializers import StrictSerializer
from labeling.access import access_project
from labeling.mlbackends import backends, runs
from labeling.mlbackends.links import image_from_link
from labeling.models import MLBackend, ModelRun


class BackendSerializer(serializers.ModelSerializer):
    has_auth_header = serializers.SerializerMethodField()

    class Meta:
        model = MLBackend
        fields = ["id", "name", "url", "state", "model_version", "last_error", "timeout_seconds",
                  "has_auth_header", "created_at", "updated_at"]
        read_only_fields = fields

    def get_has_auth_header(self, backend: MLBackend) -> bool:
        # The header is a secret: it is written, never read back.
        return bool(backend.auth_header)


class BackendWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    auth_header = serializers.CharField(max_length=500, required=False, allow_blank=True)
    timeout_seconds = serializers.FloatField(min_value=1, max_value=600, required=False)


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelRun
        fields = ["id", "project", "backend", "kind", "state", "done", "total", "errors", "model_version",
                  "detail", "deferrable", "deadline", "schedule", "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class RunRequestSerializer(StrictSerializer):
    backend = serializers.IntegerField(min_value=1)
    # "open" (not yet accepted), "all", or a list of task ids.
    tasks = serializers.JSONField(required=False, default="open")
    deferrable = serializers.BooleanField(required=False, default=False)
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _backend(project, backend_id) -> MLBackend:
    backend = project.ml_backends.filter(pk=backend_id).first() if str(backend_id).isdigit() else None
    if backend is None:
        raise NotFound(_("Not found."))
    return backend


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data if data is not None else {})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProjectBackendsView(APIView):
    @extend_schema(responses={200: BackendSerializer(many=True)})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "models.manage")
        return Response(BackendSerializer(project.ml_backends.order_by("id"), many=True).data)

    @extend_schema(request=BackendWriteSerializer, responses={201: BackendSerializer})
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "models.manage")
        data = _valid(BackendWriteSerializer, request.data)
        backend = backends.backend_create(project=project, user=request.user, **data)
        return Response(BackendSerializer(backend).data, status=status.HTTP_201_CREATED)


class BackendDetailView(APIView):
    @extend_schema(responses={200: BackendSerializer})
    def get(self, request, project_id: int, backend_id: int):
        project = access_project(request.user, project_id, "models.manage")
        return Response(BackendSerializer(_backend(project, backend_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id: int, backend_id: int):
        project = access_project(request.user, project_id, "models.manage")
        backends.backend_delete(backend=_backend(project, backend_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BackendCheckView(APIView):
    @extend_schema(request=None, responses={200: BackendSerializer})
    def post(self, request, project_id: int, backend_id: int):
        project = access_project(request.user, project_id, "models.manage")
        return Response(BackendSerializer(backends.backend_check(_backend(project, backend_id))).data)


def _run(request, project_id: int, kind: str) -> Response:
    project = access_project(request.user, project_id, "models.manage")
    data = _valid(RunRequestSerializer, request.data)
    wanted = data["tasks"]
    ids = None
    if isinstance(wanted, list):
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**63 for v in wanted):
            raise serializers.ValidationError({"tasks": [_("A list of task ids, \"open\" or \"all\".")]})
        ids, wanted = wanted, "open"
    run = runs.run_request(project=project, backend=_backend(project, data["backend"]), user=request.user,
                           kind=kind, selection=wanted, task_ids=ids, deferrable=data["deferrable"],
                           deadline=data["deadline"])
    return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PredictionRunView(APIView):
    @extend_schema(request=RunRequestSerializer, responses={202: RunSerializer})
    def post(self, request, project_id: int):
        return _run(request, project_id, ModelRun.Kind.PREDICT)


class TrainingRunView(APIView):
    @extend_schema(request=RunRequestSerializer, responses={202: RunSerializer})
    def post(self, request, project_id: int):
        return _run(request, project_id, ModelRun.Kind.TRAIN)


class ProjectRunsView(APIView):
    @extend_schema(responses={200: RunSerializer(many=True)})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "models.manage")
        return Response(RunSerializer(ModelRun.objects.filter(project=project).order_by("-id")[:100], many=True).data)


class RunDetailView(APIView):
    @extend_schema(responses={200: RunSerializer})
    def get(self, request, project_id: int, run_id: int):
        project = access_project(request.user, project_id, "models.manage")
        run = ModelRun.objects.filter(project=project, pk=run_id).first()
        if run is None:
            raise NotFound(_("Not found."))
        return Response(RunSerializer(run).data)


class SignedImageView(APIView):
    """The image a signed link names, for model servers (no session; the link is the key)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, image_id: int, token: str):
        image = image_from_link(image_id, token)
        if not image.file or not image.file.storage.exists(image.file.name):
            raise NotFound(_("Not found."))
        response = FileResponse(image.file.open("rb"))
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
