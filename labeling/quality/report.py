"""Score one submitted annotation version and route its task.

Called by the Celery job with a report id. Everything happens in one
transaction under the task's row lock, so that two jobs of the same task
(duplicates, or the jobs of its other annotators) serialise: the report is
written exactly once and the last job to finish routes the task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from labeling.models import Annotation, Box, Project, QualityReport, Task
from labeling.quality.checks import SPEED_MIN_SAMPLES, run_checks, speed_norm
from labeling.quality.metrics import BoxT, as_box

logger = logging.getLogger(__name__)

# Statuses whose boxes count as an annotator's finished answer.
FINISHED = (Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED, Annotation.Status.SUPERSEDED)
SPEED_NORM_SAMPLE = 200
SPEED_NORM_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Outcome:
    """What the job did: ``scored``, ``noop`` (already done), ``stopped`` or ``missing``."""

    result: str
    report_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    scored: int = 0
    routed_to: str | None = None


def report_project_id(report_id: int) -> int | None:
    """The project of a report, or None when the report is gone."""
    return QualityReport.objects.filter(pk=report_id).values_list(
        "annotation__task__project_id", flat=True).first()


def report_mark_failed(report_id: int, exc: Exception) -> None:
    """A job that crashed on a report says so on the report (only if still pending)."""
    QualityReport.objects.filter(pk=report_id, state=QualityReport.State.PENDING).update(
        state=QualityReport.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
    )


def quality_report_compute(*, report_id: int) -> Outcome:
    """Score the report's annotation version (and its task's other pending reports)."""
    head = (
        QualityReport.objects.filter(pk=report_id)
        .values("state", "annotation__task_id", "annotation__task__project_id")
        .first()
    )
    if head is None:
        return Outcome("missing", report_id)
    task_id, project_id = head["annotation__task_id"], head["annotation__task__project_id"]
    if head["state"] == QualityReport.State.DONE:
        return Outcome("noop", report_id, project_id, task_id)
    with transaction.atomic():
        # Lock the task row only (not its image and project rows, read alongside).
        task = (Task.objects.select_for_update(of=("self",)).select_related("image", "project")
                .get(pk=task_id))
        project = task.project
        annotations = {a.pk: a for a in Annotation.objects.filter(task_id=task_id)}
        # The task's pending reports, the target among them: the task's other
        # annotators need the same rows, so they are scored now and their own
        # jobs find them done. Selected by annotation id only (a handful of
        # rows); the state is checked here, not by an index on it.
        pending = {
            r.pk: r
            for r in QualityReport.objects.select_for_update().filter(annotation_id__in=list(annotations))
            if r.state == QualityReport.State.PENDING
        }
        report = pending.get(report_id)
        if report is None:  # finished (or closed) while this job waited for the lock
            return Outcome("noop", report_id, project_id, task_id)
        target = annotations[report.annotation_id]
        if target.status not in FINISHED:
            _close(report, f"not scored: the annotation is {target.status} now")
            return Outcome("stopped", report_id, project_id, task_id)
        if target.version != report.annotation_version:
            # Edited (and submitted again) since the job was queued: the newest
            # version is what matters; the old report closes.
            _close(report, f"superseded by version {target.version}")
            report, _ = QualityReport.objects.get_or_create(
                annotation_id=target.pk, annotation_version=target.version
            )
            if report.state == QualityReport.State.DONE:
                return Outcome("noop", report.pk, project_id, task_id)
            pending[report.pk] = report
        scored = [
            r for r in pending.values()
            if annotations[r.annotation_id].status in FINISHED
            and annotations[r.annotation_id].version == r.annotation_version
        ]
        boxes = _boxes_by_annotation(annotations)
        norm = project_speed_norm(project_id=project_id)
        score_reports(task=task, project=project, reports=scored, annotations=annotations, boxes=boxes,
                      norm=norm, now=timezone.now())
        QualityReport.objects.bulk_update(scored, ["state", "score", "flags", "metrics", "error", "finished_at"])
        routed = task_route(task=task, project=project, scored=scored, annotations=annotations)
    return Outcome("scored", report.pk, project_id, task_id, scored=len(scored), routed_to=routed)


def score_reports(*, task: Task, project: Project, reports: list[QualityReport],
                  annotations: dict[int, Annotation], boxes: dict[int, list[BoxT]], norm: float | None,
                  now) -> None:
    """Fill in (without saving) the verdict of each report of one task."""
    image = task.image
    gold = [as_box(b) for b in task.gold_boxes] if task.is_gold else None
    for item in reports:
        annotation = annotations[item.annotation_id]
        # A gold task measures each answer against the gold one, not against
        # whoever happened to come before (which would not be symmetric).
        others = {} if task.is_gold else {
            str(a.annotator_id): boxes.get(a.pk, [])
            for a in annotations.values()
            if a.pk != annotation.pk and a.task_id == task.pk and a.status in FINISHED
        }
        verdict = run_checks(
            boxes.get(annotation.pk, []),
            image_width=image.width,
            image_height=image.height,
            others=others,
            gold=gold,
            threshold=project.iou_threshold,
            gold_pass_mark=project.review_threshold,
            active_seconds=annotation.active_seconds,
            speed_norm_seconds=norm,
        )
        item.state = QualityReport.State.DONE
        item.score = round(verdict.score, 6)
        item.flags = verdict.flags
        item.metrics = {**verdict.metrics, "gold_failed": verdict.gold_failed,
                        "boxes": len(boxes.get(annotation.pk, []))}
        item.error = ""
        item.finished_at = now


def _close(report: QualityReport, reason: str) -> None:
    report.state = QualityReport.State.FAILED
    report.error = reason
    report.finished_at = timezone.now()
    report.save(update_fields=["state", "error", "finished_at"])


def _boxes_by_annotation(annotations: dict[int, Annotation]) -> dict[int, list[BoxT]]:
    out: dict[int, list[BoxT]] = {}
    rows = Box.objects.filter(annotation_id__in=list(annotations)).values_list(
        "annotation_id", "label__name", "x", "y", "width", "height"
    )
    for annotation_id, label, x, y, w, h in rows:
        out.setdefault(annotation_id, []).append(BoxT(label, x, y, w, h))
    return out


def project_speed_norm(*, project_id: int) -> float | None:
    """Median seconds per box of the project's latest submissions (cached a few minutes)."""
    key = f"quality:speed-norm:{project_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None  # 0.0 stands for "no norm yet"
    rows = (
        Annotation.objects.filter(task__project_id=project_id, status__in=FINISHED, active_seconds__gt=0)
        .order_by("-submitted_at")
        .annotate(n=Count("boxes"))
        .values_list("active_seconds", "n")[:SPEED_NORM_SAMPLE]
    )
    samples = [seconds / max(n, 1) for seconds, n in rows]
    norm = speed_norm(samples) if len(samples) >= SPEED_MIN_SAMPLES else None
    cache.set(key, norm or 0.0, SPEED_NORM_CACHE_SECONDS)
    return norm


def needs_review(report: QualityReport, project: Project) -> bool:
    """Below the project's threshold, any red flag, or failed gold."""
    return bool(
        report.score < project.review_threshold
        or any(f.get("severity") == "red" for f in report.flags)
        or report.metrics.get("gold_failed")
    )


def task_route(
    *, task: Task, project: Project, scored: list[QualityReport], annotations: dict[int, Annotation]
) -> str | None:
    """Route the task once every current version has its report.

    A regular task is routed when fully submitted: review when any report
    needs it, else accepted if the project auto-accepts, else review. A gold
    task stays in everyone's pool as a yardstick, so each submission is
    routed on its own: one that needs review (or any, without auto-accept)
    puts the task in review until a supervisor decides; an auto-accepted one
    is accepted and the task stays open. Returns the new status, or None when
    it is not time yet. The caller holds the task's row lock.
    """
    if task.is_gold:
        return _route_gold(task=task, project=project, scored=scored)
    status, accept = route_decision(task=task, project=project, scored=scored, annotations=annotations)
    if status is None:
        return None
    if accept:
        accept_one(task_ids=[task.pk], accept=accept)
    task.status = status
    task.save(update_fields=["status", "updated_at"])
    logger.info("task %s routed to %s", task.pk, task.status)
    return task.status


def route_decision(
    *, task: Task, project: Project, scored: list[QualityReport], annotations: dict[int, Annotation]
) -> tuple[str | None, list[int]]:
    """The new status of a regular task (None: not yet) and the annotations to accept."""
    if task.status != Task.Status.SUBMITTED:
        return None, []
    submitted = [(a.pk, a.version) for a in annotations.values() if a.status == Annotation.Status.SUBMITTED]
    if not submitted:
        return None, []
    reports = {(r.annotation_id, r.annotation_version): r for r in scored}
    unknown = [pk for pk, version in submitted if (pk, version) not in reports]
    if unknown:  # scored by earlier jobs
        reports.update(
            ((r.annotation_id, r.annotation_version), r)
            for r in QualityReport.objects.filter(annotation_id__in=unknown, state=QualityReport.State.DONE)
        )
    current = [reports.get(key) for key in submitted]
    if any(r is None for r in current):
        return None, []
    if any(needs_review(r, project) for r in current) or not project.auto_accept:
        return Task.Status.REVIEW, []
    # One answer per task is the accepted one (the best scored, ties to the
    # lowest id); the others are superseded, not rejected.
    best = min(zip(submitted, current), key=lambda pair: (-(pair[1].score or 0.0), pair[0][0]))
    return Task.Status.ACCEPTED, [best[0][0]]


def accept_one(*, task_ids: list[int], accept: list[int], now=None) -> None:
    """Accept the chosen annotations; the other submitted ones of their tasks are superseded."""
    now = now or timezone.now()
    Annotation.objects.filter(pk__in=accept).update(status=Annotation.Status.ACCEPTED, updated_at=now)
    Annotation.objects.filter(task_id__in=task_ids, status=Annotation.Status.SUBMITTED).exclude(
        pk__in=accept).update(status=Annotation.Status.SUPERSEDED, updated_at=now)


def _route_gold(*, task: Task, project: Project, scored: list[QualityReport]) -> str | None:
    accept = [r.annotation_id for r in scored if project.auto_accept and not needs_review(r, project)]
    if accept:
        Annotation.objects.filter(pk__in=accept, status=Annotation.Status.SUBMITTED).update(
            status=Annotation.Status.ACCEPTED
        )
    if len(accept) < len(scored) and task.status == Task.Status.OPEN:
        task.status = Task.Status.REVIEW
        task.save(update_fields=["status", "updated_at"])
        logger.info("gold task %s routed to review", task.pk)
    return task.status
