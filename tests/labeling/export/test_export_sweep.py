"""Lost export jobs come back through the sweep, and duplicate runs give one result."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app
from labeling.export import jobs
from labeling.jobs import export_run_task, export_sweep_stuck_task
from labeling.models import Export
from tests.factories import api_client
from tests.labeling.export.helpers import bulk_dataset
from tests.threads import run_threads

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def export_files(settings, project) -> list[str]:
    folder = settings.MEDIA_ROOT / "exports" / str(project.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def request_with_the_broker_down(project, user, settings, monkeypatch, capture) -> Export:
    """Request an export the way the API does while Redis refuses connections."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = export_run_task.apply_async

    def to_a_dead_broker(*args, **kwargs):
        with app.connection_for_write(DEAD_BROKER) as dead:
            return original(*args, connection=dead, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(export_run_task, "apply_async", to_a_dead_broker)
        with pytest.raises(BrokerError):  # the dead broker really refuses
            to_a_dead_broker(kwargs={"export_id": 0})
        with capture(execute=True):
            response = api_client(user).post(
                f"/api/v1/projects/{project.pk}/exports/", {"format": "coco"}, format="json")
    assert response.status_code == 202  # the request itself succeeds
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return Export.objects.get(pk=response.json()["id"])


def test_export_requested_while_the_broker_is_down_is_made_by_the_sweep(
        project, annotator, client_user, settings, monkeypatch, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=3)
    export = request_with_the_broker_down(
        project, client_user, settings, monkeypatch, django_capture_on_commit_callbacks)
    assert export.state == "pending"

    # A young pending export may still be in the queue: left alone.
    assert export_sweep_stuck_task() == {"requeued": 0, "failed": 0}
    settings.EXPORT_REQUEUE_AFTER_SECONDS = 0
    assert export_sweep_stuck_task() == {"requeued": 1, "failed": 0}

    body = api_client(client_user).get(f"/api/v1/exports/{export.pk}/").json()
    assert body["state"] == "done" and body["progress"] == 100
    download = api_client(client_user).get(f"/api/v1/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert export_files(settings, project) == [f"{export.pk}.json"]
    # Done: later sweeps leave it alone.
    assert export_sweep_stuck_task() == {"requeued": 0, "failed": 0}


def test_running_the_job_twice_gives_one_file(
        project, annotator, client_user, settings, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=3)
    with django_capture_on_commit_callbacks(execute=False):  # the message is "lost"
        export, _ = jobs.export_request(project=project, user=client_user)

    first = jobs.export_run(export_id=export.pk)
    second = jobs.export_run(export_id=export.pk)

    assert first is not None and first.state == "done"
    assert second is None
    export.refresh_from_db()
    assert export.sha256 == first.sha256 and export.attempts == 1
    assert export_files(settings, project) == [f"{export.pk}.json"]


def test_a_run_that_lost_its_claim_leaves_no_file_and_no_state(
        project, annotator, client_user, settings, monkeypatch, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=2)
    with django_capture_on_commit_callbacks(execute=False):
        export, _ = jobs.export_request(project=project, user=client_user)
    real_write = jobs.write_export

    def taken_over_while_writing(**kwargs):
        result = real_write(**kwargs)
        # Another run claims the export (as after a stale claim) before this one finishes.
        Export.objects.filter(pk=export.pk).update(attempts=2, claimed_at=timezone.now())
        return result

    monkeypatch.setattr(jobs, "write_export", taken_over_while_writing)
    assert jobs.export_run(export_id=export.pk) is None

    export.refresh_from_db()
    assert export.state == "running" and export.attempts == 2 and not export.file and not export.sha256
    assert export_files(settings, project) == []


def test_a_dead_run_is_taken_over_and_fails_after_too_many(project, annotator, client_user, settings):
    bulk_dataset(project, annotator, images=2)
    long_ago = timezone.now() - timedelta(seconds=settings.EXPORT_RUN_STALE_SECONDS + 60)
    alive = Export.objects.create(project=project, version=1, state="running", attempts=1,
                                  claimed_at=timezone.now())
    dead = Export.objects.create(project=project, version=2, state="running", attempts=1,
                                 claimed_at=long_ago)
    hopeless = Export.objects.create(project=project, version=3, state="running",
                                     attempts=settings.EXPORT_MAX_ATTEMPTS, claimed_at=long_ago)

    # A redelivered message does not start a second run beside a live one.
    assert jobs.export_run(export_id=alive.pk) is None
    assert export_sweep_stuck_task() == {"requeued": 1, "failed": 1}

    states = dict(Export.objects.values_list("pk", "state"))
    assert states == {alive.pk: "running", dead.pk: "done", hopeless.pk: "failed"}
    assert Export.objects.get(pk=dead.pk).attempts == 2
    response = api_client(client_user).get(f"/api/v1/exports/{hopeless.pk}/download/")
    assert response.status_code == 409 and response.json()["code"] == "export_failed"


def test_sweep_leaves_deferred_exports_to_the_energy_scheduler(project, client_user, settings, monkeypatch):
    monkeypatch.setattr(jobs, "schedule_deferrable",
                        lambda **kw: {"decision": "deferred", "reason": "cleaner window"})
    export, _ = jobs.export_request(project=project, user=client_user, deferrable=True)
    settings.EXPORT_REQUEUE_AFTER_SECONDS = 0
    assert export_sweep_stuck_task() == {"requeued": 0, "failed": 0}
    assert Export.objects.get(pk=export.pk).state == "pending"


def test_the_sweep_is_in_the_beat_schedule():
    from labeling.beat import SCHEDULE

    app.loader.import_default_modules()
    assert "labeling.export.sweep_stuck" in app.tasks
    assert any(entry["task"] == "labeling.export.sweep_stuck" for entry in SCHEDULE.values())


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_one_export_give_one_result(project, annotator, client_user, settings, monkeypatch):
    bulk_dataset(project, annotator, images=50)
    monkeypatch.setattr(jobs, "enqueue_on_commit", lambda *a, **k: None)
    export, _ = jobs.export_request(project=project, user=client_user)
    runs = 4
    barrier = threading.Barrier(runs)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(jobs.export_run(export_id=export.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    run_threads([threading.Thread(target=run) for _ in range(runs)], timeout=60)
    assert not errors, errors
    finished = [r for r in results if r is not None]
    assert len(results) == runs and len(finished) == 1 and finished[0].state == "done"
    export.refresh_from_db()
    assert export.attempts == 1 and export.sha256 == finished[0].sha256
    assert export_files(settings, project) == [f"{export.pk}.json"]
