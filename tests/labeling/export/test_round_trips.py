"""Export, pass through datumaro or supervision, import as gold: the same boxes come back."""

import json
import zipfile

import pytest
import supervision as sv
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import Task
from tests.factories import api_client
from tests.labeling.export.readers import datumaro, export_to, labelled_project, quiet
from tests.labeling.export.test_export_readers import DATUMARO_PRECISION

pytestmark = pytest.mark.django_db

IMAGES = {"coco": "images/default", "yolo": "images/train", "voc": "JPEGImages"}


@pytest.fixture
def truth(project, supervisor, annotator):
    return labelled_project(project, supervisor, annotator)


def import_file(supervisor, project, raw: bytes, fmt: str, name: str = "dataset.zip"):
    response = api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/dataset-import/",
        {"file": SimpleUploadedFile(name, raw), "format": fmt, "mode": "gold"}, format="multipart")
    assert response.status_code == 200, response.json()
    return response.json()


def gold(project) -> dict[int, list[tuple]]:
    return {task.image_id: sorted((b["label"], b["x"], b["y"], b["width"], b["height"]) for b in task.gold_boxes)
            for task in Task.objects.filter(project=project, is_gold=True)}


def assert_same(found: dict, truth: dict, tolerance: float) -> None:
    assert set(found) == set(truth)
    for image_id, boxes in truth.items():
        assert [b[0] for b in found[image_id]] == [b[0] for b in boxes]
        for mine, theirs in zip(found[image_id], boxes, strict=True):
            assert mine[1:] == pytest.approx(theirs[1:], abs=tolerance), (image_id, mine, theirs)


@pytest.mark.parametrize("fmt, tolerance", [("coco", 0), ("yolo", 0.01), ("voc", 1e-6)])
def test_each_export_imports_back_as_gold_into_the_same_project(project, supervisor, truth, tmp_path,
                                                                  fmt, tolerance):
    export_to(tmp_path, project, fmt, "--include-images")
    summary = import_file(supervisor, project, (tmp_path / f"{fmt}.zip").read_bytes(), fmt)
    assert summary["images"] == 3 and summary["boxes"] == 3
    assert_same(gold(project), truth, tolerance)


@pytest.mark.parametrize("fmt, options", [
    ("coco", None), ("yolo", None), ("voc", {"coordinate_mode": "voc-one-based"}),
])
def test_export_through_datumaro_to_coco_imports_back(project, supervisor, truth, tmp_path, fmt, options):
    folder = export_to(tmp_path, project, fmt, "--include-images")
    out = tmp_path / "datumaro-coco"
    datumaro("to_coco", folder, fmt, str(out), json.dumps(options) if options else "")
    written = out / "annotations" / "instances_default.json"
    if not written.exists():  # datumaro names the file after the subset
        (written,) = (out / "annotations").glob("instances_*.json")
    import_file(supervisor, project, written.read_bytes(), "coco", "instances.json")
    assert_same(gold(project), truth, DATUMARO_PRECISION)


def _from_supervision(folder, fmt) -> sv.DetectionDataset:
    images = str(folder / IMAGES[fmt])
    if fmt == "coco":
        return sv.DetectionDataset.from_coco(
            images, str(folder / "annotations" / "instances_default.json"))
    if fmt == "yolo":
        return sv.DetectionDataset.from_yolo(images, str(folder / "labels" / "train"), str(folder / "data.yaml"))
    return sv.DetectionDataset.from_pascal_voc(images, str(folder / "Annotations"))


@pytest.mark.parametrize("fmt", ["coco", "yolo", "voc"])
def test_export_through_supervision_to_coco_imports_back(project, supervisor, truth, tmp_path, fmt):
    folder = export_to(tmp_path, project, fmt, "--include-images")
    written = tmp_path / "supervision.json"
    with quiet():
        _from_supervision(folder, fmt).as_coco(annotations_path=str(written))
    import_file(supervisor, project, written.read_bytes(), "coco", "supervision.json")
    # supervision keeps boxes as float32.
    assert_same(gold(project), truth, 1e-4 if fmt != "yolo" else 0.01)


def test_a_coco_zip_from_datumaro_imports_as_a_zip(project, supervisor, truth, tmp_path):
    folder = export_to(tmp_path, project, "coco", "--include-images")
    out = tmp_path / "dm"
    datumaro("to_coco", folder, "coco", str(out))
    packed = tmp_path / "dm.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in out.rglob("*"):
            archive.write(path, path.relative_to(out).as_posix())
    import_file(supervisor, project, packed.read_bytes(), "coco")
    assert_same(gold(project), truth, DATUMARO_PRECISION)
