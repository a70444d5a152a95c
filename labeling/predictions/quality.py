"""Is the model any good? Each model version scored on accepted work it had not seen, and time saved.

The reference of a task is its accepted annotation (the first accepted one
when several annotators' work was accepted). A version's training data is
known when a training run of the project produced it: every task sent in
that run or an earlier training run is "seen" and left out of its score.
Versions that arrived otherwise (a COCO import, a backend trained elsewhere)
are scored on every accepted task and say ``training_data_known: false``.
Gold tasks are never scored: they measure annotators.
"""

from collections import defaultdict

from django.db.models import Avg, Count, Min

from labeling.models import Annotation, Box, ModelRun, Prediction, PredictionUse, Project, Task
from labeling.predictions.evaluate import evaluate


def _references(project: Project) -> dict[int, list[dict]]:
    first: dict[int, int] = {}
    for annotation_id, task_id in Annotation.objects.filter(
            task__project=project, task__is_gold=False, status=Annotation.Status.ACCEPTED,
    ).order_by("id").values_list("id", "task_id"):
        first.setdefault(task_id, annotation_id)
    boxes: dict[int, list[dict]] = {task_id: [] for task_id in first}
    by_annotation = {a: t for t, a in first.items()}
    for annotation_id, label, x, y, w, h in Box.objects.filter(annotation_id__in=list(by_annotation)).values_list(
            "annotation_id", "label__name", "x", "y", "width", "height"):
        boxes[by_annotation[annotation_id]].append({"label": label, "x": x, "y": y, "width": w, "height": h})
    return boxes


def _seen_by_version(project: Project) -> dict[str, set[int]]:
    seen: dict[str, set[int]] = {}
    so_far: set[int] = set()
    for version, task_ids in ModelRun.objects.filter(
            project=project, kind=ModelRun.Kind.TRAIN, state=ModelRun.State.DONE,
    ).order_by("finished_at", "id").values_list("model_version", "task_ids"):
        so_far |= set(task_ids)
        if version:
            seen[version] = set(so_far)
    return seen


def _time_saved(project: Project) -> tuple[dict, dict[str, dict]]:
    """Active seconds per submitted task without a prediction, and with each version's."""
    started = PredictionUse.objects.filter(annotation__task__project=project)
    baseline = Annotation.objects.filter(task__project=project, submitted_at__isnull=False).exclude(
        status=Annotation.Status.SKIPPED).exclude(pk__in=started.values("annotation_id")).aggregate(
        n=Count("id"), mean=Avg("active_seconds"))
    per_version: dict[str, dict] = defaultdict(lambda: {"n": 0, "seconds": 0.0, "kept": 0, "predicted": 0,
                                                        "moved": 0, "added": 0, "deleted": 0})
    for version, seconds, outcome in started.filter(submitted_at__isnull=False).values_list(
            "prediction__model_version", "active_seconds", "outcome"):
        row = per_version[version]
        row["n"] += 1
        row["seconds"] += seconds or 0.0
        for key in ("kept", "predicted", "moved", "added", "deleted"):
            row[key] += (outcome or {}).get(key, 0)
    out = {}
    for version, row in per_version.items():
        out[version] = {
            "submitted_tasks": row["n"],
            "active_seconds_per_task": round(row["seconds"] / row["n"], 2) if row["n"] else None,
            "boxes_predicted": row["predicted"], "boxes_kept": row["kept"], "boxes_moved": row["moved"],
            "boxes_added": row["added"], "boxes_deleted": row["deleted"],
            "kept_share": round(row["kept"] / row["predicted"], 4) if row["predicted"] else None,
        }
    mean = baseline["mean"]
    return {"submitted_tasks": baseline["n"], "active_seconds_per_task": None if mean is None else round(mean, 2)}, out


def model_quality(project: Project) -> dict:
    """Every model version of the project, oldest first, with its scores and time figures."""
    references = _references(project)
    seen = _seen_by_version(project)
    categories = list(project.labels.order_by("id").values_list("name", flat=True))
    sizes = dict((pk, (w, h)) for pk, w, h in Task.objects.filter(pk__in=list(references)).values_list(
        "id", "image__width", "image__height"))
    baseline, saved = _time_saved(project)
    versions = []
    for row in Prediction.objects.filter(task__project=project).values("model_version").annotate(
            first=Min("created_at"), tasks=Count("id")).order_by("first", "model_version"):
        version = row["model_version"]
        unseen = {task_id for task_id in references if task_id not in seen.get(version, set())}
        images = []
        for task_id, boxes in Prediction.objects.filter(
                task__project=project, model_version=version, task_id__in=unseen).values_list("task_id", "boxes"):
            width, height = sizes[task_id]
            images.append({"width": width, "height": height, "reference": references[task_id], "predicted": boxes})
        scores = evaluate(images, categories)
        versions.append({
            "model_version": version, "first_seen": row["first"], "tasks_predicted": row["tasks"],
            "training_data_known": version in seen, "tasks_seen_in_training": len(seen.get(version, ())),
            "evaluated_tasks": scores["images"], "map50": scores["map50"], "map": scores["map"],
            "per_class": scores["per_class"], "reference_boxes": scores["reference_boxes"],
            "time": saved.get(version),
        })
    return {"project": project.pk, "accepted_tasks": len(references), "without_predictions": baseline,
            "versions": versions}
