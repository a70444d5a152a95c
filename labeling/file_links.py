"""Signed links to an image's display file and thumbnail, handed out by the gate.

A task view (which passed ``access_task``) gives its viewer links that name one
stored file and an expiry, signed with the site's key. Whoever holds a link may
fetch that file until it expires, with no further permission check: how object
storage's presigned URLs work. The labeling tool fetches the display image of
every task (and task lists show thumbnails); with links, those requests are
answered before Django (``config/wsgi.py``) without a token lookup, an access
query or the middleware, the largest part of their cost.
``/api/v1/images/{id}/display/`` and ``.../thumbnail/`` still answer with the
session or token, for clients that build URLs themselves.

The expiry is rounded to the hour, so a link stays the same for an hour and
the browser's cache serves a task opened again; it is valid 6 to 7 hours,
longer than a working day's task stays open without a reload.
"""

from __future__ import annotations

import mimetypes
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage

from labeling.image_files import file_etag

_SALT = "labeling.file-link"
PREFIX = "/api/v1/files/"
# Private images: browsers may cache them, shared caches may not.
FILE_HEADERS = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class LinkedFile:
    path: str
    content_type: str
    etag: str
    size: int


def file_link(field) -> str | None:
    """The signed URL of a stored file, or None when the storage has no local path
    (object storage would sign its own URLs) or there is no file."""
    if not field or not isinstance(field.storage, FileSystemStorage):
        return None
    hour = 3600
    expires = (int(time.time()) // hour + 1) * hour + settings.FILE_LINK_SECONDS
    token = signing.Signer(salt=_SALT).sign_object([field.name, expires])
    return f"{PREFIX}{token}/"


def linked_file(token: str) -> LinkedFile | None:
    """The file a link names if its signature holds, it has not expired and the file
    exists under MEDIA_ROOT; None otherwise (nothing said about which)."""
    try:
        name, expires = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(name, str) or not isinstance(expires, int) or expires < time.time():
        return None
    root = os.path.realpath(settings.MEDIA_ROOT)
    path = os.path.realpath(os.path.join(root, name))
    # Signed names come from the storage; the check keeps a leaked key from reading outside it.
    if not path.startswith(root + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return LinkedFile(path=path, content_type=content_type, etag=file_etag(stat, name), size=stat.st_size)
