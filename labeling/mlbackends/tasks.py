"""Celery jobs of model runs (registered through CELERY_IMPORTS)."""

from celery import shared_task

from labeling.mlbackends import runs


# A training call may take minutes; below the broker's visibility timeout (3600 s).
@shared_task(name=runs.RUN_TASK, acks_late=True, soft_time_limit=3000, time_limit=3300)
def model_run_task(run_id: int) -> str:
    return runs.run_execute(run_id)
