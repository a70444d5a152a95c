"""The streaming COCO exporter: JSON text chunks from narrow, ordered queries.

Shape (docs/contract.md, the public contract):

- ``images[].id`` is ``Image.pk``, ``annotations[].id`` is ``Box.pk`` and
  ``categories[].id`` is ``LabelClass.pk``: database ids start at 1 and stay
  the same from one export version to the next. With
  ``zero_based_categories`` the category ids are instead the label's 0-based
  position in the project's label order (``order``, then id), for tools that
  want ``0..K-1``; image and annotation ids stay the database ids.
- ``file_name`` is ``<image id>.<ext>``, relative to the images folder of the
  zip (``images/default/``, the layout datumaro's COCO importer and CVAT
  read), in both the JSON-only and the zip kind; the uploader's name is kept
  under ``plateau.original_name``.
- ``width``/``height`` are the stored sizes, already EXIF-corrected at
  upload: no image file is opened here.
- Extras live under namespaced keys: ``info.green_computing``,
  ``info.plateau``, ``images[].energy|gps|captured_at|plateau`` and
  ``annotations[].plateau``.

Which tasks and which boxes: ``labeling/export/items.py`` (shared by every
format). Everyone who contributed is listed in ``images[].plateau.annotators``.

Bytes depend only on the data and the options: ``info.date_created`` is the
newest ``updated_at`` of the exported annotations (the project's creation
time when there are none) and the version number is not in the file, so the
job and ``manage.py export_coco`` write the same bytes for the same data, and
two versions with no changes in between have the same SHA-256.

Memory stays flat: the items are read in batches; the images and annotations arrays go to spool files (on
disk past a few MB) because ``info`` carries totals known only at the end.
"""

import json
import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

from django.conf import settings

from energy.services import dataset_energy

from labeling.export.coco_boxes import TAIL, box_text, resolve
from labeling.export.items import (
    GOLD, UNKNOWN_ENERGY, export_file_name, image_extension, item_batches, project_labels, selected_tasks,
)
from labeling.models import Project

_SPOOL_BYTES = 4 * 1024 * 1024
_COPY_BYTES = 256 * 1024

_isfinite = math.isfinite
# What json.dumps(..., ensure_ascii=False) does to a str, without the dispatch.
_quote = json.encoder.encode_basestring
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

ProgressCallback = Callable[[int], None]


@dataclass
class ExportStats:
    """Totals of one export run, filled in as the chunks are produced."""

    image_count: int = 0
    annotation_count: int = 0
    category_count: int = 0
    date_created: datetime | None = None
    gold_images: int = 0
    energy: dict[str, Any] = field(default_factory=dict)


def coco_chunks(
    *,
    project: Project,
    selection: str = "accepted",
    zero_based_categories: bool = False,
    include_gold: bool = True,
    stats: ExportStats | None = None,
    on_progress: ProgressCallback | None = None,
    batch_size: int | None = None,
    image_list: IO[str] | None = None,
) -> Iterator[str]:
    """Yield the COCO JSON of the project's ``selection`` as text chunks.

    ``on_progress(images_done)`` is called after each batch of images;
    ``stats`` (if given) holds the totals once the generator is exhausted;
    ``image_list`` (if given) receives one ``"<image id>\t<stored name>"``
    line per exported image, so that a zip holds exactly the listed images.
    """
    stats = stats if stats is not None else ExportStats()
    batch_size = batch_size or settings.EXPORT_BATCH_SIZE
    tasks = selected_tasks(project, selection, include_gold)
    labels = project_labels(project)
    category_of = {
        pk: (index if zero_based_categories else pk) for index, (pk, _, _) in enumerate(labels)
    }
    stats.category_count = len(labels)

    with tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", encoding="utf-8") as images_out, \
            tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", encoding="utf-8") as boxes_out:
        _write_arrays(
            project_id=project.pk,
            tasks=tasks,
            category_of=category_of,
            images_out=images_out,
            boxes_out=boxes_out,
            image_list=image_list,
            stats=stats,
            on_progress=on_progress,
            batch_size=batch_size,
        )
        if stats.date_created is None:
            stats.date_created = project.created_at
        yield '{"info":' + _encode(dataset_info(project, selection, zero_based_categories, stats, include_gold))
        yield ',"licenses":' + _encode(_licenses(project))
        yield ',"categories":' + _encode(
            [
                {"id": category_of[pk], "name": name, "supercategory": supercategory or "object"}
                for pk, name, supercategory in labels
            ]
        )
        yield ',"images":['
        yield from _read_back(images_out)
        yield '],"annotations":['
        yield from _read_back(boxes_out)
        yield "]}\n"


def _read_back(spool: IO[str]) -> Iterator[str]:
    spool.seek(0)
    while chunk := spool.read(_COPY_BYTES):
        yield chunk


def _write_arrays(
    *, project_id, tasks, category_of, images_out, boxes_out, image_list, stats, on_progress, batch_size
) -> None:
    """Write the images and annotations arrays from the merged, ordered items.

    The hot loop of every COCO export (once per image): values that repeat (annotator
    lists, the unknown energy tag, each image's box suffix) are encoded once and looked
    up; the boxes come as JSON text from the database (labeling/export/coco_boxes.py).
    """
    energy = dataset_energy(project_id)
    annotators_json: dict[tuple, str] = {}  # annotator names -> their JSON list
    extra_json: dict[tuple, str] = {}  # (annotator, review status) -> the box's "plateau" object
    unknown_energy = _encode(UNKNOWN_ENERGY)
    newest: datetime | None = None
    first_image, first_box = True, True

    for batch in item_batches(tasks, batch_size, energy, category_of):
        image_parts: list[str] = []
        box_parts: list[str] = []
        box_count = 0
        for item in batch:
            image_id, chosen, tag, stored = item.image_id, item.chosen, item.energy, item.stored
            review_status = None if chosen is None else ("fixed" if chosen[3] else chosen[2])
            captured = item.captured_at
            captured_iso = None if captured is None else iso(captured)
            ext = image_extension(stored)
            file_name = (
                f'"{image_id}.{ext}"' if ext.isascii() and ext.isalnum()
                else _encode(export_file_name(image_id, stored))
            )
            lat, lon, alt, original = item.latitude, item.longitude, item.altitude, item.original_name
            if lat is None or lon is None:
                gps = "null"
            elif _isfinite(lat + lon) and (alt is None or _isfinite(alt)):
                gps = f'{{"lat":{lat!r},"lon":{lon!r},"alt":{"null" if alt is None else repr(alt)}}}'
            else:  # _number raises the error naming the value
                gps = f'{{"lat":{_number(lat)},"lon":{_number(lon)},"alt":{_number(alt)}}}'
            captured_json = f'"{captured_iso}"' if captured_iso else "null"
            people = item.annotators
            annotators = annotators_json.get(people)
            if annotators is None:
                annotators = annotators_json[people] = _encode(list(people))
            # Hand-built JSON with the key order and number formatting json.dumps gives
            # (floats as repr); strings that may need escaping still go through the encoder.
            image_parts.append(
                f'{{"id":{image_id},"width":{item.width},"height":{item.height},"file_name":{file_name},'
                f'"license":1,"date_captured":"{captured_iso or ""}","flickr_url":"","coco_url":"",'
                # Most images have no ledger entries yet: their tag is the one unknown tag.
                f'"energy":{unknown_energy if tag is UNKNOWN_ENERGY else _encode(tag)},"gps":{gps},'
                f'"captured_at":{captured_json},'
                # Task statuses are plain words (a check constraint keeps them so).
                f'"plateau":{{"task_id":{item.task_id},"status":"{item.status}",'
                f'"annotators":{annotators},'
                # Only on gold images: their boxes are the verified answer, not an annotator's.
                + ('"gold":true,' if review_status == GOLD else "") +
                f'"original_name":{_quote(original) if isinstance(original, str) else "null"}}}}}'
            )
            if chosen is None:
                continue
            if review_status == GOLD:
                stats.gold_images += 1
            elif newest is None or chosen[5] > newest:
                newest = chosen[5]
            extra = extra_json.get((chosen[4], review_status))
            if extra is None:
                extra = extra_json[chosen[4], review_status] = _encode(
                    {"annotator": chosen[4], "review_status": review_status})
            if item.boxes_json is not None:
                count, text = item.boxes_json
                text = resolve(text, image_id, category_of)
            elif item.boxes:  # a gold task's verified boxes
                count = len(item.boxes)
                text = ",".join(box_text(box_id, image_id, category_of[label_id], x, y, w, h)
                                for _, _, box_id, label_id, x, y, w, h in item.boxes)
            else:
                continue
            box_parts.append(text.replace(TAIL, f',"iscrowd":0,"segmentation":[],"plateau":{extra}}}'))
            box_count += count
        if image_list is not None:
            image_list.write("".join(f"{item.image_id}\t{item.stored}\n" for item in batch))
        if image_parts:
            images_out.write(("" if first_image else ",") + ",".join(image_parts))
            first_image = False
        if box_parts:
            boxes_out.write(("" if first_box else ",") + ",".join(box_parts))
            first_box = False
        stats.image_count += len(batch)
        stats.annotation_count += box_count
        if on_progress is not None:
            on_progress(stats.image_count)
    stats.date_created = newest
    stats.energy = energy.block()


def _number(value: float | None) -> str:
    if value is None:
        return "null"
    if not _isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return repr(value)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dataset_info(project: Project, selection: str, zero_based: bool, stats: ExportStats,
                 include_gold: bool = True) -> dict:
    created = stats.date_created
    return {
        "description": f"{project.name} ({selection} tasks)",
        "url": "",
        "version": "1.0",
        "year": created.year if created else None,
        "contributor": "Plateau Label",
        "date_created": iso(created),
        "green_computing": stats.energy,
        "plateau": {
            "project_id": project.pk,
            "project_slug": project.slug,
            "selection": selection,
            "zero_based_categories": zero_based,
            # Gold images carry images[].plateau.gold = true and their verified boxes.
            "include_gold": include_gold,
            "gold_images": stats.gold_images,
            "images": stats.image_count,
            "annotations": stats.annotation_count,
        },
    }


def _licenses(project: Project) -> list[dict]:
    return [{"id": 1, "name": f"Terms of the {project.name} project", "url": ""}]
