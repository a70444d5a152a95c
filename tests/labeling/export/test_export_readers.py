"""Each export format, loaded by the readers clients use: pycocotools, datumaro, supervision."""

import hashlib
import json
from pathlib import Path

import pytest
import supervision as sv
from PIL import Image as PILImage
from pycocotools.coco import COCO

from labeling.models import Image
from tests.labeling.export.readers import datumaro, export_to, image_sizes, labelled_project, quiet

pytestmark = pytest.mark.django_db


@pytest.fixture
def truth(project, supervisor, annotator):
    return labelled_project(project, supervisor, annotator)


def from_xyxy(x1, y1, x2, y2) -> tuple[float, float, float, float]:
    return (x1, y1, x2 - x1, y2 - y1)


# datumaro keeps box coordinates to two decimals (float32 points, rounded).
DATUMARO_PRECISION = 0.005 + 1e-6


def assert_boxes(found: dict, truth: dict, tolerance: float) -> None:
    assert set(found) == set(truth)
    for image_id, boxes in truth.items():
        got = sorted(found[image_id])
        assert [b[0] for b in got] == [b[0] for b in boxes], image_id
        for mine, theirs in zip(got, boxes, strict=True):
            assert mine[1:] == pytest.approx(theirs[1:], abs=tolerance), (image_id, mine, theirs)


def supervision_boxes(dataset: sv.DetectionDataset) -> dict[int, list[tuple]]:
    found = {}
    for path, _, detections in dataset:
        image_id = int(Path(path).stem)
        found[image_id] = [
            (dataset.classes[class_id], *from_xyxy(*map(float, xyxy)))
            for xyxy, class_id in zip(detections.xyxy, detections.class_id, strict=True)
        ]
    return found


def datumaro_boxes(items: list[dict]) -> dict[int, list[tuple]]:
    return {int(item["id"]): [(b["label"], *b["bbox"]) for b in item["boxes"]] for item in items}


def pixel_sizes(folder: Path) -> dict[int, tuple[int, int]]:
    sizes = {}
    for path in folder.iterdir():
        with PILImage.open(path) as picture:
            assert picture.getexif().get(0x0112, 1) == 1  # no orientation left to apply
            sizes[int(path.stem)] = picture.size
    return sizes


def test_coco_zip_is_detected_by_datumaro_and_loads_exactly_everywhere(project, truth, tmp_path):
    folder = export_to(tmp_path, project, "coco", "--include-images")
    annotations = folder / "annotations" / "instances_default.json"
    images = folder / "images" / "default"

    assert datumaro("detect", folder)["formats"] == ["coco_instances"]
    items = datumaro("load", folder, "coco")["items"]
    assert_boxes(datumaro_boxes(items), truth, DATUMARO_PRECISION)
    # datumaro measures the pixels: they agree with the JSON, the rotated image included.
    assert {int(i["id"]): (i["width"], i["height"]) for i in items} == image_sizes()

    with quiet():
        coco = COCO(str(annotations))
    names = {c["id"]: c["name"] for c in coco.dataset["categories"]}
    found = {image_id: [(names[a["category_id"]], *a["bbox"]) for a in coco.imgToAnns[image_id]]
             for image_id in coco.getImgIds()}
    assert_boxes(found, truth, 0)
    assert {i["id"]: (i["width"], i["height"]) for i in coco.dataset["images"]} == pixel_sizes(images)

    dataset = sv.DetectionDataset.from_coco(images_directory_path=str(images),
                                            annotations_path=str(annotations))
    assert_boxes(supervision_boxes(dataset), truth, 1e-4)  # supervision keeps float32


def test_yolo_zip_loads_in_datumaro_and_supervision_to_a_hundredth_of_a_pixel(project, truth, tmp_path):
    folder = export_to(tmp_path, project, "yolo", "--include-images")
    names = list(project.labels.order_by("order", "id").values_list("name", flat=True))
    data_yaml = (folder / "data.yaml").read_text()
    assert "train: images/train" in data_yaml and "val: images/train" in data_yaml

    assert "yolo" in datumaro("detect", folder)["formats"]
    assert_boxes(datumaro_boxes(datumaro("load", folder, "yolo")["items"]), truth, 0.01)

    dataset = sv.DetectionDataset.from_yolo(
        images_directory_path=str(folder / "images" / "train"),
        annotations_directory_path=str(folder / "labels" / "train"),
        data_yaml_path=str(folder / "data.yaml"))
    assert dataset.classes == names  # class ids in the project's label order
    assert_boxes(supervision_boxes(dataset), truth, 0.01)
    assert pixel_sizes(folder / "images" / "train") == image_sizes()


def test_voc_zip_loads_in_datumaro_and_supervision(project, truth, tmp_path):
    folder = export_to(tmp_path, project, "voc", "--include-images")

    assert "voc" in datumaro("detect", folder)["formats"]
    items = datumaro("load", folder, "voc", json.dumps({"coordinate_mode": "voc-one-based"}))["items"]
    assert_boxes(datumaro_boxes(items), truth, DATUMARO_PRECISION)

    dataset = sv.DetectionDataset.from_pascal_voc(
        images_directory_path=str(folder / "JPEGImages"),
        annotations_directory_path=str(folder / "Annotations"))
    assert_boxes(supervision_boxes(dataset), truth, 1e-4)
    assert pixel_sizes(folder / "JPEGImages") == image_sizes()


@pytest.mark.parametrize("fmt", ["yolo", "voc"])
def test_formats_without_a_place_for_extras_carry_them_in_a_sidecar(project, truth, tmp_path, fmt):
    folder = export_to(tmp_path, project, fmt)
    sidecar = json.loads((folder / "plateau.json").read_text())

    assert sidecar["info"]["plateau"]["format"] == fmt
    green = sidecar["info"]["green_computing"]
    assert green["tasks_by_basis"] == {"estimated": 0, "measured": 0, "mixed": 0, "unknown": 3}
    # The same method block as COCO's; no energy recorded, so nothing is claimed.
    assert green["methodology_version"] == "2.0" and green["totals"]["clean_share"] is None
    entries = {entry["image_id"]: entry for entry in sidecar["images"]}
    assert set(entries) == set(truth)
    for image in Image.objects.all():
        entry = entries[image.pk]
        assert entry["original_name"] == image.original_name
        assert (entry["width"], entry["height"]) == (image.width, image.height)
        assert entry["energy"]["basis"] == "unknown" and entry["status"] == "accepted"
    assert not (folder / "images").exists() and not (folder / "JPEGImages").exists()


def test_the_rotated_upload_is_upright_in_the_zip_and_untouched_in_storage(project, truth, tmp_path):
    rotated = Image.objects.get(original_name="rotated.jpg")
    before = hashlib.sha256(rotated.file.open("rb").read()).hexdigest()

    folder = export_to(tmp_path, project, "coco", "--include-images")
    document = json.loads((folder / "annotations" / "instances_default.json").read_text())
    entry = next(i for i in document["images"] if i["id"] == rotated.pk)

    with PILImage.open(folder / "images" / "default" / entry["file_name"]) as picture:
        assert picture.size == (entry["width"], entry["height"]) == (60, 80)
        # The stored top-left (red) corner sits top-right once upright, as the annotator saw it.
        upright = picture.convert("RGB")
        assert upright.getpixel((55, 4))[0] > 150 and upright.getpixel((4, 4))[0] < 100
    assert hashlib.sha256(rotated.file.open("rb").read()).hexdigest() == before == rotated.sha256
