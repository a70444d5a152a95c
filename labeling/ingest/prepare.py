"""Everything about one file that needs no database: bytes, hash, pixels, metadata.

Safe to run in worker threads: Pillow releases the GIL while decoding, so two
threads decode two images at once on two cores.
"""

from django.utils.translation import gettext as _

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from labeling.ingest.limits import Limits
from labeling.ingest.metadata import Metadata, read_metadata
from labeling.ingest.results import Refusal
from labeling.ingest.sources import Source
from labeling.ingest.validate import check_size, decode_fully, is_archive, sniff

_CHUNK = 1024 * 1024


@dataclass
class Prepared:
    name: str
    content: BinaryIO
    sha256: str
    byte_size: int
    format: str
    meta: Metadata

    def close(self) -> None:
        self.content.close()


def prepare(source: Source, *, limits: Limits, capture_timezone: str) -> Prepared:
    """Validate one source fully; the caller owns (and closes) ``content``.

    Raises :class:`Refusal` with a code when the file is not accepted.
    """
    if source.refusal is not None:
        raise source.refusal
    if source.size is not None:
        check_size(source.size, limits)
    fh = source.open()
    try:
        fh.seek(0, 2)
        size = fh.tell()
        check_size(size, limits)
        fh.seek(0)
        head = fh.read(512)
        fmt = sniff(head)
        if fmt is None:
            raise _not_an_image(head, source.in_archive)
        digest = hashlib.sha256(head)
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
        image = decode_fully(fh, fmt, limits)
        try:
            meta = read_metadata(image, capture_timezone=capture_timezone)
        finally:
            # Frees the decoded pixels now rather than whenever the GC runs.
            image.close()
        fh.seek(0)
        return Prepared(
            name=source.name, content=fh, sha256=digest.hexdigest(), byte_size=size, format=fmt, meta=meta
        )
    except BaseException:
        fh.close()
        raise


def _not_an_image(head: bytes, in_archive: bool) -> Refusal:
    if is_archive(head):
        if in_archive:
            return Refusal("nested_archive", _("Archives inside archives are skipped."))
        return Refusal("unsupported_archive", _("Only zip archives are expanded."))
    text = head.lstrip().lower()
    hint = ""
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg")):
        hint = " (it is markup, whatever its name says)"
    return Refusal("not_an_image", _("The content is not a JPEG, PNG, TIFF or WebP image%(hint)s.") % {"hint": hint})
