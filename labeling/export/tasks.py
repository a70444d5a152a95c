"""Celery jobs of the exports (registered through ``labeling/tasks.py``)."""

from celery import shared_task

from labeling.export import jobs


# Below the broker's visibility timeout (3600 s), above a large zip export.
@shared_task(name=jobs.RUN_TASK, acks_late=True, soft_time_limit=3000, time_limit=3300)
def export_run_task(export_id: int) -> None:
    jobs.export_run(export_id=export_id)


@shared_task(name="labeling.export.cleanup")
def export_cleanup_task() -> int:
    return jobs.export_cleanup()


@shared_task(name="labeling.export.sweep_stuck")
def export_sweep_stuck_task() -> dict:
    return jobs.export_sweep_stuck()
