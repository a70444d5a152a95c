"""Storing predictions: boxes checked like an annotator's, one row per task and model version.

A prediction box is an annotation box (label, x, y, width, height in
original-image pixels, checked by ``labeling.boxes.validate_boxes``) with an
optional ``score`` in [0, 1].
"""

import math
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from labeling.boxes import InvalidBoxes, validate_boxes
from labeling.models import LabelClass, Prediction, Task

MAX_MODEL_VERSION = 200


@dataclass(frozen=True)
class TaskFrame:
    """What checking a task's prediction needs: its image size and project rules."""

    task_id: int
    width: int
    height: int
    label_ids: dict[str, int]
    max_boxes: int


def task_frames(task_ids: list[int]) -> dict[int, TaskFrame]:
    """Frames of these tasks in two queries."""
    rows = list(Task.objects.filter(pk__in=task_ids).values_list(
        "id", "project_id", "image__width", "image__height", "project__max_boxes_per_image"))
    labels: dict[int, dict[str, int]] = {}
    for project_id, name, pk in LabelClass.objects.filter(
            project_id__in={row[1] for row in rows}).values_list("project_id", "name", "id"):
        labels.setdefault(project_id, {})[name] = pk
    return {pk: TaskFrame(pk, width, height, labels.get(project_id, {}), limit)
            for pk, project_id, width, height, limit in rows}


def _score(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0.0 <= value <= 1.0:
        raise InvalidBoxes(_("%(where)s must be a number from 0 to 1.") % {"where": where},
                           code="invalid_score", field=where)
    return float(value)


def clean_prediction_boxes(frame: TaskFrame, raw: Any) -> list[dict]:
    """The boxes checked (labels, image bounds, limits) with their optional scores; or InvalidBoxes."""
    if not isinstance(raw, list):
        raise InvalidBoxes(_("boxes must be a list."), field="boxes")
    scores, plain = [], []
    for index, box in enumerate(raw):
        if not isinstance(box, dict):
            raise InvalidBoxes(_("boxes[%(i)d] must be an object.") % {"i": index}, field=f"boxes[{index}]")
        rest = dict(box)
        scores.append(_score(rest.pop("score", None), f"boxes[{index}].score"))
        plain.append(rest)
    clean = validate_boxes(plain, label_ids=frame.label_ids, image_width=frame.width,
                           image_height=frame.height, max_boxes=frame.max_boxes)
    out = []
    for box, score in zip(clean, scores):
        item = box.as_dict()
        if score is not None:
            item["score"] = score
        out.append(item)
    return out


def clean_model_version(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_MODEL_VERSION:
        raise InvalidBoxes(_("model_version must be a non-empty text of at most %(n)d characters.")
                           % {"n": MAX_MODEL_VERSION}, code="invalid_model_version", field="model_version")
    return value.strip()


def task_score(boxes: list[dict], given: float | None) -> float | None:
    """The task-level score: the one given, else the mean box score, else none."""
    if given is not None:
        return given
    scores = [box["score"] for box in boxes if "score" in box]
    return sum(scores) / len(scores) if scores else None


@transaction.atomic
def predictions_replace(
    *, rows: dict[int, tuple[list[dict], float | None]], model_version: str, source: str,
    backend_id: int | None = None, run_id: int | None = None,
) -> list[Prediction]:
    """Store checked boxes as each task's prediction of ``model_version`` (replacing an older one)."""
    Prediction.objects.filter(task_id__in=list(rows), model_version=model_version).delete()
    return Prediction.objects.bulk_create(
        Prediction(task_id=task_id, model_version=model_version, score=task_score(boxes, score),
                   boxes=boxes, source=source, backend_id=backend_id, run_id=run_id)
        for task_id, (boxes, score) in rows.items()
    )
