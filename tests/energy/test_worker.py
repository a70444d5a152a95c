"""A held job released by the beat task in a real Celery worker (Redis + PostgreSQL)."""

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from energy.models import DeferredJob, LedgerEntry
from energy.services import schedule_deferrable, task_energy_tags
from energy.jobs import release_deferred_jobs
from tests.energy import jobs  # noqa: F401  (registers the test tasks)
from tests.factories import make_task
from tests.processes import child_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))


@pytest.fixture
def worker(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    env = child_env(CELERY_TASK_ALWAYS_EAGER="0")
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "1",
                             "-I", "tests.energy.jobs", "--without-gossip", "--without-mingle"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield proc
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_beat_release_runs_the_held_job_in_a_worker(project, worker):
    task = make_task(project)
    decision = schedule_deferrable(kind="bulk_quality", task_name="tests.energy.record_job",
                                   kwargs={"project_id": project.pk, "task_id": task.pk}, expected_seconds=5400,
                                   deadline=datetime(2025, 7, 1, 11, tzinfo=CST), project_id=project.pk,
                                   now=datetime(2025, 7, 1, 7, 30, tzinfo=CST))
    assert decision["decision"] == "deferred" and LedgerEntry.objects.count() == 0
    release_deferred_jobs.delay()  # what beat sends every 5 minutes
    deadline = time.monotonic() + 90
    while LedgerEntry.objects.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert DeferredJob.objects.get().state == "released"
    entry = LedgerEntry.objects.get()
    assert (entry.consumer, entry.task_id, entry.job_kind, entry.pue_applied) == ("server", task.pk, "bulk_quality", 1.15)
    assert task_energy_tags([task.pk])[task.pk]["kwh"] > 0
