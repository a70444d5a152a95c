"""Image bytes and tiles only for people allowed; no public media URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from labeling.jobs import image_derivatives
from labeling.models import Image, Lease
from tests.factories import add_member, api_client, make_user
from tests.labeling.ingest.samples import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiled(project, supervisor, settings) -> Image:
    settings.INGEST_TILE_THRESHOLD = 500
    settings.INGEST_TILE_SIZE = 256
    api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("ortho.jpg", jpeg_bytes(600, 400))]},
        format="multipart",
    )
    image = Image.objects.get()
    image_derivatives(image.pk)
    image.refresh_from_db()
    return image


def urls(image: Image) -> list[str]:
    top = image.tile_levels - 1
    return [
        f"/api/v1/images/{image.pk}/file/",
        f"/api/v1/images/{image.pk}/display/",
        f"/api/v1/images/{image.pk}/thumbnail/",
        f"/api/v1/images/{image.pk}/dzi/",
        f"/api/v1/images/{image.pk}/tiles/{top}/1_0.jpg",
        f"/api/v1/images/{image.pk}/tiles/0/0_0.jpg",
    ]


@pytest.mark.parametrize("who", ["supervisor", "client_user", "admin_user"])
def test_supervisors_clients_and_admins_get_bytes_and_tiles(tiled, who, request):
    client = api_client(request.getfixturevalue(who))
    for url in urls(tiled):
        assert client.get(url).status_code == 200, url


def test_tile_is_a_private_jpeg(tiled, supervisor):
    response = api_client(supervisor).get(urls(tiled)[4])
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_dzi_descriptor(tiled, supervisor):
    body = api_client(supervisor).get(f"/api/v1/images/{tiled.pk}/dzi/").json()
    assert body == {
        "width": 600,
        "height": 400,
        "tile_size": 256,
        "overlap": 0,
        "levels": 11,
        "format": "jpg",
        "tiles_url": f"/api/v1/images/{tiled.pk}/tiles/",
    }


def test_annotator_sees_tiles_only_of_tasks_they_hold(tiled, project, annotator):
    client = api_client(annotator)
    for url in urls(tiled):
        assert client.get(url).status_code == 404, url
    Lease.objects.create(task=tiled.task, annotator=annotator, expires_at="2100-01-01T00:00:00Z")
    for url in urls(tiled):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["outsider", "other_client"])
def test_other_projects_get_404_for_bytes_and_tiles(tiled, who, request):
    client = api_client(request.getfixturevalue(who))
    for url in urls(tiled):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


def test_anonymous_gets_nothing(tiled):
    from rest_framework.test import APIClient

    for url in urls(tiled):
        assert APIClient().get(url).status_code in (401, 403)


def test_missing_levels_and_tiles_are_404(tiled, supervisor):
    client = api_client(supervisor)
    assert client.get(f"/api/v1/images/{tiled.pk}/tiles/{tiled.tile_levels}/0_0.jpg").json()["code"] == "no_tile"
    assert client.get(f"/api/v1/images/{tiled.pk}/tiles/1/5_5.jpg").json()["code"] == "no_tile"
    assert client.get(f"/api/v1/images/{tiled.pk}/tiles/1/../../0_0.jpg").status_code == 404


def test_small_images_have_no_tiles(project, supervisor):
    api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("a.jpg", jpeg_bytes())]},
        format="multipart",
    )
    image = Image.objects.get()
    image_derivatives(image.pk)
    response = api_client(supervisor).get(f"/api/v1/images/{image.pk}/dzi/")
    assert response.status_code == 404 and response.json()["code"] == "no_tiles"
    assert api_client(supervisor).get(f"/api/v1/images/{image.pk}/tiles/0/0_0.jpg").status_code == 404


@pytest.mark.parametrize("debug", [True, False])
def test_media_files_have_no_public_url(tiled, settings, debug, supervisor):
    settings.DEBUG = debug
    client = Client()
    client.force_login(supervisor)
    for name in (tiled.file.name, tiled.thumbnail.name, f"tiles/{tiled.pk}/0/0_0.jpg"):
        assert client.get(f"/media/{name}").status_code == 404


def test_new_supervisor_of_the_project_gets_access(tiled, project):
    late = make_user("late")
    client = api_client(late)
    assert client.get(urls(tiled)[4]).status_code == 404
    add_member(project, late, Role.SUPERVISOR)
    assert client.get(urls(tiled)[4]).status_code == 200
