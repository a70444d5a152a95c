"""Writes one export (JSON, or a zip of the JSON and the images) to a binary stream.

The Celery job and ``manage.py export_coco`` both call :func:`write_export`,
which is why they produce the same bytes for the same data.

Zip layout: ``annotations.json`` at the root and ``images/<image id>.<ext>``,
the ``file_name`` of each image in the JSON. Entries carry a fixed timestamp
(the dataset's ``date_created``) so that the zip bytes, like the JSON bytes,
depend only on the data. JPEG, PNG and WebP files are stored as they are
(compressing them again costs CPU and gains nothing); the JSON is deflated.
"""

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from typing import BinaryIO

from django.core.files.storage import default_storage

from labeling.export.coco import ExportStats, coco_chunks, export_file_name
from labeling.models import Project

_ALREADY_COMPRESSED = {"jpg", "jpeg", "png", "webp", "gif"}
_COPY_BYTES = 1024 * 1024

# Called with a fraction in [0, 1] of the work done.
ProgressFraction = Callable[[float], None]


class HashingWriter:
    """A write-only binary stream that hashes and counts what passes through it."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self._target.write(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._target.flush()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


@dataclass
class WriteResult:
    stats: ExportStats
    sha256: str
    byte_size: int


def write_export(
    *,
    out: BinaryIO,
    project: Project,
    selection: str = "accepted",
    zero_based_categories: bool = False,
    include_images: bool = False,
    total_images: int | None = None,
    on_progress: ProgressFraction | None = None,
) -> WriteResult:
    """Write the export to ``out`` and return its totals, SHA-256 and size."""
    sink = HashingWriter(out)
    stats = ExportStats()
    json_share = 0.5 if include_images else 1.0

    def images_done(count: int) -> None:
        if on_progress is not None and total_images:
            on_progress(json_share * min(count / total_images, 1.0))

    options = {
        "project": project,
        "selection": selection,
        "zero_based_categories": zero_based_categories,
        "stats": stats,
        "on_progress": images_done,
    }
    if not include_images:
        for chunk in coco_chunks(**options):
            sink.write(chunk.encode("utf-8"))
    else:
        _write_zip(sink, options, stats, on_progress)
    return WriteResult(stats=stats, sha256=sink.sha256, byte_size=sink.size)


def _write_zip(sink: HashingWriter, options: dict, stats: ExportStats, on_progress) -> None:
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as image_list:
        # The JSON is produced first (into a spool) so that its date is known for every entry.
        with tempfile.TemporaryFile() as json_spool:
            for chunk in coco_chunks(**options, image_list=image_list):
                json_spool.write(chunk.encode("utf-8"))
            stamp = _zip_time(stats)
            with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
                entry = zipfile.ZipInfo("annotations.json", date_time=stamp)
                entry.compress_type = zipfile.ZIP_DEFLATED
                json_spool.seek(0)
                with archive.open(entry, "w", force_zip64=True) as target:
                    shutil.copyfileobj(json_spool, target, _COPY_BYTES)
                image_list.seek(0)
                for done, line in enumerate(image_list, start=1):
                    image_id, stored = line.rstrip("\n").split("\t", 1)
                    _add_image(archive, int(image_id), stored, stamp)
                    if on_progress is not None and stats.image_count and done % 100 == 0:
                        on_progress(0.5 + 0.5 * done / stats.image_count)


def _add_image(archive: zipfile.ZipFile, image_id: int, stored: str, stamp: tuple) -> None:
    name = export_file_name(image_id, stored)
    entry = zipfile.ZipInfo(name, date_time=stamp)
    ext = name.rsplit(".", 1)[-1]
    entry.compress_type = zipfile.ZIP_STORED if ext in _ALREADY_COMPRESSED else zipfile.ZIP_DEFLATED
    if not stored or not default_storage.exists(stored):
        raise FileNotFoundError(f"The file of image {image_id} is missing from storage.")
    with default_storage.open(stored, "rb") as source, archive.open(entry, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, _COPY_BYTES)


def _zip_time(stats: ExportStats) -> tuple[int, int, int, int, int, int]:
    when = stats.date_created
    if when is None:
        return (1980, 1, 1, 0, 0, 0)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    if when.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)
