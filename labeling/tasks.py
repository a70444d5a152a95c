"""Celery jobs of the labeling app. They take ids, never objects."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from energy.services import energy_record_usage
from labeling.export.tasks import export_cleanup_task, export_run_task  # noqa: F401 (registers them)
from labeling.quality.drain import quality_drain_batch
from labeling.quality.enqueue import marker_claim, marker_clear, quality_sweep
from labeling.quality.report import quality_report_compute

logger = logging.getLogger(__name__)

# Only what may pass on its own: the database restarting, a deadlock victim, a
# dropped connection. A bug fails the job once and the report says so.
TRANSIENT = (OperationalError, InterfaceError)
# A job drains its project's backlog in batches of this many tasks, for at most this long.
DRAIN_BATCH = 100
DRAIN_SECONDS = 60.0


@shared_task(
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
)
def quality_report_compute_task(self, report_id: int) -> str:
    """Score one quality report (late ack from settings; idempotent)."""
    started_at = timezone.now()
    cpu_start = time.process_time()
    logger.info("quality job %s started (report %s)", self.request.id, report_id)
    if settings.QUALITY_FAULT_DELAY_SECONDS:
        time.sleep(settings.QUALITY_FAULT_DELAY_SECONDS)
    try:
        project_id = _project_of(report_id)
        if project_id is not None:
            # From now on a submit queues a new job; the ones before are drained below.
            marker_clear(project_id)
        outcome = quality_report_compute(report_id=report_id)
        # Inline (eager) runs have no backlog to share: every submit ran its own.
        drained = _drain(project_id) if project_id is not None and not self.request.is_eager else 0
    except TRANSIENT:
        # Connections are reused across jobs (CELERY_DB_REUSE_MAX): drop this
        # one so that the retry opens a fresh connection.
        connection.close()
        raise
    except Exception as exc:
        _mark_failed(report_id, exc)
        raise
    if (outcome.result == "scored" or drained) and outcome.project_id is not None:
        energy_record_usage(
            consumer="server",
            job_kind="quality",
            project_id=outcome.project_id,
            task_id=outcome.task_id,
            job_id=str(self.request.id or report_id),
            started_at=started_at,
            ended_at=timezone.now(),
            cpu_seconds=time.process_time() - cpu_start,
        )
    return outcome.result


def _project_of(report_id: int) -> int | None:
    from labeling.models import QualityReport

    return QualityReport.objects.filter(pk=report_id).values_list(
        "annotation__task__project_id", flat=True).first()


def _drain(project_id: int) -> int:
    """Score the project's other pending reports in batches, for at most DRAIN_SECONDS.

    While full batches keep coming, another job is queued (if none waits) so
    that every worker process joins in.
    """
    deadline = time.monotonic() + DRAIN_SECONDS
    total = 0
    while time.monotonic() < deadline:
        done = quality_drain_batch(project_id=project_id, limit=DRAIN_BATCH)
        total += done
        if done == 0:  # nothing left that another job is not already scoring
            return total
        if done == DRAIN_BATCH and marker_claim(project_id):
            quality_drain_task.apply_async((project_id,))
    if marker_claim(project_id):  # time is up and work remains: hand it on
        quality_drain_task.apply_async((project_id,))
    return total


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=1, retry_backoff_max=60, max_retries=8)
def quality_drain_task(self, project_id: int) -> int:
    """Score pending reports of a project (queued by a draining job to share the work)."""
    marker_clear(project_id)
    try:
        return _drain(project_id)
    except TRANSIENT:
        connection.close()
        raise


def _mark_failed(report_id: int, exc: Exception) -> None:
    from labeling.models import QualityReport

    QualityReport.objects.filter(pk=report_id, state=QualityReport.State.PENDING).update(
        state=QualityReport.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
    )


@shared_task
def quality_sweep_task(grace_seconds: float | None = None) -> dict:
    """Periodic: queue submitted annotations that have no finished report."""
    return quality_sweep(grace_seconds=grace_seconds)
