"""Datasets are the same bytes whatever the language of the person who asks for them."""

import hashlib
import io
import json
import zipfile

import pytest

from labeling.models import Export
from tests.factories import api_client
from tests.labeling.export.helpers import bulk_dataset

pytestmark = pytest.mark.django_db

NAMES = {"yak": {"zh-hans": "牦牛", "bo": "གཡག"}, "snow_leopard": {"zh-hans": "雪豹", "bo": "གསའ"},
         "tibetan_antelope": {"zh-hans": "藏羚羊", "bo": "གཙོད"}}


def _export(client, project, fmt, capture, **headers) -> bytes:
    with capture(execute=True):
        response = client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": fmt}, format="json", **headers)
    assert response.status_code == 202, response.json()
    export = Export.objects.get(pk=response.json()["id"])
    assert export.state == "done", export.error
    download = client.get(f"/api/v1/exports/{export.pk}/download/", **headers)
    return b"".join(download.streaming_content)


@pytest.mark.parametrize("fmt", ["coco", "yolo", "voc"])
def test_exports_are_byte_for_byte_the_same_in_every_language(
        project, annotator, client_user, django_capture_on_commit_callbacks, fmt):
    for label in project.labels.all():
        label.display_names = NAMES[label.name]
        label.save()
    bulk_dataset(project, annotator, images=3, boxes_per_image=2)
    client = api_client(client_user)
    english = _export(client, project, fmt, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    chinese = _export(client, project, fmt, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    client_user.language = "zh-hans"
    client_user.save()
    saved = _export(api_client(client_user), project, fmt, django_capture_on_commit_callbacks)
    assert hashlib.sha256(english).digest() == hashlib.sha256(chinese).digest() == hashlib.sha256(saved).digest()
    text = _all_text(english)
    assert "yak" in text and "牦牛" not in text and "གཡག" not in text


def _all_text(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return json.dumps(json.loads(data), ensure_ascii=False)
