"""Image bytes, served only to people allowed to see the image's task."""

import mimetypes
import os

from django.http import FileResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from config.errors import NotFound
from labeling.access import access_image
from labeling.file_links import FILE_HEADERS, linked_file
from labeling.image_files import file_etag, image_file_for, original_download_record


def _etag(field) -> str | None:
    """``file_etag`` of the stored file; None when the file is missing. Storages
    without local paths fall back to an existence check and send no validator.
    """
    try:
        stat = os.stat(field.path)
    except NotImplementedError:
        return "" if field.storage.exists(field.name) else None
    except OSError:
        return None
    return file_etag(stat, field.name)


def _file_response(request, field, *, conditional: bool = True):
    """``conditional``: answer 304 to a current If-None-Match (not for originals,
    whose every GET is an audited download)."""
    etag = _etag(field) if field else None
    if etag is None:
        raise NotFound(_("The file is not available."), code="file_missing")
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    return _bytes_response(request, lambda: field.open("rb"), content_type, etag, conditional)


def _bytes_response(request, opener, content_type: str, etag: str, conditional: bool = True):
    headers = dict(FILE_HEADERS)
    if etag:
        headers["ETag"] = etag
        # A revisit after max-age asks again; an unchanged file costs no read.
        if conditional and etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            for name, value in headers.items():
                response[name] = value
            return response
    response = FileResponse(opener(), content_type=content_type)
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


class SignedFileView(APIView):
    """A display image or thumbnail by the signed link a task view handed out
    (``labeling/file_links.py``): no sign-in, the link is the key. Behind gunicorn
    ``config/file_server.py`` answers valid links first; this view answers the
    rest (and every link under a server without it, e.g. the test server)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=IMAGE_BYTES)
    def get(self, request, token: str):
        found = linked_file(token)
        if found is None:
            raise NotFound(_("This image link is not valid or has expired; open the task again."),
                           code="link_invalid")
        return _bytes_response(request, lambda: open(found.path, "rb"), found.content_type, found.etag)
