"""Validation by content: what the bytes are, never what the name says.

Every accepted file is decoded once from its first byte to its last, so a
truncated or corrupt file is refused at upload rather than discovered by an
annotator. Pillow's decompression-bomb guard is turned into a clear refusal.

JPEGs are decoded at 1/8 DCT scale: libjpeg still entropy-decodes every
block of every component (that is where truncation and corrupt data show up),
it only skips the full-size inverse DCT and colour conversion, which cannot
fail. That is ~2x cheaper on a 12-megapixel drone photo; the derivatives job
decodes at display scale later anyway.
"""

from django.utils.translation import gettext as _

import struct
import threading
import warnings
import zlib
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from labeling.ingest.limits import Limits, human_bytes
from labeling.ingest.results import Refusal

# Our format name -> (Pillow format name, stored file extension).
FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "TIFF": ("TIFF", "tif"),
    "WEBP": ("WEBP", "webp"),
}

# Archive signatures: a zip is expanded at the top level; any archive inside
# an archive is skipped.
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",  # empty zip
    b"\x1f\x8b",  # gzip / tar.gz
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
)

_WARNINGS_LOCK = threading.Lock()

DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    IndexError,
    TypeError,
    KeyError,
)


def sniff(head: bytes) -> str | None:
    """Return our format name for the first bytes of a file, or None."""
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def is_archive(head: bytes) -> bool:
    return any(head.startswith(magic) for magic in ARCHIVE_MAGIC) or head[257:262] == b"ustar"


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def check_size(size: int, limits: Limits) -> None:
    if size == 0:
        raise Refusal("empty_file", _("The file is empty (0 bytes)."))
    if size > limits.max_file_bytes:
        raise Refusal(
            "file_too_large",
            _("The file has %(size)s; the limit is %(limit)s.")
            % {"size": human_bytes(size), "limit": human_bytes(limits.max_file_bytes)},
        )


def apply_pillow_limits(limits: Limits) -> None:
    """Make Pillow's bomb guard follow our pixel limit (warns above, errors at 2x)."""
    PILImage.MAX_IMAGE_PIXELS = limits.max_pixels


def _too_many_pixels(width: int, height: int, limits: Limits) -> Refusal:
    return Refusal(
        "too_many_pixels",
        _("The image declares %(width)s×%(height)s = %(pixels)s pixels; the limit is %(limit)s.")
        % {"width": width, "height": height, "pixels": f"{width * height:,}", "limit": f"{limits.max_pixels:,}"},
    )


class _Borrowed:
    """Lends a file to Pillow without letting Pillow close it."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh

    def __getattr__(self, name: str):
        return getattr(self._fh, name)

    def close(self) -> None:
        pass


# JPEG decode scale for validation (see the module docstring).
JPEG_CHECK_SCALE = 8


def decode_fully(fh: BinaryIO, fmt: str, limits: Limits) -> PILImage.Image:
    """Open ``fh`` as ``fmt`` only, check its declared size, and decode all of it.

    Returns the loaded image (its ``info`` and EXIF still available). A JPEG
    comes back at reduced scale; its declared size is kept in
    ``image.info["declared_size"]``.
    Raises :class:`Refusal` for anything that is not a whole, sane image.
    """
    apply_pillow_limits(limits)
    fh.seek(0)
    try:
        # catch_warnings swaps process-wide state: one thread at a time (opening
        # reads only the header, so the lock is held briefly).
        with _WARNINGS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(_Borrowed(fh), formats=[FORMATS[fmt][0]])
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise Refusal("too_many_pixels", _("The image has too many pixels: %(exc)s") % {"exc": exc}) from None
    except DECODE_ERRORS as exc:
        raise Refusal("corrupt_image", _("The %(fmt)s file cannot be read: %(exc)s") % {"fmt": fmt, "exc": exc}) from None
    width, height = image.size
    if width < 1 or height < 1:
        raise Refusal("corrupt_image", _("The image declares no pixels."))
    # Checked here as well, so the refusal never depends on warning filters.
    if width * height > limits.max_pixels:
        raise _too_many_pixels(width, height, limits)
    image.info["declared_size"] = (width, height)
    if fmt == "JPEG":
        image.draft(image.mode, (-(-width // JPEG_CHECK_SCALE), -(-height // JPEG_CHECK_SCALE)))
    try:
        image.load()
    except DECODE_ERRORS as exc:
        raise Refusal("corrupt_image", _("The %(fmt)s file is truncated or corrupt: %(exc)s") % {"fmt": fmt, "exc": exc}) from None
    return image
