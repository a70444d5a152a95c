"""What every dataset import shares: box checks, the all-or-nothing write, the summary.

A plan maps task ids to the boxes the file gives them (every matched image
is in it, so an image without boxes becomes "no objects here"). Nothing is
written unless the whole file checked out.
"""

from collections import Counter
from typing import Any

from django.db import transaction

from labeling.export.matching import ImageIndex, NoMatch, Target
from labeling.export.safe_json import invalid, number_problem
from labeling.models import Prediction, Project, Task
from labeling.predictions.store import clean_model_version, predictions_replace

MODES = ("pre_annotations", "gold")
# Float noise from tools that convert percentages to pixels.
EDGE_TOLERANCE = 1e-3


class Problems(list):
    def add(self, path: str, code: str, message: str) -> None:
        self.append({"path": path, "code": code, "message": message})


class Plan:
    """The boxes per task of one import, with the problems found on the way."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.images = ImageIndex(project)
        self.labels = set(project.labels.values_list("name", flat=True))
        self.boxes: dict[int, list[dict]] = {}
        self.claimed: dict[int, str] = {}
        self.problems = Problems()

    def target(self, path: str, name: str, original_name: str | None = None) -> Target | None:
        """The image ``name`` means, claimed for this file; None (and a problem) if none."""
        try:
            target = self.images.match(name, original_name)
        except NoMatch as exc:
            self.problems.add(path, exc.code, exc.message)
            return None
        if target.image_id in self.claimed:
            self.problems.add(path, "duplicate_image", f"Matches the same image as {self.claimed[target.image_id]}.")
            return None
        if target.task_id is None:
            self.problems.add(path, "no_task", "The matching image has no task yet.")
            return None
        self.claimed[target.image_id] = path
        self.boxes[target.task_id] = []
        return target

    def number(self, path: str, value) -> bool:
        problem = number_problem(value)
        if problem is not None:
            self.problems.add(path, *problem)
        return problem is None

    def add_box(self, path: str, target: Target, label: str, x: float, y: float, w: float, h: float,
                tolerance: float = EDGE_TOLERANCE, score: object = None) -> None:
        """Check one box (already in pixels, top-left origin) and keep it, with its model score if any."""
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))
                                  or not 0 <= score <= 1):
            self.problems.add(f"{path}.score", "bad_score", "score must be a number from 0 to 1.")
            return
        if label not in self.labels:
            self.problems.add(path, "unknown_category", f"The project has no label {label!r}.")
            return
        if w <= 0 or h <= 0:
            self.problems.add(path, "non_positive_size", f"Box width and height must be positive, got {w}x{h}.")
            return
        width, height = target.width, target.height
        if x < -tolerance or y < -tolerance or x + w > width + tolerance or y + h > height + tolerance:
            self.problems.add(path, "bbox_outside_image",
                              f"The box [{x}, {y}, {w}, {h}] leaves the {width}x{height} image.")
            return
        x, y = max(float(x), 0.0), max(float(y), 0.0)
        box = {"label": label, "x": x, "y": y, "width": min(float(w), width - x), "height": min(float(h), height - y)}
        if score is not None:
            box["score"] = float(score)
        self.boxes[target.task_id].append(box)

    def apply(self, mode: str, fmt: str, model_version: str = "imported") -> dict[str, Any]:
        """Write the plan if the file had no problem; refuse all of it otherwise.

        Pre-annotations become each task's prediction of ``model_version``.
        """
        limit = self.project.max_boxes_per_image
        for task_id, boxes in self.boxes.items():
            if len(boxes) > limit:
                self.problems.add(f"task {task_id}", "too_many_boxes",
                                  f"{len(boxes)} boxes, the project allows {limit}.")
        if self.problems:
            raise invalid(fmt, self.problems)
        extra = {}
        if mode == "gold":
            write_gold(self.boxes)
        else:
            extra["model_version"] = clean_model_version(model_version)
            write_pre_annotations(self.boxes, extra["model_version"])
        per_label = Counter(box["label"] for boxes in self.boxes.values() for box in boxes)
        return {
            **extra,
            "format": fmt,
            "mode": mode,
            "images": len(self.boxes),
            "boxes": sum(per_label.values()),
            "boxes_per_label": dict(sorted(per_label.items())),
        }


@transaction.atomic
def write_gold(boxes_by_task: dict[int, list[dict]]) -> None:
    """The gold answer of each task (its boxes replace the old ones); the tasks become gold."""
    tasks = list(Task.objects.filter(pk__in=boxes_by_task).select_for_update().only("id"))
    for task in tasks:
        # A gold answer is boxes only: a model score means nothing there.
        task.gold_boxes = [{k: v for k, v in box.items() if k != "score"} for box in boxes_by_task[task.pk]]
        task.is_gold = True
    Task.objects.bulk_update(tasks, ["gold_boxes", "is_gold"], batch_size=500)


def write_pre_annotations(boxes_by_task: dict[int, list[dict]], model_version: str = "imported") -> None:
    """Boxes annotators start from: each task's prediction of ``model_version``. The one place
    pre-annotations are written."""
    predictions_replace(rows={task_id: (boxes, None) for task_id, boxes in boxes_by_task.items()},
                        model_version=model_version, source=Prediction.Source.IMPORT)
