"""The supervisors' review queue: tasks in review, worst first, with everyone's boxes."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse

from labeling.models import Annotation, Box, Project, QualityReport, Task

def review_queue_ids(*, project: Project, flag: str | None = None, annotator_id: int | None = None,
                     task_id: int | None = None):
    """``(task id, worst score, flag codes)`` of tasks in review, worst score first.

    Unscored tasks come first (nothing vouches for them), then the lowest score.
    Without a flag filter the database orders and counts the queue and only the
    page asked for is read (a sequence a paginator slices); flags live in the
    reports' JSON, so a flag filter still reads every report of the queue.
    """
    tasks = Task.objects.filter(project=project, status=Task.Status.REVIEW)
    if task_id is not None:
        # One task, opened from the task browser.
        tasks = tasks.filter(pk=task_id)
    if annotator_id is not None:
        tasks = tasks.filter(Exists(Annotation.objects.filter(
            task=OuterRef("pk"), annotator_id=annotator_id, status=Annotation.Status.SUBMITTED
        )))
    if not flag:
        return _WorstFirst(tasks)
    current = _current_reports(set(tasks.values_list("pk", flat=True)))
    rows = []
    for task_id, reports in current.items():
        codes = _codes(reports)
        if flag in codes:
            scores = [r["score"] for r in reports if r["score"] is not None]
            rows.append((task_id, min(scores) if scores else None, codes))
    rows.sort(key=lambda row: (row[1] is not None, row[1] if row[1] is not None else 0.0, row[0]))
    return rows


class _WorstFirst:
    """The queue ordered and counted by the database; slicing reads one page."""

    def __init__(self, tasks) -> None:
        done = QualityReport.objects.filter(
            annotation__task=OuterRef("pk"), annotation__status=Annotation.Status.SUBMITTED,
            annotation_version=F("annotation__version"), state=QualityReport.State.DONE, score__isnull=False,
        )
        worst = Subquery(done.order_by("score").values("score")[:1])
        self.tasks = tasks.annotate(worst=worst).order_by(F("worst").asc(nulls_first=True), "pk")

    def count(self) -> int:
        return self.tasks.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = list(self.tasks.values_list("pk", "worst")[index])
        if not isinstance(index, slice):
            rows = [rows]
        current = _current_reports({pk for pk, _ in rows})
        page = [(pk, worst, _codes(current.get(pk, []))) for pk, worst in rows]
        return page if isinstance(index, slice) else page[0]


def _codes(reports: list[dict]) -> list[str]:
    return sorted({f["code"] for r in reports for f in (r["flags"] or [])})


def _current_reports(task_ids) -> dict[int, list[dict]]:
    """Done reports of each task's submitted annotations, for their current versions."""
    versions = {
        pk: (task_id, version)
        for pk, task_id, version in Annotation.objects.filter(
            task_id__in=task_ids, status=Annotation.Status.SUBMITTED
        ).values_list("pk", "task_id", "version")
    }
    out: dict[int, list[dict]] = defaultdict(list)
    for row in QualityReport.objects.filter(
        annotation_id__in=list(versions), state=QualityReport.State.DONE
    ).values("annotation_id", "annotation_version", "score", "flags"):
        task_id, version = versions[row["annotation_id"]]
        if row["annotation_version"] == version:
            out[task_id].append(row)
    return out


def review_queue_items(task_rows: list[tuple[int, float | None, list[str]]]) -> list[dict]:
    """The queue entries of one page: the image, every annotator's boxes, flags and scores."""
    task_ids = [row[0] for row in task_rows]
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=task_ids).select_related("image")}
    annotations = list(
        Annotation.objects.filter(task_id__in=task_ids)
        .exclude(status__in=[Annotation.Status.DRAFT, Annotation.Status.SKIPPED])
        .select_related("annotator").order_by("submitted_at", "pk")
    )
    boxes: dict[int, list[dict]] = defaultdict(list)
    for annotation_id, label, x, y, w, h in Box.objects.filter(
        annotation__in=annotations
    ).values_list("annotation_id", "label__name", "x", "y", "width", "height"):
        boxes[annotation_id].append({"label": label, "x": x, "y": y, "width": w, "height": h})
    reports = {}
    for row in QualityReport.objects.filter(
        annotation__in=annotations, state=QualityReport.State.DONE
    ).values("annotation_id", "annotation_version", "score", "flags", "metrics", "finished_at"):
        reports[(row["annotation_id"], row["annotation_version"])] = row
    by_task: dict[int, list[Annotation]] = defaultdict(list)
    for annotation in annotations:
        by_task[annotation.task_id].append(annotation)
    items = []
    for task_id, score, codes in task_rows:
        task = tasks[task_id]
        entries = []
        for annotation in by_task[task_id]:
            report = reports.get((annotation.pk, annotation.version))
            entries.append({
                "id": annotation.pk,
                "annotator": {"id": annotation.annotator_id, "username": annotation.annotator.username},
                "status": annotation.status,
                "version": annotation.version,
                "submitted_at": annotation.submitted_at,
                "active_seconds": annotation.active_seconds,
                "boxes": boxes.get(annotation.pk, []),
                "score": report["score"] if report else None,
                "flags": report["flags"] if report else [],
                "metrics": report["metrics"] if report else {},
            })
        image = task.image
        items.append({
            "task": {"id": task.pk, "status": task.status, "is_gold": task.is_gold, "priority": task.priority},
            "image": {"id": image.pk, "width": image.width, "height": image.height,
                      "name": image.original_name,
                      "display_url": reverse("image-display", args=[image.pk])},
            "score": score,
            "flags": codes,
            "gold_boxes": task.gold_boxes if task.is_gold else None,
            "annotations": entries,
        })
    return items


def waiting_items(*, project: Project, limit: int = 100) -> list[dict]:
    """Regular tasks some annotators submitted and that are not in review yet, oldest first.

    ``open`` ones wait for more annotators ("1 of 2 submitted"); ``submitted``
    ones are being checked. A supervisor may review either early.
    """
    tasks = list(
        Task.objects.filter(project=project, is_gold=False, submitted_count__gt=0,
                            status__in=[Task.Status.OPEN, Task.Status.SUBMITTED])
        .select_related("image").order_by("pk")[:limit]
    )
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, username in Annotation.objects.filter(
        task__in=tasks, status=Annotation.Status.SUBMITTED
    ).order_by("submitted_at", "pk").values_list("task_id", "annotator__username"):
        names[task_id].append(username)
    return [{
        "task": {"id": t.pk, "status": t.status, "priority": t.priority},
        "image": {"id": t.image_id, "name": t.image.original_name, "width": t.image.width,
                  "height": t.image.height, "thumbnail_url": f"/api/v1/images/{t.image_id}/thumbnail/"},
        "submitted": t.submitted_count,
        "overlap": project.overlap,
        "annotators": names.get(t.pk, []),
    } for t in tasks]
