"""Derivative jobs: queued after commit, idempotent, tiles for large images."""

import io
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from labeling.ingest.derivatives import deep_zoom_levels, tile_name
from labeling.jobs import image_derivatives
from labeling.models import Image
from tests.factories import api_client
from tests.labeling.ingest.samples import jpeg_bytes, stored_files

pytestmark = pytest.mark.django_db


def upload_one(user, project, data: bytes, name: str = "a.jpg") -> Image:
    response = api_client(user).post(
        f"/api/v1/projects/{project.pk}/images/", {"files": [SimpleUploadedFile(name, data)]}, format="multipart"
    )
    return Image.objects.get(pk=response.json()[0]["image_id"])


def picture(storage_file) -> PILImage.Image:
    with storage_file.open("rb") as fh:
        return PILImage.open(io.BytesIO(fh.read()))


def test_derivatives_are_queued_only_after_commit(project, supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = upload_one(supervisor, project, jpeg_bytes())
    assert len(callbacks) == 1
    image.refresh_from_db()
    # Usable before its derivatives exist: display and thumbnail fall back to the original.
    assert image.derivatives == "pending"
    client = api_client(supervisor)
    assert client.get(f"/api/v1/images/{image.pk}/thumbnail/").status_code == 200
    assert client.get(f"/api/v1/images/{image.pk}/display/").status_code == 200


def test_job_makes_upright_thumbnail_and_display(project, supervisor, settings):
    settings.INGEST_DISPLAY_SIZE = 300
    settings.INGEST_THUMBNAIL_SIZE = 64
    image = upload_one(supervisor, project, jpeg_bytes(800, 600, orientation=6))
    assert image_derivatives(image.pk) == "made"
    image.refresh_from_db()
    assert image.derivatives == "ready" and image.tile_levels == 0
    display, thumb = picture(image.display), picture(image.thumbnail)
    # Stored size is displayed size; derivatives are rotated to match.
    assert (image.width, image.height) == (600, 800)
    assert display.size == (225, 300) and display.format == "JPEG"
    assert thumb.size == (48, 64)
    # The red corner marker (top-left of the stored pixels) is top-right after orientation 6.
    r, g, b = display.convert("RGB").getpixel((display.width - 5, 5))
    assert r > 180 and g < 90
    body = api_client(supervisor).get(f"/api/v1/images/{image.pk}/thumbnail/")
    assert PILImage.open(io.BytesIO(b"".join(body.streaming_content))).size == (48, 64)


def test_job_is_idempotent(project, supervisor, _media_root):
    image = upload_one(supervisor, project, jpeg_bytes(300, 200))
    assert image_derivatives(image.pk) == "made"
    files = stored_files(_media_root)
    assert image_derivatives(image.pk) == "exists"
    # A rerun after lost output replaces files, it never adds copies.
    Image.objects.filter(pk=image.pk).update(derivatives="pending")
    assert image_derivatives(image.pk) == "made"
    assert stored_files(_media_root) == files


def test_job_for_a_vanished_image_does_nothing(db):
    assert image_derivatives(987654) == "missing"


def test_job_marks_unreadable_original_failed(project, supervisor):
    image = upload_one(supervisor, project, jpeg_bytes())
    with open(image.file.path, "wb") as fh:
        fh.write(b"damaged on disk")
    assert image_derivatives(image.pk) == "failed"
    image.refresh_from_db()
    assert image.derivatives == "failed"


def test_large_images_get_a_deep_zoom_pyramid(project, supervisor, settings):
    settings.INGEST_TILE_THRESHOLD = 1000
    settings.INGEST_TILE_SIZE = 256
    image = upload_one(supervisor, project, jpeg_bytes(1100, 700))
    image_derivatives(image.pk)
    image.refresh_from_db()
    levels = deep_zoom_levels(1100, 700)
    assert levels == math.ceil(math.log2(1100)) + 1 == 12
    assert image.tile_levels == levels and image.tile_size == 256
    storage = image.file.storage
    top = levels - 1
    assert storage.exists(tile_name(image.pk, top, 4, 2))  # 1100/256 -> 5 cols, 700/256 -> 3 rows
    assert not storage.exists(tile_name(image.pk, top, 5, 0))
    with storage.open(tile_name(image.pk, top, 4, 2)) as fh:
        assert PILImage.open(fh).size == (1100 - 4 * 256, 700 - 2 * 256)
    with storage.open(tile_name(image.pk, top - 1, 0, 0)) as fh:
        assert PILImage.open(fh).size == (256, 256)
    with storage.open(tile_name(image.pk, 0, 0, 0)) as fh:
        assert PILImage.open(fh).size == (1, 1)


def test_sweep_makes_derivatives_whose_job_was_lost(project, supervisor, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from labeling.jobs import derivatives_sweep

    with django_capture_on_commit_callbacks(execute=False):  # the message never reaches a worker
        image = upload_one(supervisor, project, jpeg_bytes())
    assert derivatives_sweep() == 0  # too recent: its job may still be on its way
    Image.objects.filter(pk=image.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert derivatives_sweep() == 1  # eager in tests: the job runs now
    image.refresh_from_db()
    assert image.derivatives == "ready" and image.thumbnail
    assert derivatives_sweep() == 0
