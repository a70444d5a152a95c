"""A worker process killed mid-job: the job runs again and still yields one report.

Its own module, so that no other worker is consuming the queue meanwhile.
"""

import os
import signal

import pytest

from config.celery import app
from labeling.models import QualityReport, Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.factories import make_task
from tests.quality.helpers import YAKS, annotators, submit
from tests.quality.worker import Worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not app.conf.task_always_eager


def done_count(**filters) -> int:
    return QualityReport.objects.filter(state="done", **filters).count()


def test_a_killed_worker_job_is_run_again_and_yields_one_report(project, tmp_path, real_celery):
    # Each job pauses 3 s first (a seam of the test's own worker app), so the test
    # can kill the pool process mid-job.
    slow = Worker(tmp_path, concurrency=1, extra_env={"SLOW_JOB_SECONDS": "3"}, app="tests.quality.slow_worker")
    try:
        task = make_task(project, status=Task.Status.SUBMITTED)
        (user,) = annotators(project, 1)
        annotation = submit(task, user, YAKS)
        report = quality_check_enqueue(annotation.pk)
        slow.wait_for(f"paused before report {report.pk}")
        (child,) = slow.children()
        os.kill(child, signal.SIGKILL)
        slow.wait_for(f"paused before report {report.pk}", count=2, timeout=60)  # redelivered
        wait_until(lambda: done_count(annotation=annotation) == 1, what="the report", timeout=60)
        assert QualityReport.objects.filter(annotation=annotation).count() == 1
        assert "WorkerLostError" in slow.text()
        task.refresh_from_db()
        assert task.status == Task.Status.REVIEW
    finally:
        slow.stop()


