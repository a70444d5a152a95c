"""Which stored file of an image a request gets, and what downloading an original records."""

from __future__ import annotations

import os
import zlib

from accounts.audit import Action, audit_record
from labeling.models import Image


def image_file_for(image: Image, kind: str):
    """The stored file for ``kind``; until a derivative exists, the next larger one stands in."""
    if kind == "thumbnail":
        return image.thumbnail or image.display or image.file
    if kind == "display":
        return image.display or image.file
    return image.file


def original_download_record(image: Image, *, actor) -> None:
    """Each download of an original is in the audit trail. Display images, thumbnails
    and tiles are not: the tool fetches them all the time, and they are not the
    surveyed data itself."""
    audit_record(
        actor=actor,
        action=Action.IMAGE_DOWNLOAD,
        project_id=image.project_id,
        target_type="image",
        target_id=image.pk,
        details={"name": image.original_name, "sha256": image.sha256},
    )


def file_etag(stat: os.stat_result, name: str) -> str:
    """A validator from one ``stat``: the stored name, size and modification time."""
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-{zlib.crc32(name.encode()):08x}"'
