"""COCO import into a project: boxes become pre-annotations or the gold answer.

Images are matched to the project's images by name: an entry's
``plateau.original_name`` (present in our own exports), else its
``file_name``, else the last part of ``file_name``, compared with
``Image.original_name``. Categories are matched to labels by name.

Mode ``pre_annotations`` replaces ``Task.prediction_boxes`` (annotators
start from them and correct); mode ``gold`` replaces ``Task.gold_boxes`` and
marks the task gold. Every image listed in the file is set, so an image with
no annotations becomes "no objects here".

All or nothing: a file that is not COCO at all is refused whole (400,
``not_coco``); otherwise every problem is listed per item (400,
``coco_invalid``, ``errors`` with path, code and message) and nothing is
changed unless there are none.
"""

import json
import math
import posixpath
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction

from config.errors import DomainError, TooLarge
from labeling.models import Image, Project, Task

MODES = ("pre_annotations", "gold")
MAX_LISTED_ERRORS = 100
# Float noise from tools that convert percentages to pixels.
_EDGE_TOLERANCE = 1e-3


def coco_import(*, project: Project, raw: bytes, mode: str) -> dict[str, Any]:
    """Import a COCO file's boxes into the project's tasks; return a summary."""
    if mode not in MODES:
        raise DomainError(f"mode must be one of {', '.join(MODES)}.", code="invalid_mode")
    limit = settings.COCO_IMPORT_MAX_BYTES
    if len(raw) > limit:
        raise TooLarge(f"The file is larger than {limit} bytes.", limit=limit)
    document = _parse(raw)
    plan, errors = _check(project, document)
    if errors:
        raise DomainError(
            f"The COCO file has {len(errors)} problem(s); nothing was imported.",
            code="coco_invalid",
            error_count=len(errors),
            errors=errors[:MAX_LISTED_ERRORS],
        )
    return _apply(plan, mode)


def _parse(raw: bytes) -> dict:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise DomainError("The file is not JSON.", code="not_coco") from None
    if not isinstance(document, dict):
        raise DomainError("A COCO file is a JSON object.", code="not_coco")
    for key in ("images", "annotations", "categories"):
        value = document.get(key)
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise DomainError(
                f"A COCO detection file has a list of objects under {key!r}.", code="not_coco"
            )
    return document


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


class _Errors(list):
    def add(self, path: str, code: str, message: str) -> None:
        self.append({"path": path, "code": code, "message": message})


def _check(project: Project, document: dict) -> tuple[dict[int, list[dict]], list[dict]]:
    """Return {task id: boxes} for every matched image, and the list of problems."""
    errors = _Errors()
    labels = set(project.labels.values_list("name", flat=True))
    by_name: dict[str, list[tuple]] = {}
    for row in Image.objects.filter(project=project).values_list(
        "original_name", "id", "width", "height", "task__id"
    ):
        by_name.setdefault(row[0], []).append(row[1:])

    categories: dict[int, str] = {}
    for i, category in enumerate(document["categories"]):
        path, cid, name = f"categories[{i}]", category.get("id"), category.get("name")
        if not _is_int(cid) or not isinstance(name, str):
            errors.add(path, "bad_category", "A category needs an integer id and a name.")
        elif cid in categories:
            errors.add(path, "duplicate_category_id", f"Category id {cid} appears twice.")
        else:
            categories[cid] = name

    images: dict[int, tuple] = {}  # COCO image id -> (width, height, task id)
    claimed: dict[int, str] = {}  # our image id -> path of the entry that matched it
    for i, entry in enumerate(document["images"]):
        path, iid = f"images[{i}]", entry.get("id")
        if not _is_int(iid):
            errors.add(path, "bad_image", "An image needs an integer id.")
            continue
        if iid in images:
            errors.add(path, "duplicate_image_id", f"Image id {iid} appears twice.")
            continue
        match = _match(entry, by_name, errors, path)
        if match is None:
            continue
        image_pk, width, height, task_id = match
        if (entry.get("width"), entry.get("height")) != (width, height):
            errors.add(path, "size_mismatch",
                       f"The file says {entry.get('width')}x{entry.get('height')}, "
                       f"the project's image is {width}x{height}.")
            continue
        if image_pk in claimed:
            errors.add(path, "duplicate_image", f"Matches the same image as {claimed[image_pk]}.")
            continue
        if task_id is None:
            errors.add(path, "no_task", "The matching image has no task yet.")
            continue
        claimed[image_pk] = path
        images[iid] = (width, height, task_id)

    plan: dict[int, list[dict]] = {task_id: [] for _, _, task_id in images.values()}
    seen: set[int] = set()
    for i, ann in enumerate(document["annotations"]):
        box = _check_annotation(ann, f"annotations[{i}]", seen, images, categories, labels, errors)
        if box is not None:
            plan[images[ann["image_id"]][2]].append(box)
    for task_id, boxes in plan.items():
        if len(boxes) > project.max_boxes_per_image:
            errors.add(f"task {task_id}", "too_many_boxes",
                       f"{len(boxes)} boxes, the project allows {project.max_boxes_per_image}.")
    return plan, errors


def _match(entry: dict, by_name: dict, errors: _Errors, path: str) -> tuple | None:
    file_name = entry.get("file_name")
    if not isinstance(file_name, str) or not file_name:
        errors.add(path, "bad_image", "An image needs a file_name.")
        return None
    extras = entry.get("plateau") if isinstance(entry.get("plateau"), dict) else {}
    names = [extras.get("original_name"), file_name, posixpath.basename(file_name.replace("\\", "/"))]
    for name in names:
        if isinstance(name, str) and name in by_name:
            found = by_name[name]
            if len(found) > 1:
                errors.add(path, "ambiguous_image", f"{len(found)} images of the project are named {name!r}.")
                return None
            return found[0]
    errors.add(path, "unknown_image", f"No image of the project is named {file_name!r}.")
    return None


def _check_annotation(ann, path, seen, images, categories, labels, errors) -> dict | None:
    aid, iid, cid, bbox = ann.get("id"), ann.get("image_id"), ann.get("category_id"), ann.get("bbox")
    if not _is_int(aid):
        errors.add(path, "bad_annotation", "An annotation needs an integer id.")
        return None
    if aid in seen:
        errors.add(path, "duplicate_annotation_id", f"Annotation id {aid} appears twice.")
        return None
    seen.add(aid)
    if iid not in images:
        # Either no such image entry, or the entry had its own error above.
        errors.add(path, "unknown_image_id", f"Image id {iid!r} is not a usable image of the file.")
        return None
    if cid not in categories:
        errors.add(path, "missing_category", f"Category id {cid!r} is not in the file's categories.")
        return None
    if categories[cid] not in labels:
        errors.add(path, "unknown_category", f"The project has no label {categories[cid]!r}.")
        return None
    if not isinstance(bbox, list) or len(bbox) != 4 or not all(_is_number(v) for v in bbox):
        errors.add(path, "bad_bbox", "bbox must be [x, y, width, height], four numbers.")
        return None
    x, y, w, h = bbox
    width, height, _ = images[iid]
    if w <= 0 or h <= 0:
        errors.add(path, "non_positive_size", f"Box width and height must be positive, got {w}x{h}.")
        return None
    if x < -_EDGE_TOLERANCE or y < -_EDGE_TOLERANCE or x + w > width + _EDGE_TOLERANCE \
            or y + h > height + _EDGE_TOLERANCE:
        errors.add(path, "bbox_outside_image",
                   f"bbox {bbox} leaves the {width}x{height} image.")
        return None
    return {"label": categories[cid], "x": max(float(x), 0.0), "y": max(float(y), 0.0),
            "width": float(w), "height": float(h)}


@transaction.atomic
def _apply(plan: dict[int, list[dict]], mode: str) -> dict[str, Any]:
    tasks = list(Task.objects.filter(pk__in=plan).select_for_update().only("id"))
    for task in tasks:
        if mode == "gold":
            task.gold_boxes, task.is_gold = plan[task.pk], True
        else:
            task.prediction_boxes = plan[task.pk]
    fields = ["gold_boxes", "is_gold"] if mode == "gold" else ["prediction_boxes"]
    Task.objects.bulk_update(tasks, fields, batch_size=500)
    per_label = Counter(box["label"] for boxes in plan.values() for box in boxes)
    return {
        "mode": mode,
        "images": len(tasks),
        "boxes": sum(per_label.values()),
        "boxes_per_label": dict(sorted(per_label.items())),
    }
