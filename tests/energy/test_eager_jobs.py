"""With no broker a job runs inside the request that queued it: its CPU time is counted once, as the job's."""

import time

import pytest

from config import energy_meter
from energy.models import LedgerEntry
from labeling import jobs
from tests.factories import api_client, make_task
from tests.quality.helpers import YAKS

# The quality job is queued after the submit commits, so the commit must be real.
pytestmark = pytest.mark.django_db(transaction=True)
BURN = 0.5  # CPU seconds the job spends, far more than the requests themselves


@pytest.fixture
def meter(settings):
    """Web CPU written at every request, from an empty buffer."""
    settings.ENERGY_WEB_FLUSH_S = 0
    energy_meter.METER.take()
    yield energy_meter.METER
    energy_meter.METER.take()


def test_an_eager_quality_job_inside_the_submit_is_not_counted_again_as_the_request(meter, project, annotator,
                                                                                   monkeypatch):
    real = jobs.quality_report_compute

    def heavy(**kwargs):
        started = time.thread_time()
        while time.thread_time() - started < BURN:
            pass
        return real(**kwargs)

    monkeypatch.setattr(jobs, "quality_report_compute", heavy)
    task = make_task(project)
    client = api_client(annotator)
    assert client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"] == task.pk
    box = dict(zip(("label", "x", "y", "width", "height"), YAKS[0]))
    client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [box], "version": 0}, format="json")
    assert client.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200

    (job,) = LedgerEntry.objects.filter(task_id=task.pk, job_kind="quality")
    assert job.details["cpu_seconds"] >= BURN
    web = LedgerEntry.objects.filter(task_id=task.pk, job_kind="web")
    assert web.exists()
    assert sum(e.details["cpu_seconds"] for e in web) < BURN
