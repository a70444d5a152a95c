"""A Celery task for the scheduling tests: it records each run."""

import threading

from celery import shared_task

RUNS: list[dict] = []
LOCK = threading.Lock()


@shared_task(name="tests.energy.heavy_job")
def heavy_job(**kwargs):
    with LOCK:
        RUNS.append(kwargs)


@shared_task(name="tests.energy.record_job")
def record_job(*, project_id: int, task_id: int):
    """A deferrable server job that measures itself and records its energy."""
    from energy.server import CpuMeter
    from energy.services import energy_record_usage

    with CpuMeter() as meter:
        sum(i * i for i in range(100_000))
    energy_record_usage(consumer="server", project_id=project_id, task_id=task_id, job_kind="bulk_quality",
                        started_at=meter.started_at, ended_at=meter.ended_at, cpu_seconds=meter.cpu_seconds)
