"""YOLO and VOC zips: one annotation file per image, the images, and a sidecar JSON.

These formats have no place for our extras, so ``plateau.json`` at the zip's
root carries them: ``info`` (the COCO export's, with ``green_computing``)
and one entry per image (file name, task, status, annotators, original
name, energy tag, GPS, capture time).

Like the COCO zip, the bytes depend only on the data: the per-image files
are spooled to disk first, because every entry carries the dataset's date,
known only at the end. Memory stays flat (items are read in batches; the
spools are files).
"""

import tempfile
import zipfile
from collections.abc import Callable

from django.conf import settings

from energy.services import dataset_energy
from labeling.export.coco import ExportStats, dataset_info, iso
from labeling.export.images import add_image
from labeling.export.items import GOLD, Item, export_file_name, item_batches, selected_tasks
from labeling.export.parts import EncodedCache
from labeling.export.zipped import EntrySpool, add_bytes, zip_time
from labeling.models import Project

SIDECAR = "plateau.json"
_COPY_BYTES = 256 * 1024


def write_packaged(*, sink, layout, project: Project, selection: str, include_images: bool,
                   include_gold: bool = True, stats: ExportStats, images_done: Callable[[int], None],
                   on_progress: Callable[[float], None] | None) -> None:
    tasks = selected_tasks(project, selection, include_gold)
    energy = dataset_energy(project.pk)
    encode = EncodedCache()
    with EntrySpool() as spool, \
            tempfile.TemporaryFile(mode="w+", encoding="utf-8") as sidecar, \
            tempfile.TemporaryFile(mode="w+", encoding="utf-8") as image_list:
        newest = None
        for batch in item_batches(tasks, settings.EXPORT_BATCH_SIZE, energy):
            for item in batch:
                for name, data in layout.entries(item):
                    spool.add(name, data)
                sidecar.write(("," if stats.image_count else "") + _sidecar_entry(item, encode))
                image_list.write(f"{item.image_id}\t{item.stored}\n")
                stats.image_count += 1
                stats.annotation_count += len(item.boxes)
                if item.review_status == GOLD:
                    stats.gold_images += 1
                elif item.chosen is not None and (newest is None or item.chosen[5] > newest):
                    newest = item.chosen[5]
            images_done(stats.image_count)
        stats.date_created = newest or project.created_at
        stats.energy = energy.block()
        stamp = zip_time(stats.date_created)
        with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
            for name, data in layout.head():
                add_bytes(archive, name, data, stamp)
            for name, data in spool:
                add_bytes(archive, name, data, stamp)
            for name, data in layout.tail():
                add_bytes(archive, name, data, stamp)
            info = dataset_info(project, selection, False, stats, include_gold)
            info["plateau"]["format"] = layout.name
            sidecar.seek(0)
            with archive.open(zipfile.ZipInfo(SIDECAR, date_time=stamp), "w", force_zip64=True) as target:
                target.write(b'{"info":' + encode(info).encode("utf-8") + b',"images":[')
                while chunk := sidecar.read(_COPY_BYTES):
                    target.write(chunk.encode("utf-8"))
                target.write(b"]}\n")
            if include_images:
                _add_images(archive, layout, image_list, stamp, stats, on_progress)


def _add_images(archive, layout, image_list, stamp, stats, on_progress) -> None:
    image_list.seek(0)
    for done, line in enumerate(image_list, start=1):
        image_id, stored = line.rstrip("\n").split("\t", 1)
        name = layout.images_folder + export_file_name(int(image_id), stored)
        add_image(archive, name, stored, stamp, int(image_id))
        if on_progress is not None and done % 100 == 0:
            on_progress(0.5 + 0.5 * done / stats.image_count)


def _sidecar_entry(item: Item, encode: EncodedCache) -> str:
    gps = None
    if item.latitude is not None and item.longitude is not None:
        gps = {"lat": item.latitude, "lon": item.longitude, "alt": item.altitude}
    return encode({
        "file_name": export_file_name(item.image_id, item.stored),
        "image_id": item.image_id,
        "width": item.width,
        "height": item.height,
        "task_id": item.task_id,
        "status": item.status,
        "annotators": list(item.annotators),
        "review_status": item.review_status,
        "original_name": item.original_name,
        "energy": item.energy,
        "gps": gps,
        "captured_at": iso(item.captured_at),
    })
