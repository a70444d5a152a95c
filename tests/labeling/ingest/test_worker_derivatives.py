"""A real Celery worker on Redis makes the derivatives of an uploaded image."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import Image
from tests.factories import api_client
from tests.processes import child_env
from tests.labeling.ingest.samples import jpeg_bytes

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_makes_thumbnail_display_and_tiles_after_commit(project, supervisor, settings, _media_root, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    env = child_env(MEDIA_ROOT=str(_media_root), INGEST_TILE_THRESHOLD="500")
    celery = Path(sys.executable).parent / "celery"
    subprocess.run([str(celery), "-A", "config", "purge", "-f"], cwd=ROOT, env=env, capture_output=True, check=True)
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen(
        [str(celery), "-A", "config", "worker", "-l", "info", "--concurrency", "1", "--pool", "solo",
         "--without-mingle", "--without-gossip", "-n", f"ingest-test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        response = api_client(supervisor).post(
            f"/api/v1/projects/{project.pk}/images/",
            {"files": [SimpleUploadedFile("ortho.jpg", jpeg_bytes(700, 500, orientation=6))]},
            format="multipart",
        )
        assert response.status_code == 200, response.json()
        image_id = response.json()[0]["image_id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            image = Image.objects.get(pk=image_id)
            if image.derivatives != "pending":
                break
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
    assert image.derivatives == "ready", (tmp_path / "worker.log").read_text()[-3000:]
    assert image.thumbnail.name and image.display.name and image.tile_levels == 11
    client = api_client(supervisor)
    assert client.get(f"/api/v1/images/{image_id}/thumbnail/").status_code == 200
    assert client.get(f"/api/v1/images/{image_id}/tiles/10/0_0.jpg").status_code == 200
    assert django_settings.CELERY_TASK_ALWAYS_EAGER is False
