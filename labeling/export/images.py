"""Image files inside export zips, with pixels as the annotation files measure them.

Width and height in every annotation file are the size after EXIF
orientation (boxes are drawn on the upright picture). A file whose EXIF
orientation is not 1 is therefore written transposed, with the orientation
tag removed and the rest of its EXIF (GPS, capture time) kept; loaders that
read raw pixels (datumaro, OpenCV, Ultralytics) then see the size the JSON
says. Every other file is copied byte for byte. Originals in storage are
never changed.

JPEGs are re-encoded with the source's own quantization tables, so the
quality is the camera's, not a guess.
"""

import io
import zipfile

from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps, JpegImagePlugin

from labeling.ingest.limits import current_limits
from labeling.ingest.metadata import ORIENTATION
from labeling.ingest.validate import apply_pillow_limits

# Already compressed: deflating them again costs CPU and gains nothing.
ALREADY_COMPRESSED = {"jpg", "jpeg", "png", "webp", "gif"}


def add_image(archive: zipfile.ZipFile, name: str, stored: str, stamp: tuple, image_id: int) -> None:
    """Write the stored image ``stored`` to ``archive`` as ``name``, upright."""
    if not stored:
        raise _missing(image_id)
    entry = zipfile.ZipInfo(name, date_time=stamp)
    ext = name.rsplit(".", 1)[-1].lower()
    entry.compress_type = zipfile.ZIP_STORED if ext in ALREADY_COMPRESSED else zipfile.ZIP_DEFLATED
    try:
        # Opened without asking exists() first: one lookup per image instead of two.
        opened = default_storage.open(stored, "rb")
    except FileNotFoundError:
        raise _missing(image_id) from None
    with opened:
        data = opened.read()
    # Pillow reads the header in dozens of small reads: from memory, not through the file.
    upright = _upright_bytes(io.BytesIO(data))
    with archive.open(entry, "w", force_zip64=True) as target:
        target.write(data if upright is None else upright)


def _missing(image_id: int) -> FileNotFoundError:
    return FileNotFoundError(f"The file of image {image_id} is missing from storage.")


def orientation_of(source) -> int:
    """The EXIF orientation of an open image file (1 when absent or unreadable)."""
    try:
        with PILImage.open(source) as picture:
            value = int(picture.getexif().get(ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - the ingest accepted the pixels; a bad EXIF block means upright
        return 1
    return value if 1 <= value <= 8 else 1


def _upright_bytes(source) -> bytes | None:
    """The file re-encoded upright, or None when it already is."""
    if orientation_of(source) == 1:
        return None
    source.seek(0)
    apply_pillow_limits(current_limits())
    with PILImage.open(source) as picture:
        kind = picture.format
        options = _encoder_options(picture)
        upright = ImageOps.exif_transpose(picture)
        buffer = io.BytesIO()
        exif = upright.getexif()
        exif.pop(ORIENTATION, None)
        upright.save(buffer, kind, exif=exif.tobytes(), **options)
    return buffer.getvalue()


def _encoder_options(picture: PILImage.Image) -> dict:
    if picture.format == "JPEG":
        options = {"qtables": picture.quantization, "optimize": False}
        sampling = JpegImagePlugin.get_sampling(picture)
        if sampling != -1:
            options["subsampling"] = sampling
        return options
    if picture.format == "WEBP":
        return {"lossless": picture.info.get("lossless", False), "quality": 95}
    return {}
