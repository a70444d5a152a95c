"""COCO import into a project: boxes become pre-annotations or the gold answer.

Images are matched by the rules of ``labeling/export/matching.py`` (our
export's ``<id>.<ext>`` names, original names, then tolerantly), categories
to labels by name. Mode ``pre_annotations`` gives annotators boxes to start
from; mode ``gold`` replaces the task's gold answer and marks it gold.
Every image listed in the file is set, so an image with no annotations
becomes "no objects here". ``width``/``height`` must be the project's
(upright) size; both may be null for an image without boxes (Label
Studio's converter writes that).

All or nothing: a file that is not COCO at all is refused whole (400,
``not_coco``); otherwise every problem is listed with its JSON path (400,
``coco_invalid``, ``errors`` with path, code and message) and nothing is
changed unless there are none. A zip (our export, CVAT's) is read through
its annotations JSON.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import DomainError, TooLarge
from labeling.export.import_archive import coco_json_from_zip, is_zip
from labeling.export.import_plan import MODES, Plan
from labeling.export.safe_json import load_json, number_problem
from labeling.models import Project

__all__ = ["MODES", "coco_import"]


def coco_import(*, project: Project, raw: bytes, mode: str, model_version: str = "imported") -> dict[str, Any]:
    """Import a COCO file's boxes into the project's tasks; return a summary."""
    if mode not in MODES:
        raise DomainError(_("mode must be one of %(MODES)s.") % {"MODES": ', '.join(MODES)}, code="invalid_mode")
    limit = settings.COCO_IMPORT_MAX_BYTES
    if len(raw) > limit:
        raise TooLarge(_("The file is larger than %(limit)s bytes.") % {"limit": limit}, limit=limit)
    if is_zip(raw):
        raw = coco_json_from_zip(raw)
    document = load_json(raw, fmt="coco", max_depth=settings.DATASET_IMPORT_MAX_DEPTH)
    _require_shape(document)
    plan = Plan(project)
    categories = _categories(document["categories"], plan)
    images = _images(document["images"], plan)
    _annotations(document["annotations"], images, categories, plan)
    return plan.apply(mode, "coco", model_version)


def _require_shape(document) -> None:
    if not isinstance(document, dict):
        raise DomainError(_("A COCO file is a JSON object."), code="not_coco")
    for key in ("images", "annotations", "categories"):
        value = document.get(key)
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise DomainError(_("A COCO detection file has a list of objects under %(key)s.") % {"key": repr(key)}, code="not_coco")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _categories(entries: list[dict], plan: Plan) -> dict[int, str]:
    categories: dict[int, str] = {}
    for i, category in enumerate(entries):
        path, cid, name = f"categories[{i}]", category.get("id"), category.get("name")
        if not _is_int(cid) or not isinstance(name, str):
            plan.problems.add(path, "bad_category", "A category needs an integer id and a name.")
        elif cid in categories:
            plan.problems.add(path, "duplicate_category_id", f"Category id {cid} appears twice.")
        else:
            categories[cid] = name
    return categories


def _images(entries: list[dict], plan: Plan) -> dict[int, tuple]:
    """COCO image id -> (target, the entry's path, whether its size was given)."""
    images: dict[int, tuple] = {}
    for i, entry in enumerate(entries):
        path, iid, file_name = f"images[{i}]", entry.get("id"), entry.get("file_name")
        if not _is_int(iid):
            plan.problems.add(f"{path}.id", "bad_image", "An image needs an integer id.")
            continue
        if iid in images:
            plan.problems.add(f"{path}.id", "duplicate_image_id", f"Image id {iid} appears twice.")
            continue
        if not isinstance(file_name, str) or not file_name:
            plan.problems.add(f"{path}.file_name", "bad_image", "An image needs a file_name.")
            continue
        sized = _size_given(entry, path, plan)
        if sized is None:
            continue
        extras = entry.get("plateau") if isinstance(entry.get("plateau"), dict) else {}
        original = extras.get("original_name")
        target = plan.target(path, file_name, original if isinstance(original, str) else None)
        if target is None:
            continue
        if sized and (entry["width"], entry["height"]) != (target.width, target.height):
            plan.problems.add(path, "size_mismatch",
                              f"The file says {entry['width']}x{entry['height']}, the project's image "
                              f"{target.original_name!r} is {target.width}x{target.height}.")
            continue
        images[iid] = (target, path, sized)
    return images


def _size_given(entry: dict, path: str, plan: Plan) -> bool | None:
    """True when width and height are numbers, False when both are null, None on a problem."""
    width, height = entry.get("width"), entry.get("height")
    if width is None and height is None:
        return False
    ok = True
    for key, value in (("width", width), ("height", height)):
        problem = number_problem(value)
        if problem is not None:
            plan.problems.add(f"{path}.{key}", *problem)
            ok = False
    return True if ok else None


def _annotations(entries: list[dict], images: dict, categories: dict, plan: Plan) -> None:
    seen: set[int] = set()
    for i, ann in enumerate(entries):
        path = f"annotations[{i}]"
        aid, iid, cid, bbox = ann.get("id"), ann.get("image_id"), ann.get("category_id"), ann.get("bbox")
        if not _is_int(aid):
            plan.problems.add(f"{path}.id", "bad_annotation", "An annotation needs an integer id.")
            continue
        if aid in seen:
            # pycocotools keys annotations by id: a repeated id would silently drop boxes there.
            plan.problems.add(f"{path}.id", "duplicate_annotation_id",
                              f"Annotation id {aid} appears twice; ids must be unique "
                              "(datumaro writes unique ids with reindex=True).")
            continue
        seen.add(aid)
        if iid not in images:
            # Either no such image entry, or the entry had its own problem above.
            plan.problems.add(f"{path}.image_id", "unknown_image_id",
                              f"Image id {iid!r} is not a usable image of the file.")
            continue
        if cid not in categories:
            plan.problems.add(f"{path}.category_id", "missing_category",
                              f"Category id {cid!r} is not in the file's categories.")
            continue
        if not isinstance(bbox, list) or len(bbox) != 4:
            plan.problems.add(f"{path}.bbox", "bad_bbox", "bbox must be [x, y, width, height], four numbers.")
            continue
        if not all([plan.number(f"{path}.bbox[{k}]", value) for k, value in enumerate(bbox)]):
            continue
        target, image_path, sized = images[iid]
        if not sized:
            plan.problems.add(f"{image_path}.width", "size_required",
                              "An image with boxes needs its width and height.")
            continue
        plan.add_box(path, target, categories[cid], *bbox, score=ann.get("score"))
