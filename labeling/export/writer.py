"""Writes one export (a COCO JSON, or a zip of any format) to a binary stream.

The Celery job, ``manage.py export_coco`` and ``manage.py export_dataset``
all call :func:`write_export`, which is why they produce the same bytes for
the same data.

COCO zip layout (the one CVAT writes and datumaro's COCO importer detects):
``annotations/instances_default.json`` and ``images/default/<id>.<ext>``,
the JSON's ``file_name`` being relative to ``images/default/``. YOLO and VOC
layouts: ``labeling/export/yolo.py`` and ``voc.py``. Entries carry a fixed
timestamp (the dataset's ``date_created``) so that the zip bytes, like the
JSON bytes, depend only on the data. Images are written upright
(``labeling/export/images.py``); JPEG, PNG and WebP files are stored, the
rest deflated.
"""

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from labeling.export.coco import ExportStats, coco_chunks
from labeling.export.images import add_image
from labeling.export.items import export_file_name, project_labels
from labeling.export.packaged import write_packaged
from labeling.export.voc import VocLayout
from labeling.export.yolo import YoloLayout
from labeling.export.zipped import zip_time
from labeling.models import Project

FORMATS = ("coco", "yolo", "voc")
_LAYOUTS = {"yolo": YoloLayout, "voc": VocLayout}
COCO_JSON_PATH = "annotations/instances_default.json"
COCO_IMAGES_FOLDER = "images/default/"
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
    fmt: str = "coco",
    selection: str = "accepted",
    zero_based_categories: bool = False,
    include_images: bool = False,
    include_gold: bool = True,
    total_images: int | None = None,
    on_progress: ProgressFraction | None = None,
) -> WriteResult:
    """Write the export to ``out`` and return its totals, SHA-256 and size.

    YOLO and VOC are always zips (their annotations are one file per image);
    ``include_images`` adds the images to them.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
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
        "include_gold": include_gold,
        "stats": stats,
        "on_progress": images_done,
    }
    if fmt != "coco":
        labels = project_labels(project)
        stats.category_count = len(labels)
        write_packaged(sink=sink, layout=_LAYOUTS[fmt](labels), project=project, selection=selection,
                       include_images=include_images, include_gold=include_gold, stats=stats, images_done=images_done,
                       on_progress=on_progress)
    elif not include_images:
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
            stamp = zip_time(stats.date_created)
            with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
                entry = zipfile.ZipInfo(COCO_JSON_PATH, date_time=stamp)
                entry.compress_type = zipfile.ZIP_DEFLATED
                json_spool.seek(0)
                with archive.open(entry, "w", force_zip64=True) as target:
                    shutil.copyfileobj(json_spool, target, _COPY_BYTES)
                image_list.seek(0)
                for done, line in enumerate(image_list, start=1):
                    image_id, stored = line.rstrip("\n").split("\t", 1)
                    name = COCO_IMAGES_FOLDER + export_file_name(int(image_id), stored)
                    add_image(archive, name, stored, stamp, int(image_id))
                    if on_progress is not None and stats.image_count and done % 100 == 0:
                        on_progress(0.5 + 0.5 * done / stats.image_count)
