"""Originals left without their row by a killed upload are swept; in-flight ones are not."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.jobs import orphans_sweep
from labeling.models import Image
from tests.factories import api_client
from tests.labeling.ingest.samples import jpeg_bytes
from tests.processes import child_env

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def written_before_commit(project, data: bytes) -> Path:
    """The first half of ``image_store``: the bytes are in storage, the row never commits."""
    sha = hashlib.sha256(data).hexdigest()
    image = Image(project=project, sha256=sha)
    image.file.save(f"{sha}.jpg", ContentFile(data), save=False)
    return Path(image.file.path)


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "images"
    return sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in root.rglob("*") if p.is_file())


def test_old_orphans_go_young_files_and_stored_images_stay(project, supervisor, settings):
    response = api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("kept.jpg", jpeg_bytes(color=(1, 2, 3)))]}, format="multipart")
    assert response.status_code == 200
    kept = Image.objects.get()
    age(Path(kept.file.path), 2 * DAY)
    orphan_bytes = jpeg_bytes(color=(9, 9, 9))
    orphan = written_before_commit(project, orphan_bytes)
    age(orphan, settings.INGEST_ORPHAN_MIN_AGE_SECONDS + 60)
    in_flight = written_before_commit(project, jpeg_bytes(color=(5, 5, 5)))

    assert orphans_sweep() == {"removed": 1, "young": 1, "kept": 1}

    assert not orphan.exists() and in_flight.exists()
    assert stored_files(settings) == sorted([kept.file.name, str(in_flight.relative_to(settings.MEDIA_ROOT))])
    assert api_client(supervisor).get(f"/api/v1/images/{kept.pk}/file/").status_code == 200
    # The orphan's bytes uploaded again are stored under their own hash name again.
    api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("again.jpg", orphan_bytes)]}, format="multipart")
    assert Path(Image.objects.get(original_name="again.jpg").file.path) == orphan


def test_nothing_to_sweep_without_an_images_folder(db):
    assert orphans_sweep() == {"removed": 0, "young": 0, "kept": 0}


def test_the_sweep_is_in_the_beat_schedule():
    from labeling.beat import SCHEDULE

    assert any(entry["task"] == "labeling.ingest.orphans_sweep" for entry in SCHEDULE.values())


KILLED_IMPORT = """
import os, sys
import django
django.setup()
from labeling.models import Image
# The process dies between writing the file and inserting the row.
Image.save = lambda self, *args, **kwargs: os._exit(9)
from django.core.management import call_command
call_command("import_images", sys.argv[1], sys.argv[2])
"""


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_an_orphan_that_the_sweep_removes_once_old(project, settings, tmp_path):
    source = tmp_path / "DJI_0001.JPG"
    source.write_bytes(jpeg_bytes(color=(4, 4, 4)))
    env = child_env(CELERY_BROKER_URL="", CELERY_TASK_ALWAYS_EAGER="1")
    killed = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(project.pk), str(source)],
                            cwd=Path(__file__).resolve().parents[3], env=env, capture_output=True)
    assert killed.returncode == 9, killed.stderr.decode()[-2000:]
    assert not Image.objects.exists()
    (left,) = stored_files(settings)

    # Just written: it could be an upload about to commit.
    assert orphans_sweep() == {"removed": 0, "young": 1, "kept": 0}
    age(settings.MEDIA_ROOT / left, settings.INGEST_ORPHAN_MIN_AGE_SECONDS + 60)
    assert orphans_sweep() == {"removed": 1, "young": 0, "kept": 0}
    assert stored_files(settings) == []
