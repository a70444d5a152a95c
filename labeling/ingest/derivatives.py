"""Thumbnail, display image and Deep Zoom tiles, made from the stored original.

Memory stays modest: JPEGs are decoded at a reduced DCT scale when only small
derivatives are needed, and the tile pyramid is built level by level with
``Image.reduce(2)``, so at most one level and the next are held at once.
Output names are fixed per image, so running the job again replaces files
rather than adding new ones.
"""

import logging
import math
import shutil
import time
from io import BytesIO

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageOps

from config.errors import DATABASE_OUTAGE
from energy.services import energy_record_usage
from labeling.ingest.limits import current_limits
from labeling.ingest.validate import apply_pillow_limits
from labeling.models import Image

logger = logging.getLogger(__name__)

JPEG_QUALITY = 85
DRAFT_TOLERANCE = 0.95


def thumbnail_name(image_id: int) -> str:
    return f"derived/{image_id}/thumbnail.jpg"


def display_name(image_id: int) -> str:
    return f"derived/{image_id}/display.jpg"


def tile_dir(image_id: int) -> str:
    return f"tiles/{image_id}"


def tile_name(image_id: int, level: int, col: int, row: int) -> str:
    return f"{tile_dir(image_id)}/{level}/{col}_{row}.jpg"


def deep_zoom_levels(width: int, height: int) -> int:
    """Number of Deep Zoom levels: level 0 is 1×1, the last is full size."""
    return math.ceil(math.log2(max(width, height, 1))) + 1


def needs_tiles(width: int, height: int) -> bool:
    return max(width, height) > settings.INGEST_TILE_THRESHOLD


def derivatives_present(image: Image) -> bool:
    storage = image.file.storage
    names = [n for n in (image.thumbnail.name, image.display.name) if n]
    if len(names) < 2 or not all(storage.exists(n) for n in names):
        return False
    if needs_tiles(image.width, image.height):
        return image.tile_levels > 0 and storage.exists(tile_name(image.pk, 0, 0, 0))
    return True


def derivatives_make(*, image: Image) -> None:
    """Write every derivative of ``image`` and record them on the row."""
    apply_pillow_limits(current_limits())
    display_size = settings.INGEST_DISPLAY_SIZE
    thumb_size = settings.INGEST_THUMBNAIL_SIZE
    tiles = needs_tiles(image.width, image.height)
    storage = image.file.storage
    with storage.open(image.file.name, "rb") as fh:
        picture = PILImage.open(fh)
        if picture.format == "JPEG" and not tiles:
            # A reduced DCT scale (1/2, 1/4, 1/8) whose long side is still at
            # least ~95 % of the display size: a 4000 px photo decodes at 2000 px
            # for about a third of the cost, and the display is then 2000 px.
            scale = DRAFT_TOLERANCE * display_size / max(picture.size)
            picture.draft("RGB", (math.ceil(picture.width * scale), math.ceil(picture.height * scale)))
        picture.load()
    # In place: a transposed copy would double the memory of a big image.
    ImageOps.exif_transpose(picture, in_place=True)
    upright = _to_rgb(picture)
    del picture
    tile_levels = 0
    if tiles:
        tile_levels = _write_tiles(storage, image.pk, upright, settings.INGEST_TILE_SIZE)
    display = upright
    if max(display.size) > display_size:
        display.thumbnail((display_size, display_size), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    del upright
    thumb = display.copy()
    thumb.thumbnail((thumb_size, thumb_size), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    image.thumbnail.name = _put(storage, thumbnail_name(image.pk), _jpeg(thumb))
    image.display.name = _put(storage, display_name(image.pk), _jpeg(display))
    image.tile_levels = tile_levels
    image.tile_size = settings.INGEST_TILE_SIZE
    image.derivatives = Image.Derivatives.READY
    image.save(update_fields=["thumbnail", "display", "tile_levels", "tile_size", "derivatives"])


def _write_tiles(storage: Storage, image_id: int, full: PILImage.Image, tile_size: int) -> int:
    levels = deep_zoom_levels(*full.size)
    _clear_tiles(storage, image_id)
    level_image = full
    for level in range(levels - 1, -1, -1):
        width, height = level_image.size
        for row in range(math.ceil(height / tile_size)):
            for col in range(math.ceil(width / tile_size)):
                box = (
                    col * tile_size,
                    row * tile_size,
                    min((col + 1) * tile_size, width),
                    min((row + 1) * tile_size, height),
                )
                storage.save(tile_name(image_id, level, col, row), ContentFile(_jpeg(level_image.crop(box))))
        if level > 0:
            # reduce() rounds up, as Deep Zoom level sizes do.
            level_image = level_image.reduce(2)
    return levels


def _clear_tiles(storage: Storage, image_id: int) -> None:
    try:
        root = storage.path(tile_dir(image_id))
    except NotImplementedError:
        return
    shutil.rmtree(root, ignore_errors=True)


def _put(storage: Storage, name: str, data: bytes) -> str:
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def _jpeg(picture: PILImage.Image) -> bytes:
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return buffer.getvalue()


def _to_rgb(picture: PILImage.Image) -> PILImage.Image:
    if picture.mode == "RGB":
        return picture
    if picture.mode in ("I", "F") or picture.mode.startswith("I;16"):
        # 16-bit and float TIFFs: stretch the used range onto 8 bits.
        values = np.asarray(picture, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else values * 0
        return PILImage.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    return picture.convert("RGB")


def derivatives_job(image_id: int) -> str:
    """Make the thumbnail, display image and (for large images) tiles.

    Idempotent: an image whose derivatives exist is left alone, and a rerun
    after a crash replaces partial output.
    """
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return "missing"
    if image.derivatives == Image.Derivatives.READY and derivatives_present(image):
        return "exists"
    started, cpu = timezone.now(), time.process_time()
    try:
        derivatives_make(image=image)
    except DATABASE_OUTAGE:
        raise
    except Exception:  # noqa: BLE001 - decoding problems are permanent: mark, do not retry
        logger.exception("derivatives of image %s failed", image_id)
        Image.objects.filter(pk=image_id).update(derivatives=Image.Derivatives.FAILED)
        return "failed"
    energy_record_usage(
        consumer="server",
        project_id=image.project_id,
        started_at=started,
        ended_at=timezone.now(),
        task_id=getattr(getattr(image, "task", None), "pk", None),
        job_kind="image_derivatives",
        job_id=str(image_id),
        cpu_seconds=time.process_time() - cpu,
    )
    return "made"
