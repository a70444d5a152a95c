"""The Celery app with a test seam: each quality job pauses before it runs, long
enough for a test to kill the pool process mid-job. Production code has no such pause.

Start a worker with ``-A tests.quality.slow_worker``; ``SLOW_JOB_SECONDS`` sets the pause.
"""

import logging
import os
import time

from celery.signals import task_prerun

from config.celery import app  # noqa: F401 (the worker's -A finds it here)

QUALITY_JOB = "labeling.quality.report_compute"
logger = logging.getLogger("tests.slow_worker")


@task_prerun.connect
def _pause(task_id=None, task=None, args=None, **kwargs) -> None:
    if task is not None and task.name == QUALITY_JOB:
        logger.warning("paused before report %s", args[0] if args else "?")
        time.sleep(float(os.environ.get("SLOW_JOB_SECONDS", "3")))
