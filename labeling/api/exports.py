"""Dataset exports over the API.

Only the project's clients, supervisors and admins reach exports; anyone
else gets 404 for the project, its exports and their downloads alike, so
neither ids nor counts leak.
"""

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import StrictSerializer
from labeling.access import access_export, access_project
from labeling.export import jobs
from labeling.export.download import export_download_open, export_downloadable
from labeling.export.items import SELECTIONS
from labeling.export.writer import FORMATS
from labeling.models import Export


class ExportRequestSerializer(StrictSerializer):
    format = serializers.ChoiceField(choices=FORMATS, default="coco")
    # Which tasks: the same word as `manage.py export_coco --status`.
    status = serializers.ChoiceField(choices=SELECTIONS, default="accepted")
    include_images = serializers.BooleanField(default=False)
    zero_based_categories = serializers.BooleanField(default=False)
    include_gold = serializers.BooleanField(default=True)
    deferrable = serializers.BooleanField(default=False)
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ExportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="selection", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", default=None, read_only=True)
    filename = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id", "project", "version", "format", "status", "include_images",
            "zero_based_categories", "include_gold", "state", "progress", "image_count", "annotation_count",
            "category_count", "byte_size", "sha256", "requested_by", "created_at",
            "finished_at", "error", "filename", "download_url",
        ]
        read_only_fields = fields

    def get_filename(self, export: Export) -> str:
        return jobs.export_download_name(export)

    def get_download_url(self, export: Export) -> str | None:
        if export.state != Export.State.DONE:
            return None
        return reverse("export-download", args=[export.pk])


class ProjectExportsView(APIView):
    @extend_schema(responses={200: ExportSerializer(many=True)})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "exports.download")
        exports = project.exports.select_related("project", "requested_by").order_by("-version")
        return Response(ExportSerializer(exports, many=True).data)

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportSerializer})
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "exports.create")
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = data.validated_data
        export, decision = jobs.export_request(
            project=project,
            user=request.user,
            fmt=options["format"],
            selection=options["status"],
            include_images=options["include_images"],
            zero_based_categories=options["zero_based_categories"],
            include_gold=options["include_gold"],
            deferrable=options["deferrable"],
            deadline=options["deadline"],
        )
        export.refresh_from_db()
        body = {**ExportSerializer(export).data, "schedule": decision}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    @extend_schema(responses={200: ExportSerializer})
    def get(self, request, export_id: int):
        export = access_export(request.user, export_id, "exports.download")
        return Response(ExportSerializer(export).data)


class ExportDownloadView(APIView):
    """The finished file, streamed, with its SHA-256 as ETag and header."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, export_id: int):
        export = export_downloadable(access_export(request.user, export_id, "exports.download"))
        etag = f'"{export.sha256}"'
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
        else:
            handle, filename, content_type = export_download_open(export, actor=request.user)
            response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
        response["ETag"] = etag
        response["X-Checksum-SHA256"] = export.sha256
        response["Cache-Control"] = "private, max-age=0, must-revalidate"
        return response
