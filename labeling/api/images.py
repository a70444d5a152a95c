"""Image bytes, served only to people allowed to see the image's task."""

import mimetypes
import os
import zlib

from django.http import FileResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from config.errors import NotFound
from labeling.access import access_image
from labeling.image_files import image_file_for, original_download_record


def _etag(field) -> str | None:
    """A validator from one ``stat``: the stored name, size and modification time.

    None when the file is missing; storages without local paths fall back to an
    existence check and send no validator.
    """
    try:
        stat = os.stat(field.path)
    except NotImplementedError:
        return "" if field.storage.exists(field.name) else None
    except OSError:
        return None
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-{zlib.crc32(field.name.encode()):08x}"'


def _file_response(request, field, *, conditional: bool = True):
    """``conditional``: answer 304 to a current If-None-Match (not for originals,
    whose every GET is an audited download)."""
    etag = _etag(field) if field else None
    if etag is None:
        raise NotFound(_("The file is not available."), code="file_missing")
    headers = {
        # Private images: browsers may cache them, shared caches may not.
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    if etag:
        headers["ETag"] = etag
        # A revisit after max-age asks again; an unchanged file costs no read.
        if conditional and etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            for name, value in headers.items():
                response[name] = value
            return response
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response


# The stored file's type (from its extension); octet-stream when it is unknown.
# 304 answers a GET whose If-None-Match names the file's current ETag.
IMAGE_BYTES = {
    (200, "image/*"): OpenApiTypes.BINARY,
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
    304: OpenApiResponse(description="Not modified: the ETag sent in If-None-Match is current."),
}
ORIGINAL_BYTES = {key: value for key, value in IMAGE_BYTES.items() if key != 304}


class ImageFileView(APIView):
    """The original upload; each GET is a download in the audit trail."""

    @extend_schema(responses=ORIGINAL_BYTES)
    def get(self, request, image_id: int):
        image = access_image(request.user, image_id)
        response = _file_response(request, image_file_for(image, "original"), conditional=False)
        if request.method == "GET":  # HEAD sends no bytes
            original_download_record(image, actor=request.user)
        return response


class ImageDisplayView(APIView):
    """The display-size image, or the original until the display image exists."""

    @extend_schema(responses=IMAGE_BYTES)
    def get(self, request, image_id: int):
        image = access_image(request.user, image_id)
        return _file_response(request, image_file_for(image, "display"))


class ImageThumbnailView(APIView):
    """The thumbnail, or the display image until the thumbnail exists."""

    @extend_schema(responses=IMAGE_BYTES)
    def get(self, request, image_id: int):
        image = access_image(request.user, image_id)
        return _file_response(request, image_file_for(image, "thumbnail"))
