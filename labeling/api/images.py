"""Image bytes, served only to people allowed to see the image's task."""

import mimetypes

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from config.errors import NotFound
from labeling.access import access_image
from labeling.image_files import image_file_for, original_download_record


def _file_response(field) -> FileResponse:
    if not field or not field.storage.exists(field.name):
        raise NotFound(_("The file is not available."), code="file_missing")
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    # Private images: browsers may cache them, shared caches may not.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The stored file's type (from its extension); octet-stream when it is unknown.
IMAGE_BYTES = {(200, "image/*"): OpenApiTypes.BINARY, (200, "application/octet-stream"): OpenApiTypes.BINARY}


class ImageFileView(APIView):
    """The original upload; each GET is a download in the audit trail."""

    @extend_schema(responses=IMAGE_BYTES)
    def get(self, request, image_id: int):
        image = access_image(request.user, image_id)
        response = _file_response(image_file_for(image, "original"))
        if request.method == "GET":  # HEAD sends no bytes
            original_download_record(image, actor=request.user)
        return response


class ImageDisplayView(APIView):
    """The display-size image, or the original until the display image exists."""

    @extend_schema(responses=IMAGE_BYTES)
    def get(self, request, image_id: int):
        image = access_image(request.user, image_id)
        return _file_response(image_file_for(image, "display"))


class ImageThumbnailView(APIView):
    """The thumbnail, or the display image until the thumbnail exists."""

    @extend_schema(responses=IMAGE_BYTES)
    def get(self, request, image_id: int):
        image = access_image(request.user, image_id)
        return _file_response(image_file_for(image, "thumbnail"))
