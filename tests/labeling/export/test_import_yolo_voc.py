"""YOLO and VOC zips: bad lines, bad XML and hostile archives refused whole, with their 4xx."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import Task
from tests.factories import api_client
from tests.labeling.export.readers import export_to, labelled_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(project, supervisor, annotator, tmp_path):
    labelled_project(project, supervisor, annotator)
    return {fmt: (tmp_path / f"{fmt}.zip").read_bytes()
            for fmt in ("yolo", "voc") if export_to(tmp_path, project, fmt)}


def post(supervisor, project, raw: bytes, fmt: str):
    return api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/dataset-import/",
        {"file": SimpleUploadedFile("set.zip", raw), "format": fmt, "mode": "gold"}, format="multipart")


def edited(raw: bytes, change, extra: dict[str, bytes] | None = None) -> bytes:
    """The zip with each member's bytes passed through ``change(name, data)`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def first_label(name: str, data: bytes, line: bytes) -> bytes:
    return line if name.endswith(".txt") and data else data


def nothing_gold(project) -> bool:
    return not Task.objects.filter(project=project, is_gold=True).exists()


YOLO_BAD = [
    ("unknown_class", lambda n, d: first_label(n, d, b"7 0.5 0.5 0.1 0.1\n")),
    ("bad_line", lambda n, d: first_label(n, d, b"0 0.5 0.5 0.1\n")),
    ("string_not_number", lambda n, d: first_label(n, d, b"0 0.5 half 0.1 0.1\n")),
    ("not_finite", lambda n, d: first_label(n, d, b"0 nan 0.5 0.1 0.1\n")),
    ("not_normalized", lambda n, d: first_label(n, d, b"0 25 30 10 10\n")),
    ("bbox_outside_image", lambda n, d: first_label(n, d, b"0 0.99 0.5 0.2 0.1\n")),
]


def test_a_label_file_for_an_unknown_image_is_refused(project, supervisor, exported):
    raw = edited(exported["yolo"], lambda n, d: d, {"labels/train/DJI_9999.txt": b"0 0.5 0.5 0.1 0.1\n"})
    response = post(supervisor, project, raw, "yolo")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "labels/train/DJI_9999.txt", "code": "unknown_image",
                                          "message": "No image of the project is named 'DJI_9999'."}]
    assert nothing_gold(project)


def test_a_yolo_zip_without_class_names_is_not_yolo(project, supervisor, exported):
    raw = edited(exported["yolo"], lambda n, d: None if n == "data.yaml" else d)
    response = post(supervisor, project, raw, "yolo")
    assert response.status_code == 400 and response.json()["code"] == "not_yolo"


def test_a_yaml_bomb_is_refused(project, supervisor, exported):
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nnames: *b\n"
    raw = edited(exported["yolo"], lambda n, d: bomb if n == "data.yaml" else d)
    response = post(supervisor, project, raw, "yolo")
    assert response.status_code == 400 and response.json()["code"] == "not_yolo"


def voc_change(old: bytes, new: bytes):
    return lambda n, d: d.replace(old, new, 1) if n.endswith(".xml") and old in d else d


VOC_BAD = [
    ("unknown_category", voc_change(b"<name>yak</name>", b"<name>tent</name>")),
    ("string_not_number", voc_change(b"<xmin>11.25</xmin>", b"<xmin>eleven</xmin>")),
    ("not_finite", voc_change(b"<xmin>11.25</xmin>", b"<xmin>inf</xmin>")),
    ("bbox_outside_image", voc_change(b"<xmax>79.5</xmax>", b"<xmax>279.5</xmax>")),
    ("size_mismatch", voc_change(b"<width>80</width>", b"<width>81</width>")),
    ("bad_xml", voc_change(b"</annotation>", b"")),
    ("bad_xml", voc_change(b'<?xml version="1.0" encoding="utf-8"?>',
                           b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]>')),
    ("unknown_image", voc_change(b"<filename>", b"<filename>elsewhere-")),
]


BAD = [("yolo", code, change) for code, change in YOLO_BAD] + [("voc", code, change) for code, change in VOC_BAD]


@pytest.mark.parametrize("fmt, code, change", BAD, ids=[f"{f}-{c}-{i}" for i, (f, c, _) in enumerate(BAD)])
def test_bad_yolo_and_voc_files_are_refused_whole(project, supervisor, exported, fmt, code, change):
    response = post(supervisor, project, edited(exported[fmt], change), fmt)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == f"{fmt}_invalid" and code in {e["code"] for e in body["errors"]}, body
    assert nothing_gold(project)


@pytest.mark.parametrize("fmt", ["yolo", "voc"])
def test_not_a_zip_or_a_lying_zip_is_refused(project, supervisor, exported, fmt):
    assert post(supervisor, project, b'{"images": []}', fmt).json()["code"] == f"not_{fmt}"
    assert post(supervisor, project, b"PK\x03\x04 broken", fmt).json()["code"] == f"not_{fmt}"


def test_a_zip_unpacking_past_the_limit_is_413(project, supervisor, exported, settings):
    settings.COCO_IMPORT_MAX_BYTES = 200_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.yaml", "names: [yak]\n")
        archive.writestr("labels/train/big.txt", b"0 0.5 0.5 0.1 0.1\n" * 20_000)
    response = post(supervisor, project, out.getvalue(), "yolo")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
