"""Queue quality checks: after commit, by id, and again by the sweep if lost."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from config import folder_queue
from config.rows import insert_defaults, insert_select
from labeling.models import Annotation, QualityReport, Task

logger = logging.getLogger(__name__)

# A short publish retry: a broker that is down must not hold a submit for long;
# the sweep finds the report again.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def quality_check_enqueue(annotation_id: int, *, project_id: int | None = None) -> QualityReport:
    """Create (or get) the pending report of the annotation's current version and queue it.

    Call it inside the transaction that changed the answer: the job is sent
    only after the commit, so the worker never looks for rows that are not
    there yet. A submit writes its report and finds the others in its own
    statement instead (``SUBMIT_REPORT``, ``submitted_enqueue``).
    """
    version = Annotation.objects.values_list("version", flat=True).get(pk=annotation_id)
    report, _ = QualityReport.objects.get_or_create(annotation_id=annotation_id, annotation_version=version)
    others = task_rescore_others(annotation_id)
    if report.state == QualityReport.State.PENDING or others:
        if project_id is None:
            project_id = Annotation.objects.values_list("task__project_id", flat=True).get(pk=annotation_id)
        if report.state != QualityReport.State.PENDING:
            report = others[0]
        report_send_after_commit(report_id=report.pk, project_id=project_id)
    return report


def submitted_enqueue(*, report_id: int, others: list[tuple[int, int]], project_id: int) -> None:
    """``quality_check_enqueue`` for a submit whose statement wrote the pending report of its
    new version (``SUBMIT_REPORT``: ``report_id``) and read ``others`` (``OTHERS``)."""
    rescore(others)
    report_send_after_commit(report_id=report_id, project_id=project_id)


# Whose answers take part in agreement: every finished answer on the task.
SCORED = (Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED, Annotation.Status.SUPERSEDED)
# The finished answers of the same task, none for gold (``%(scored)s``: SCORED).
OTHERS = (
    f"SELECT o.id, o.version FROM {Annotation._meta.db_table} me"
    f" JOIN {Task._meta.db_table} t ON t.id = me.task_id AND NOT t.is_gold"
    f" JOIN {Annotation._meta.db_table} o ON o.task_id = t.id AND o.id <> me.id AND o.status = ANY(%(scored)s)"
    " WHERE me.id = %(annotation)s ORDER BY o.id"
)


def task_rescore_others(annotation_id: int) -> list[QualityReport]:
    """Put the task's other finished annotations back in line to be scored.

    Agreement is between annotators: when one answer of a task changes (a
    submit, a redo, a fix), everyone else's agreement changed too. Their
    reports for their current versions go back to pending, so the one job
    that scores the new answer (it takes every pending report of the task
    under the task's lock) rescores them all against each other. Gold tasks
    are measured against the gold answer, not against each other: nothing to
    redo there. Call inside the transaction that changed the answer.
    """
    with connection.cursor() as cursor:
        # Hand-written: every submit runs it, and the ORM's join took ~1 ms of CPU to build.
        cursor.execute(OTHERS, {"annotation": annotation_id, "scored": list(SCORED)})
        return rescore(cursor.fetchall())


def rescore(others: list[tuple[int, int]]) -> list[QualityReport]:
    """The pending reports of these (annotation id, version) pairs, put back in line."""
    reports = []
    for pk, version in others:
        report, created = QualityReport.objects.get_or_create(annotation_id=pk, annotation_version=version)
        if not created and report.state != QualityReport.State.PENDING:
            report.state, report.error, report.finished_at = QualityReport.State.PENDING, "", None
            report.save(update_fields=["state", "error", "finished_at"])
        reports.append(report)
    return reports


# A submit's statement writes the pending report of the annotation's new version
# (row ``a``, with ``version``) itself: the report cannot exist yet, the
# annotation row being locked and its version new.
_REPORT_SET = {"annotation_id": "a.id", "annotation_version": "a.version", "created_at": "%(now)s"}
_report_columns, _report_select = insert_select(QualityReport, "report", _REPORT_SET)
SUBMIT_REPORT = (f"INSERT INTO {QualityReport._meta.db_table} ({_report_columns})"
                 f" SELECT {_report_select} FROM a RETURNING id")


def submit_report_params() -> dict:
    return {**insert_defaults(QualityReport, "report", set(_REPORT_SET)), "scored": list(SCORED)}


def report_send_after_commit(*, report_id: int, project_id: int) -> None:
    # Not Celery's delay_on_commit: that lets a broker error escape from the
    # commit hook, turning a committed submit into a 500. Here the error is
    # logged and the pending report waits for the sweep.
    transaction.on_commit(partial(_send_coalesced, report_id, project_id))


# --- coalescing ------------------------------------------------------------
# At most one quality job per project waits in the queue: a submit sends one
# only if it can set the project's marker; the job clears it when it starts
# and then drains every pending report of the project (drain.py). A report
# committed before the marker was seen set is therefore always drained by
# the job that set it. A message lost with the marker set delays others by
# at most MARKER_SECONDS, and the sweep finds the reports anyway.
MARKER_SECONDS = 30
_redis = None


def _marker_client():
    global _redis
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    if url.startswith("filesystem://"):
        # Without them every submit queued a job of its own.
        return folder_queue.Markers(Path(settings.CELERY_BROKER_FOLDER) / "markers")
    if not url.startswith(("redis://", "rediss://")):
        return None
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _redis


def _marker_key(project_id: int) -> str:
    return f"plateau:quality:queued:{project_id}"


def marker_claim(project_id: int) -> bool:
    """True when this caller should send a job (no job of the project waits)."""
    client = _marker_client()
    if client is None:
        return True
    try:
        return bool(client.set(_marker_key(project_id), "1", nx=True, ex=MARKER_SECONDS))
    except Exception:  # noqa: BLE001 - no marker store: send, as without coalescing
        return True


def marker_clear(project_id: int) -> None:
    client = _marker_client()
    if client is None:
        return
    try:
        client.delete(_marker_key(project_id))
    except Exception:  # noqa: BLE001 - the marker expires on its own
        logger.warning("quality marker of project %s not cleared", project_id)


def _send_coalesced(report_id: int, project_id: int) -> bool:
    if not marker_claim(project_id):
        return False
    # The job starts a moment later, so that the submits of that moment wait
    # behind the same marker and are scored in one batch: under steady load a
    # job sent at once found one or two reports, and its fixed cost (message,
    # lookups, energy record) was paid per submit. Shorter than MARKER_SECONDS.
    return _send(report_id, countdown=settings.QUALITY_GATHER_SECONDS)


def _send(report_id: int, countdown: float = 0) -> bool:
    from labeling.jobs import quality_report_compute_task

    try:
        quality_report_compute_task.apply_async((report_id,), countdown=countdown or None, retry=True,
                                                retry_policy=PUBLISH_RETRY)
    except (BrokerError, OSError) as exc:
        logger.warning("quality report %s not queued (%s); the sweep will queue it", report_id, exc)
        return False
    return True


def quality_sweep(*, grace_seconds: float | None = None, limit: int = 2000) -> dict[str, int]:
    """Queue every submitted annotation without a done report for its current version.

    Finds work lost to a broker that was down or a worker that died. Pending
    reports younger than ``grace_seconds`` are left alone: they are probably
    in a queue already. Running the job twice is harmless (it is idempotent).
    """
    grace = settings.QUALITY_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    current = QualityReport.objects.filter(
        annotation_id=OuterRef("pk"), annotation_version=OuterRef("version")
    )
    lost = (
        Annotation.objects.filter(status__in=SCORED)
        .annotate(
            settled=Exists(current.exclude(state=QualityReport.State.PENDING)),
            fresh=Exists(current.filter(state=QualityReport.State.PENDING, created_at__gte=cutoff)),
            waiting=Exists(current.filter(state=QualityReport.State.PENDING)),
        )
        # Submitted work always needs a report; accepted or superseded work
        # only when a rescoring put its report back in line.
        .filter(Q(status=Annotation.Status.SUBMITTED) | Q(waiting=True), settled=False, fresh=False)
        .values_list("pk", flat=True)
        .order_by("pk")[:limit]
    )
    queued = 0
    for annotation_id in list(lost):
        report, _ = QualityReport.objects.get_or_create(
            annotation_id=annotation_id,
            annotation_version=Annotation.objects.values_list("version", flat=True).get(pk=annotation_id),
        )
        if report.state == QualityReport.State.PENDING and _send(report.pk):
            queued += 1
    if queued:
        logger.info("quality sweep queued %s report(s)", queued)
    return {"queued": queued}
