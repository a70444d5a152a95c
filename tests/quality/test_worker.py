"""Quality jobs in a real Celery worker on Redis and PostgreSQL.

The worker runs in a subprocess on the pytest database; the test process
sends real messages to the broker named by CELERY_BROKER_URL.
"""

import os
import time

import pytest
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app
from energy.models import LedgerEntry
from labeling.models import QualityReport, Task
from labeling.quality.enqueue import quality_check_enqueue
from labeling.jobs import quality_report_compute_task, quality_sweep_task
from tests.factories import api_client, make_task
from tests.quality.helpers import YAKS, annotators, submit
from tests.quality.worker import Worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_celery(settings):
    """The test process sends to the broker instead of running jobs inline."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not app.conf.task_always_eager
    assert app.conf.broker_url == os.environ["CELERY_BROKER_URL"]


@pytest.fixture(scope="module")
def shared_worker(tmp_path_factory, django_db_setup):
    # One worker for the module: starting one costs seconds on a busy machine.
    started = Worker(tmp_path_factory.mktemp("worker"), concurrency=2)
    yield started
    started.stop()


@pytest.fixture
def worker(shared_worker, real_celery):
    return shared_worker


def done_count(**filters) -> int:
    return QualityReport.objects.filter(state="done", **filters).count()


def test_worker_scores_submitted_work_and_routes_tasks(project, annotator, worker):
    project.overlap = 3
    project.save()
    users = annotators(project, 3)
    tasks = [make_task(project, status=Task.Status.SUBMITTED) for _ in range(10)]
    annotations = [submit(task, user, YAKS) for task in tasks for user in users]
    for annotation in annotations:
        quality_check_enqueue(annotation.pk)  # autocommit: sent at once
    # One more through the real API (lease, save, submit).
    own = make_task(project)
    client = api_client(annotator)
    assert client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"] == own.pk
    client.put(f"/api/v1/tasks/{own.pk}/annotation/", {"boxes": [dict(zip(
        ("label", "x", "y", "width", "height"), YAKS[0]))], "version": 0}, format="json")
    assert client.post(f"/api/v1/tasks/{own.pk}/submit/", {}, format="json").status_code == 200

    wait_until(lambda: done_count() == 31, what="31 reports", timeout=90)
    assert QualityReport.objects.count() == 31  # one per annotation version, no more
    assert set(Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("status", flat=True)) == {"review"}
    report = QualityReport.objects.get(annotation__task=own)
    assert report.score == 1.0 and "geometry" in report.metrics
    worker.wait_for("succeeded")  # the job logs it after its last commit, so it may come a moment later
    # Coalesced jobs drain the backlog in batches: each scored task carries the energy of its own scoring.
    scored = {t.pk for t in tasks} | {own.pk}
    wait_until(lambda: scored <= set(LedgerEntry.objects.filter(job_kind="quality", task_id__isnull=False)
                                     .values_list("task_id", flat=True)), what="energy on every task", timeout=30)


def test_broker_down_at_submit_then_the_sweep_queues_it(project, worker, monkeypatch):
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    original = quality_report_compute_task.apply_async

    def to_a_dead_broker(*args, **kwargs):
        with app.connection_for_write("redis://127.0.0.1:1/0") as dead:
            return original(*args, connection=dead, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(quality_report_compute_task, "apply_async", to_a_dead_broker)
        with pytest.raises(BrokerError):  # the dead broker really refuses
            to_a_dead_broker((0,))
        report = quality_check_enqueue(annotation.pk)  # no exception: logged, left pending
    report.refresh_from_db()
    assert report.state == "pending"
    # The periodic sweep, run by the worker itself, finds it and queues it
    # (no grace period here, so that the test need not wait two minutes).
    quality_sweep_task.apply_async(kwargs={"grace_seconds": 0})
    wait_until(lambda: done_count(annotation=annotation) == 1, what="the swept report", timeout=60)
    assert QualityReport.objects.filter(annotation=annotation).count() == 1


def test_queued_jobs_coalesce_per_project(project, other_project, real_celery):
    from labeling.quality.enqueue import marker_claim, marker_clear

    marker_clear(project.pk)
    marker_clear(other_project.pk)
    assert marker_claim(project.pk) is True  # the first submit sends a job
    assert marker_claim(project.pk) is False  # the next ones ride on it
    assert marker_claim(other_project.pk) is True  # projects do not share
    marker_clear(project.pk)  # the job started: a new submit sends again
    assert marker_claim(project.pk) is True
    marker_clear(project.pk)
    marker_clear(other_project.pk)


def test_submits_of_a_moment_are_scored_by_one_job(project, annotator, worker, settings):
    """An annotator's quick submits wait behind one job, which scores them all in one batch."""
    from labeling.quality.enqueue import marker_clear

    settings.QUALITY_GATHER_SECONDS = 3
    marker_clear(project.pk)
    tasks = [make_task(project) for _ in range(5)]
    client = api_client(annotator)
    jobs_before = worker.text().count("labeling.quality.report_compute[")
    box = [dict(zip(("label", "x", "y", "width", "height"), YAKS[0]))]
    for _ in tasks:
        task_id = client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"]
        answer = client.post(f"/api/v1/tasks/{task_id}/submit/", {"boxes": box, "version": 0}, format="json")
        assert answer.status_code == 200, answer.content
    wait_until(lambda: done_count(annotation__task__in=tasks) == 5, what="5 reports", timeout=60)
    worker.wait_for("labeling.quality.report_compute[", count=jobs_before + 2)
    time.sleep(settings.QUALITY_GATHER_SECONDS)  # time for any second job to show up
    # Received and succeeded: two lines per job.
    assert worker.text().count("labeling.quality.report_compute[") - jobs_before == 2
    # One job scored the five, yet each task carries the energy of its own scoring.
    on_tasks = LedgerEntry.objects.filter(job_kind="quality", task_id__in=[t.pk for t in tasks])
    assert set(on_tasks.values_list("task_id", flat=True)) == {t.pk for t in tasks}
