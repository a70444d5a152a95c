"""Drone metadata read at upload: orientation, GPS, capture time, DJI XMP."""

import io
from datetime import datetime, timedelta, timezone

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from labeling.ingest.metadata import read_metadata
from labeling.models import Image
from tests.factories import api_client
from tests.labeling.ingest.samples import DJI_XMP, encoded, jpeg_bytes


def meta_of(data: bytes):
    return read_metadata(PILImage.open(io.BytesIO(data)), capture_timezone="Asia/Shanghai")


@pytest.mark.parametrize("orientation,size", [(1, (80, 60)), (3, (80, 60)), (5, (60, 80)), (6, (60, 80)), (8, (60, 80))])
def test_orientation_decides_displayed_size(orientation, size):
    meta = meta_of(jpeg_bytes(80, 60, orientation=orientation))
    assert (meta.width, meta.height) == size


def test_gps_and_altitude_from_exif():
    meta = meta_of(jpeg_bytes(gps=(36.9083, 100.2, 3205.5)))
    assert meta.gps_latitude == pytest.approx(36.9083, abs=1e-5)
    assert meta.gps_longitude == pytest.approx(100.2, abs=1e-5)
    assert meta.gps_altitude == pytest.approx(3205.5)


def test_southern_and_western_hemispheres_are_negative():
    meta = meta_of(jpeg_bytes(gps=(-33.5, -70.25, 500)))
    assert meta.gps_latitude == pytest.approx(-33.5, abs=1e-5)
    assert meta.gps_longitude == pytest.approx(-70.25, abs=1e-5)


def test_capture_time_without_offset_is_plateau_local_time():
    meta = meta_of(jpeg_bytes(taken="2024:07:15 10:30:00"))
    assert meta.captured_at == datetime(2024, 7, 15, 2, 30, tzinfo=timezone.utc)


def test_capture_time_with_offset_uses_it():
    meta = meta_of(jpeg_bytes(taken="2024:07:15 10:30:00", offset="+06:00"))
    assert meta.captured_at.utcoffset() == timedelta(hours=6)
    assert meta.captured_at == datetime(2024, 7, 15, 4, 30, tzinfo=timezone.utc)


def test_garbage_capture_time_is_ignored():
    assert meta_of(jpeg_bytes(taken="yesterday at noon")).captured_at is None


def test_dji_xmp_relative_altitude():
    meta = meta_of(jpeg_bytes(xmp=DJI_XMP))
    assert meta.relative_altitude == pytest.approx(120.5)
    assert meta.gps_altitude == pytest.approx(3320.1)  # AbsoluteAltitude when EXIF has none


def test_images_without_metadata_have_nulls():
    meta = meta_of(encoded("PNG"))
    assert (meta.gps_latitude, meta.gps_longitude, meta.captured_at, meta.relative_altitude) == (None,) * 4
    assert (meta.width, meta.height) == (50, 40)


@pytest.mark.django_db
def test_upload_stores_metadata_and_api_shows_it(project, supervisor):
    data = jpeg_bytes(gps=(36.9, 100.1, 3200.0), taken="2024:07:15 10:30:00", xmp=DJI_XMP, orientation=6)
    api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("dji_0001.jpg", data)]},
        format="multipart",
    )
    image = Image.objects.get()
    assert image.relative_altitude == pytest.approx(120.5)
    body = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/images/").json()["results"][0]
    assert body["gps_latitude"] == pytest.approx(36.9, abs=1e-5)
    assert body["gps_altitude"] == pytest.approx(3200.0)
    assert body["relative_altitude"] == pytest.approx(120.5)
    assert body["captured_at"] == "2024-07-15T10:30:00+08:00"
    assert (body["width"], body["height"]) == (60, 80)
    assert body["task_id"] == image.task.pk and body["original_name"] == "dji_0001.jpg"
