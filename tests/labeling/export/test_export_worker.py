"""A real Celery worker on Redis picks the export job up by its registered name."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from labeling.export import jobs
from labeling.models import Export
from tests.labeling.export.helpers import bulk_dataset

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_worker_runs_the_export_job(project, annotator, client_user, settings):
    bulk_dataset(project, annotator, images=20, boxes_per_image=2)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen([celery, "-A", "config", "worker", "-l", "warning", "--concurrency", "1",
                               "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              cwd=Path(__file__).resolve().parents[3], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Through Django settings, which Celery reads live; writing app.conf would pin it.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        export, _ = jobs.export_request(project=project, user=client_user)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.state in ("done", "failed"):
                break
            time.sleep(0.3)
        assert export.state == "done", (export.state, export.error)
        assert export.image_count == 20 and export.annotation_count == 40
        assert (settings.MEDIA_ROOT / export.file.name).stat().st_size == export.byte_size
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert Export.objects.get(pk=export.pk).progress == 100
