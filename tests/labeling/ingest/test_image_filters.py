"""GET /api/v1/projects/{id}/images/ with bbox and capture-time filters."""

from datetime import datetime, timezone

import pytest

from labeling.models import Image, Task
from tests.factories import api_client

pytestmark = pytest.mark.django_db


def make_image(project, n: int, lat=None, lon=None, taken=None) -> Image:
    image = Image.objects.create(
        project=project, width=10, height=10, sha256=f"{n:064d}", byte_size=1,
        gps_latitude=lat, gps_longitude=lon, captured_at=taken, file=f"images/{project.pk}/x{n}.jpg",
    )
    Task.objects.create(project=project, image=image)
    return image


@pytest.fixture
def images(project):
    return {
        "lake": make_image(project, 1, 36.9, 100.2, datetime(2024, 7, 1, 2, tzinfo=timezone.utc)),
        "shore": make_image(project, 2, 37.1, 99.7, datetime(2024, 7, 2, 2, tzinfo=timezone.utc)),
        "lhasa": make_image(project, 3, 29.65, 91.1, datetime(2024, 8, 1, 2, tzinfo=timezone.utc)),
        "nogps": make_image(project, 4, None, None, None),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_bbox_keeps_images_inside(project, supervisor, images):
    client = api_client(supervisor)
    url = f"/api/v1/projects/{project.pk}/images/"
    assert ids(client.get(url)) == {i.pk for i in images.values()}
    assert ids(client.get(url, {"bbox": "99.5,36.5,100.5,37.5"})) == {images["lake"].pk, images["shore"].pk}
    assert ids(client.get(url, {"bbox": "100,36,101,37"})) == {images["lake"].pk}


def test_time_window(project, supervisor, images):
    client = api_client(supervisor)
    url = f"/api/v1/projects/{project.pk}/images/"
    got = ids(client.get(url, {"taken_after": "2024-07-01T12:00:00+08:00", "taken_before": "2024-07-31"}))
    assert got == {images["shore"].pk}
    # A time without offset is project time (Asia/Shanghai): 10:00 local is 02:00 UTC.
    assert ids(client.get(url, {"taken_after": "2024-07-01T10:00:00"})) == {
        images["lake"].pk, images["shore"].pk, images["lhasa"].pk}


def test_area_and_time_combine(project, client_user, images):
    got = ids(api_client(client_user).get(
        f"/api/v1/projects/{project.pk}/images/", {"bbox": "90,29,101,38", "taken_after": "2024-07-15"}))
    assert got == {images["lhasa"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "100,37,99,36"},
        {"bbox": "nan,1,2,3"},
        {"bbox": "-200,0,0,10"},
        {"taken_after": "last tuesday"},
        {"taken_after": "2024-08-01", "taken_before": "2024-07-01"},
        {"colour": "blue"},
        {"limit": "-1"},
    ],
)
def test_garbage_parameters_are_400(project, supervisor, images, params):
    response = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/images/", params)
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize("who,status", [("annotator", 403), ("outsider", 404), ("other_client", 404)])
def test_annotators_and_strangers_cannot_list(project, images, who, status, request):
    response = api_client(request.getfixturevalue(who)).get(f"/api/v1/projects/{project.pk}/images/")
    assert response.status_code == status


def test_list_query_count_does_not_grow(project, supervisor, images, django_assert_max_num_queries):
    client = api_client(supervisor)
    with django_assert_max_num_queries(8):
        client.get(f"/api/v1/projects/{project.pk}/images/")
    for n in range(5, 25):
        make_image(project, n, 30, 95)
    with django_assert_max_num_queries(8):
        client.get(f"/api/v1/projects/{project.pk}/images/")
