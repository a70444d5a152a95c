"""A labelled project made the way users make one, and the real readers' view of its exports."""

import contextlib
import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from labeling.models import Annotation, Box, Image, Task
from tests.datumaro_env import run_datumaro
from tests.factories import api_client
from tests.labeling.ingest.samples import encoded, jpeg_bytes

PROBE = Path(__file__).with_name("datumaro_probe.py")

# (uploaded name, bytes, boxes as (label, x, y, width, height) on the upright picture)
UPLOADS = [
    ("DJI_0001.JPG", jpeg_bytes(80, 60, color=(10, 120, 60)),
     [("yak", 10.25, 5.5, 20.75, 12.125), ("snow_leopard", 40.0, 30.0, 39.5, 29.75)]),
    # Stored 80x60 with EXIF orientation 6: upright (and annotated) it is 60x80.
    ("rotated.jpg", jpeg_bytes(80, 60, color=(30, 30, 200), orientation=6),
     [("tibetan_antelope", 3.125, 50.5, 12.0, 20.25)]),
    ("shore.png", encoded("PNG", 50, 40), []),
]


def labelled_project(project, supervisor, annotator) -> dict[int, list[tuple]]:
    """Upload the images, accept one annotation each; return {image id: boxes}."""
    files = [SimpleUploadedFile(name, data) for name, data, _ in UPLOADS]
    response = api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/images/", {"files": files}, format="multipart")
    assert response.status_code == 200, response.json()
    labels = {label.name: label for label in project.labels.all()}
    truth = {}
    for (name, _, boxes), result in zip(UPLOADS, response.json(), strict=True):
        task = Task.objects.get(pk=result["task_id"])
        Task.objects.filter(pk=task.pk).update(status=Task.Status.ACCEPTED)
        annotation = Annotation.objects.create(task=task, annotator=annotator,
                                               status=Annotation.Status.ACCEPTED)
        for label, x, y, w, h in boxes:
            Box.objects.create(annotation=annotation, label=labels[label], x=x, y=y, width=w, height=h)
        truth[task.image_id] = sorted(boxes)
    return truth


def export_to(tmp_path, project, fmt: str, *flags: str) -> Path:
    """``manage.py export_dataset`` into a zip, unpacked; return the folder."""
    out = tmp_path / f"{fmt}.zip"
    call_command("export_dataset", project.slug, "--format", fmt, "--out", str(out), *flags,
                 stderr=io.StringIO())
    folder = tmp_path / fmt
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    return folder


def datumaro(command: str, path, *args: str) -> dict:
    return run_datumaro(PROBE, command, str(path), *args)


def image_sizes() -> dict[int, tuple[int, int]]:
    return {pk: (w, h) for pk, w, h in Image.objects.values_list("id", "width", "height")}


def quiet():
    return contextlib.redirect_stdout(io.StringIO())
