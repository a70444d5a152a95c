"""Supervisor pages: upload page and the map of capture points."""

from datetime import datetime, timezone

import pytest
from django.test import Client

from annotate.image_map import draw_map, nice_step
from labeling.models import Image, Task

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make_image(project, n, lat, lon, **fields) -> Image:
    image = Image.objects.create(
        project=project, width=10, height=10, sha256=f"{n:064d}", byte_size=1, gps_latitude=lat,
        gps_longitude=lon, file=f"images/{project.pk}/{n}.jpg", original_name=f"DJI_{n:04d}.JPG", **fields,
    )
    Task.objects.create(project=project, image=image)
    return image


def test_upload_page_for_supervisors(project, supervisor):
    response = browser(supervisor).get(f"/annotate/projects/{project.pk}/images/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-url="/api/v1/projects/{project.pk}/images/"' in html
    assert 'data-testid="upload-input"' in html and "images_upload.js" in html
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("path", ["images", "map"])
@pytest.mark.parametrize("who,status", [("annotator", 403), ("client_user", 403), ("outsider", 404)])
def test_pages_refuse_non_supervisors(project, path, who, status, request):
    response = browser(request.getfixturevalue(who)).get(f"/annotate/projects/{project.pk}/{path}/")
    assert response.status_code == status


def test_pages_need_login(project):
    response = browser(None).get(f"/annotate/projects/{project.pk}/images/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_map_places_points_linking_to_tasks(project, supervisor):
    lake = make_image(project, 1, 36.9, 100.2, gps_altitude=3205.5, relative_altitude=120.0,
                      captured_at=datetime(2024, 7, 15, 2, 30, tzinfo=timezone.utc))
    make_image(project, 2, 37.1, 99.7)
    make_image(project, 3, None, None)
    html = browser(supervisor).get(f"/annotate/projects/{project.pk}/map/").content.decode()
    assert html.count('data-testid="map-point"') == 2
    # Supervisors see the map; the box tool is for annotators: points open the image.
    assert f'href="/api/v1/images/{lake.pk}/display/"' in html and "/annotate/tasks/" not in html
    assert "1 without GPS" in html
    assert "°N" in html and "°E" in html
    # The image info shows position, altitude and capture time (in plateau time).
    assert "36.90000, 100.20000" in html and "3205.5 m" in html and "120.0 m above take-off" in html
    assert "2024-07-15 10:30" in html


def test_map_escapes_names(project, supervisor):
    image = make_image(project, 1, 36.9, 100.2)
    Image.objects.filter(pk=image.pk).update(original_name="<script>alert(1)</script>.jpg")
    html = browser(supervisor).get(f"/annotate/projects/{project.pk}/map/").content.decode()
    assert "<script>alert(1)" not in html


def test_drawing_keeps_points_inside_and_north_up():
    rows = [
        {"gps_latitude": 36.0, "gps_longitude": 100.0},
        {"gps_latitude": 37.0, "gps_longitude": 101.0},
    ]
    drawing = draw_map(rows)
    south_west, north_east = drawing.points
    assert north_east.y < south_west.y and north_east.x > south_west.x
    for p in drawing.points:
        assert drawing.left <= p.x <= drawing.right and drawing.top <= p.y <= drawing.bottom
    assert drawing.x_ticks and drawing.y_ticks
    # East-west degrees are shorter at 36.5°N: one degree of longitude draws shorter.
    assert (north_east.x - south_west.x) < (south_west.y - north_east.y)


def test_one_point_still_draws():
    drawing = draw_map([{"gps_latitude": 36.5, "gps_longitude": 100.5}])
    assert len(drawing.points) == 1 and drawing.y_ticks


def test_nice_steps():
    assert nice_step(1.0) == 0.2
    assert nice_step(0.012) == 0.002
    assert nice_step(45) == 10
