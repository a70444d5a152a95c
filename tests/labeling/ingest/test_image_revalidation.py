"""Display images and thumbnails carry an ETag; a current If-None-Match gets 304."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from accounts.audit import Action
from labeling.jobs import image_derivatives
from labeling.models import Image
from tests.factories import api_client
from tests.labeling.ingest.samples import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(project, supervisor) -> Image:
    api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("yaks.jpg", jpeg_bytes(600, 400))]},
        format="multipart",
    )
    stored = Image.objects.get()
    image_derivatives(stored.pk)
    stored.refresh_from_db()
    return stored


@pytest.mark.parametrize("kind", ["display", "thumbnail"])
def test_a_revisit_with_the_current_etag_gets_304_and_no_bytes(image, supervisor, kind):
    client = api_client(supervisor)
    url = f"/api/v1/images/{image.pk}/{kind}/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"].startswith("private")
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_a_changed_file_gets_a_new_etag(image, supervisor):
    client = api_client(supervisor)
    url = f"/api/v1/images/{image.pk}/thumbnail/"
    etag = client.get(url)["ETag"]
    with open(image.thumbnail.path, "ab") as stored:
        stored.write(b"\0")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_etag_does_not_open_images_to_others(image, annotator):
    # An annotator without the task's lease: 404 whatever the header says.
    response = api_client(annotator).get(f"/api/v1/images/{image.pk}/display/", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404


def test_originals_are_always_sent_and_audited(image, supervisor):
    client = api_client(supervisor)
    url = f"/api/v1/images/{image.pk}/file/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert AuditEvent.objects.filter(action=Action.IMAGE_DOWNLOAD, target_id=str(image.pk)).count() == 2
