"""A real Celery worker on Redis picks the export job up by its registered name."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from labeling.export import jobs
from labeling.models import Export
from tests.labeling.export.helpers import bulk_dataset
from tests.processes import child_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def start_worker(settings, **extra_env) -> subprocess.Popen:
    env = child_env(CELERY_TASK_ALWAYS_EAGER="0", LOG_LEVEL="WARNING", **extra_env)
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen([celery, "-A", "config", "worker", "-l", "warning", "--concurrency", "1",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            cwd=Path(__file__).resolve().parents[3], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_finished(export: Export, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.state in ("done", "failed"):
            return
        time.sleep(0.3)


def test_worker_runs_the_export_job(project, annotator, client_user, settings):
    bulk_dataset(project, annotator, images=20, boxes_per_image=2)
    worker = start_worker(settings)
    # Through Django settings, which Celery reads live; writing app.conf would pin it.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        export, _ = jobs.export_request(project=project, user=client_user)
        wait_finished(export)
        assert export.state == "done", (export.state, export.error)
        assert export.image_count == 20 and export.annotation_count == 40
        assert (settings.MEDIA_ROOT / export.file.name).stat().st_size == export.byte_size
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert Export.objects.get(pk=export.pk).progress == 100


def test_export_lost_while_redis_was_down_is_made_by_the_swept_job(
        project, annotator, client_user, settings, monkeypatch):
    from kombu.exceptions import OperationalError as BrokerError

    from config.celery import app
    from labeling.jobs import export_run_task, export_sweep_stuck_task

    bulk_dataset(project, annotator, images=5)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = export_run_task.apply_async

    def to_a_dead_broker(*args, **kwargs):
        with app.connection_for_write("redis://127.0.0.1:1/0") as dead:  # nothing listens on port 1
            return original(*args, connection=dead, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(export_run_task, "apply_async", to_a_dead_broker)
        with pytest.raises(BrokerError):  # the dead broker really refuses
            to_a_dead_broker(kwargs={"export_id": 0})
        export, _ = jobs.export_request(project=project, user=client_user)  # autocommit: sent at once
    export.refresh_from_db()
    assert export.state == "pending"
    # The worker runs the beat job (no waiting period, so the test need not wait 5 minutes).
    worker = start_worker(settings, EXPORT_REQUEUE_AFTER_SECONDS="0")
    try:
        export_sweep_stuck_task.delay()
        wait_finished(export)
        assert export.state == "done", (export.state, export.error)
        assert export.image_count == 5 and export.attempts == 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    folder = settings.MEDIA_ROOT / "exports" / str(project.pk)
    assert sorted(p.name for p in folder.iterdir()) == [f"{export.pk}.json"]
