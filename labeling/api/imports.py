"""Dataset import over the API (supervisors): COCO, YOLO or Pascal VOC, all or nothing."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import TooLarge
from config.serializers import StrictSerializer
from labeling.access import access_project
from labeling.export.dataset_import import IMPORT_FORMATS, dataset_import
from labeling.export.import_plan import MODES


class DatasetImportSerializer(StrictSerializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=MODES)
    format = serializers.ChoiceField(choices=IMPORT_FORMATS, default="coco")
    # Pre-annotations: the predictions' model version (default: the file's name).
    model_version = serializers.CharField(max_length=200, required=False)


class DatasetImportView(APIView):
    """``dataset-import/`` takes ``format``; ``coco-import/`` is the same with COCO by default."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": DatasetImportSerializer},
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "project.manage")
        limit = settings.COCO_IMPORT_MAX_BYTES
        # Refuse an oversized body before reading it (multipart overhead allowed for).
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise TooLarge(_("The file is larger than %(limit)s bytes.") % {"limit": limit}, limit=limit)
        data = DatasetImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > limit:
            raise TooLarge(_("The file is larger than %(limit)s bytes.") % {"limit": limit}, limit=limit)
        summary = dataset_import(project=project, raw=upload.read(), fmt=data.validated_data["format"],
                                 mode=data.validated_data["mode"],
                                 model_version=data.validated_data.get("model_version") or upload.name or "imported")
        return Response(summary)
