"""``/api/v1/projects/{id}/images/``: upload (POST) and list with filters (GET)."""

import math

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from config.errors import DomainError, TooLarge
from config.query import query_filters
from config.serializers import StrictSerializer
from labeling.access import access_project
from labeling.api.serializers import ImageSerializer
from labeling.ingest.batch import check_request, ingest_uploads
from labeling.ingest.limits import current_limits
from labeling.ingest.selectors import image_list
from labeling.models import Image


class ProjectImageSerializer(ImageSerializer):
    task_id = serializers.SerializerMethodField()

    class Meta(ImageSerializer.Meta):
        fields = [*ImageSerializer.Meta.fields, "original_name", "task_id", "created_at"]
        read_only_fields = fields

    def get_task_id(self, image: Image) -> int | None:
        task = getattr(image, "task", None)
        return task.pk if task is not None else None


class ImageFilterSerializer(StrictSerializer):
    bbox = serializers.CharField(required=False, help_text="minlon,minlat,maxlon,maxlat (WGS84 degrees)")
    taken_after = serializers.DateTimeField(required=False)
    taken_before = serializers.DateTimeField(required=False)

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        parts = value.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise serializers.ValidationError(_("Give four numbers: minlon,minlat,maxlon,maxlat."))
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise serializers.ValidationError(
                _("Longitudes in -180..180, latitudes in -90..90, and each minimum at most its maximum.")
            )
        return min_lon, min_lat, max_lon, max_lat

    def validate(self, data: dict) -> dict:
        after, before = data.get("taken_after"), data.get("taken_before")
        if after and before and after > before:
            raise serializers.ValidationError({"taken_before": [_("Must not be earlier than taken_after.")]})
        return data


# A raw schema: the view paginates its GET, but the upload answers a plain list.
FILE_RESULTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name", "status"],
        "properties": {
            "name": {"type": "string"},
            "status": {"type": "string", "enum": ["created", "duplicate", "error"]},
            "image_id": {"type": "integer"},
            "task_id": {"type": "integer"},
            "code": {"type": "string"},
            "detail": {"type": "string"},
        },
    },
}


class ProjectImagesView(GenericAPIView):
    serializer_class = ProjectImageSerializer
    parser_classes = [MultiPartParser]
    # For the schema only: rows come from access_project and image_list.
    queryset = Image.objects.none()
    throttle_scope = "uploads"

    def get_throttles(self):
        # Uploads are throttled; reading the list is not.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        parameters=[ImageFilterSerializer],
        responses={200: ProjectImageSerializer(many=True)},
    )
    def get(self, request, project_id: int):
        """The project's images (supervisors, clients), filtered by area and capture time."""
        project = access_project(request.user, project_id, "images.list")
        filters = query_filters(request, ImageFilterSerializer)
        page = self.paginate_queryset(image_list(project=project, **filters))
        return self.get_paginated_response(ProjectImageSerializer(page, many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ImageUpload", {"files": serializers.ListField(child=serializers.FileField(), min_length=1)}
            )
        },
        responses={200: FILE_RESULTS, 207: FILE_RESULTS},
        description=(
            "One or many files in the multipart field `files` (JPEG, PNG, TIFF, WebP, or zip "
            "archives of them). Returns one result per file: 200 when every file is in the "
            "project (created or duplicate), 207 when at least one was refused. A request over "
            "the limits is refused as a whole with 413."
        ),
    )
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "images.upload")
        limits = current_limits()
        # Refused before the body is read, when the client says how big it is.
        declared = _content_length(request)
        if declared is not None and declared > limits.max_request_bytes + 1024 * 1024:
            check_request(count=0, total_bytes=declared, limits=limits)
        if not (request.content_type or "").startswith("multipart/form-data"):
            raise UnsupportedMediaType(request.content_type or "none")
        try:
            files = request.FILES.getlist("files")
            extra = sorted((set(request.FILES) | set(request.data)) - {"files"})
        except TooManyFilesSent:
            raise TooLarge(
                _("Too many files in one request; the limit is %(n)s.") % {"n": limits.max_files_per_request},
                code="too_many_files",
            ) from None
        except RequestDataTooBig:
            raise TooLarge(_("The request is too large."), code="request_too_large") from None
        if extra:
            raise DomainError(_("Unknown field %(extra)s; send files in the field 'files'.") % {"extra": repr(extra[0])},
                              code="unknown_field")
        if not files:
            raise DomainError(_("Send one or more files in the field 'files'."), code="no_files")
        results = ingest_uploads(project=project, files=files, uploaded_by=request.user)
        status = 207 if any(result.status == "error" for result in results) else 200
        return Response([result.as_dict() for result in results], status=status)


def _content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
