import io

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from accounts.models import User
from labeling.models import Image, Membership, Task

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--images", "4", "--size", "320x240", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_creates_demo_project_users_and_tasks_with_gold():
    output = _seed("--annotators", "3")
    assert "Demo logins (shown once):" in output
    assert {"annotator1", "annotator2", "annotator3", "supervisor1", "client1"} <= set(
        User.objects.values_list("username", flat=True)
    )
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles["supervisor1"] == "supervisor" and roles["client1"] == "client" and roles["annotator3"] == "annotator"
    tasks = Task.objects.select_related("image", "project")
    assert tasks.count() == 4
    assert tasks.first().project.name == "Qinghai Lake survey"
    for task in tasks:
        for box in task.gold_boxes:
            assert 0 <= box["x"] and box["x"] + box["width"] <= 320
            assert 0 <= box["y"] and box["y"] + box["height"] <= 240


def test_seed_twice_changes_nothing_and_prints_no_new_password():
    _seed()
    before = (Image.objects.count(), Task.objects.count(), User.objects.count())
    hashes = sorted(Image.objects.values_list("sha256", flat=True))
    output = _seed()
    assert (Image.objects.count(), Task.objects.count(), User.objects.count()) == before
    assert sorted(Image.objects.values_list("sha256", flat=True)) == hashes
    assert "already existed" in output


def test_seed_is_deterministic_for_a_seed(django_db_blocker):
    _seed("--seed", "3")
    first = sorted(Image.objects.values_list("sha256", flat=True))
    Task.objects.all().delete()
    Image.objects.all().delete()
    _seed("--seed", "3")
    assert sorted(Image.objects.values_list("sha256", flat=True)) == first


def test_seeded_images_carry_gps_near_qinghai_lake_and_a_capture_time():
    _seed("--password", "same-for-all")
    image = Image.objects.first()
    assert 36.4 < image.gps_latitude < 37.4 and 99.5 < image.gps_longitude < 100.9
    assert 3000 < image.gps_altitude < 3600
    assert image.captured_at is not None
    with image.file.open("rb") as fh:
        exif = PILImage.open(fh).getexif()
    assert exif.get_ifd(0x8825)  # GPS block travels with the file
    assert User.objects.get(username="client1").check_password("same-for-all")
