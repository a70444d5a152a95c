"""YOLO and VOC through the API and the job: versions, checksums, progress, the command's bytes."""

import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command

from labeling.models import Export
from tests.factories import api_client
from tests.labeling.export.helpers import bulk_dataset

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt, members", [
    ("yolo", {"data.yaml", "plateau.json"}),
    ("voc", {"labelmap.txt", "ImageSets/Main/default.txt", "plateau.json"}),
])
def test_api_export_in_each_format_matches_the_command_byte_for_byte(
        project, annotator, client_user, tmp_path, django_capture_on_commit_callbacks, fmt, members):
    tasks = bulk_dataset(project, annotator, images=4, boxes_per_image=2)
    client = api_client(client_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": fmt}, format="json")
    assert response.status_code == 202, response.json()
    export = Export.objects.get(pk=response.json()["id"])
    assert (export.state, export.progress, export.format) == ("done", 100, fmt)
    assert (export.image_count, export.annotation_count, export.category_count) == (4, 8, 3)

    download = client.get(f"/api/v1/exports/{export.pk}/download/")
    data = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/zip"
    assert f'{project.slug}-v1-{fmt}.zip' in download["Content-Disposition"]
    assert hashlib.sha256(data).hexdigest() == export.sha256 == download["X-Checksum-SHA256"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
    assert members <= names
    per_image = {n for n in names if n.startswith(("labels/", "Annotations/"))}
    assert len(per_image) == len(tasks)

    out = tmp_path / "cmd.zip"
    call_command("export_dataset", project.slug, "--format", fmt, "--out", str(out), stderr=io.StringIO())
    assert out.read_bytes() == data
    # A second version with nothing changed has the same checksum.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": fmt}, format="json")
    assert Export.objects.get(pk=again.json()["id"]).sha256 == export.sha256
    assert again.json()["version"] == 2
