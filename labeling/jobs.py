"""Every Celery job of the labeling app, registered one way: ``@shared_task`` with an
explicit name (the name is what travels in the broker and in the energy scheduler's
table, so a module may move without orphaning queued work).

Jobs take ids, never objects, and call the services that do the work. Periodic ones
are scheduled in ``labeling/beat.py``; every job that a lost message would strand has
a sweep there that queues it again.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.db import connection
from django.utils import timezone

from config.broker import enqueue
from config.errors import DATABASE_OUTAGE
from labeling.export import jobs as exports
from labeling.mlbackends import runs as model_runs
from labeling.quality.drain import Drain, quality_drain_project
from labeling.quality.enqueue import marker_claim, marker_clear, quality_sweep
from labeling.quality.job_energy import quality_energy_record
from labeling.quality.report import quality_report_compute, report_mark_failed, report_project_id

logger = logging.getLogger(__name__)

# --- quality checks ---


# Only what may pass on its own: the database restarting, a deadlock victim, a
# dropped connection. A bug fails the job once and the report says so.
TRANSIENT = DATABASE_OUTAGE
# A job drains its project's backlog in batches of this many tasks, for at most this long.
DRAIN_BATCH = 100
DRAIN_SECONDS = 60.0


@shared_task(
    name="labeling.quality.report_compute",
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
    try:
        project_id = report_project_id(report_id)
        if project_id is not None:
            # From now on a submit queues a new job; the ones before are drained below.
            marker_clear(project_id)
        outcome = quality_report_compute(report_id=report_id)
        # Inline (eager) runs have no backlog to share: every submit ran its own.
        drain = _drain(project_id) if project_id is not None and not self.request.is_eager else Drain()
    except TRANSIENT:
        # Connections are reused across jobs (CELERY_DB_REUSE_MAX): drop this
        # one so that the retry opens a fresh connection.
        connection.close()
        raise
    except Exception as exc:
        report_mark_failed(report_id, exc)
        raise
    if (outcome.result == "scored" or drain.batches) and outcome.project_id is not None:
        quality_energy_record(
            project_id=outcome.project_id, own_task_id=outcome.task_id, job_id=str(self.request.id or report_id),
            started_at=started_at, ended_at=timezone.now(), cpu_seconds=time.process_time() - cpu_start, drain=drain,
        )
    return outcome.result


def _drain(project_id: int) -> Drain:
    def hand_on() -> None:
        if marker_claim(project_id):  # only if no other drain job waits already
            quality_drain_task.apply_async((project_id,))

    return quality_drain_project(project_id=project_id, hand_on=hand_on, batch=DRAIN_BATCH, seconds=DRAIN_SECONDS)


@shared_task(name="labeling.quality.drain", bind=True, autoretry_for=TRANSIENT, retry_backoff=1, retry_backoff_max=60,
             max_retries=8)
def quality_drain_task(self, project_id: int) -> int:
    """Score pending reports of a project (queued by a draining job to share the work); return how many tasks."""
    started_at, cpu_start = timezone.now(), time.process_time()
    marker_clear(project_id)
    try:
        drain = _drain(project_id)
    except TRANSIENT:
        connection.close()
        raise
    # A drain that found nothing (another job took the last tasks) still cost a claim: the project's.
    quality_energy_record(project_id=project_id, job_id=str(self.request.id or f"drain-{project_id}"),
                          started_at=started_at, ended_at=timezone.now(),
                          cpu_seconds=time.process_time() - cpu_start, drain=drain)
    return drain.task_count


@shared_task(name="labeling.quality.sweep")
def quality_sweep_task(grace_seconds: float | None = None) -> dict:
    """Periodic: queue submitted annotations that have no finished report."""
    return quality_sweep(grace_seconds=grace_seconds)


# --- leases ---

@shared_task(name="labeling.lease_sweep_expired")
def lease_sweep_expired_task() -> int:
    """Mark expired leases released. Tidying only: the pool ignores them anyway."""
    from labeling.assignment import lease_sweep_expired

    return lease_sweep_expired()


# --- exports ---

# Below the broker's visibility timeout (3600 s), above a large zip export.
@shared_task(name=exports.RUN_TASK, acks_late=True, soft_time_limit=3000, time_limit=3300)
def export_run_task(export_id: int) -> None:
    exports.export_run(export_id=export_id)


@shared_task(name="labeling.export.cleanup")
def export_cleanup_task() -> int:
    return exports.export_cleanup()


@shared_task(name="labeling.export.sweep_stuck")
def export_sweep_stuck_task() -> dict:
    return exports.export_sweep_stuck()


# --- image derivatives (queued after the image row commits) ---

@shared_task(
    name="labeling.ingest.image_derivatives",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def image_derivatives(image_id: int) -> str:
    from labeling.ingest.derivatives import derivatives_job

    return derivatives_job(image_id)


# One chunk of a queued ``import_images`` run. Late ack: a worker that dies
# mid-chunk leaves the message to another, which carries on after the last
# recorded file (labeling/ingest/queued.py).
@shared_task(name="labeling.ingest.chunk", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def ingest_chunk_task(self, chunk_id: int) -> str:
    from labeling.ingest.queued import chunk_fail_for_good, chunk_ingest

    try:
        return chunk_ingest(chunk_id)
    except TRANSIENT as exc:
        connection.close()
        if self.request.is_eager or self.request.retries >= self.max_retries:
            # The command that follows the run must not wait for ever.
            chunk_fail_for_good(chunk_id, exc)
            raise
        raise self.retry(exc=exc, countdown=min(60, 2 ** self.request.retries)) from exc


@shared_task(name="labeling.ingest.chunks_cleanup")
def ingest_chunks_cleanup() -> int:
    from labeling.ingest.queued import runs_forget_stale

    return runs_forget_stale()


@shared_task(name="labeling.ingest.derivatives_sweep")
def derivatives_sweep(older_than_seconds: int = 600, limit: int = 500) -> int:
    """Queue derivative jobs for images still pending after a while.

    Their message may have been lost (broker down at upload, worker died);
    the job itself is idempotent, so queueing twice does no harm.
    """
    from labeling.models import Image

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Image.objects.filter(derivatives=Image.Derivatives.PENDING, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for image_id in ids:
        enqueue(image_derivatives, image_id)
    return len(ids)


@shared_task(name="labeling.ingest.orphans_sweep")
def orphans_sweep() -> dict:
    """Remove stored originals left without their Image row by a killed process."""
    from labeling.ingest.orphans import orphan_originals_sweep

    return orphan_originals_sweep()


# --- models in the loop ---

# A training call may take minutes; below the broker's visibility timeout (3600 s).
@shared_task(name=model_runs.RUN_TASK, acks_late=True, soft_time_limit=3000, time_limit=3300)
def model_run_task(run_id: int) -> str:
    return model_runs.run_execute(run_id)
