"""Fast builders of labelled data for the export tests (bulk inserts, no image files)."""

import contextlib
import hashlib
import io
import json
import zipfile

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import Annotation, Box, Image, Task


def bulk_dataset(project, annotator, *, images: int, boxes_per_image: int = 2,
                 task_status: str = Task.Status.ACCEPTED,
                 annotation_status: str = Annotation.Status.ACCEPTED) -> list[Task]:
    """``images`` accepted tasks with ``boxes_per_image`` boxes each; files are never written."""
    labels = list(project.labels.order_by("order", "id"))
    start = Image.objects.count()
    rows = []
    for i in range(images):
        sha = hashlib.sha256(f"{project.pk}-{start + i}".encode()).hexdigest()
        rows.append(Image(project=project, file=f"images/{project.pk}/{sha[:2]}/{sha}.jpg",
                          original_name=f"DJI_{start + i:05d}.JPG", format="JPEG", width=4000,
                          height=3000, sha256=sha, byte_size=1000,
                          gps_latitude=36.9 if i % 2 else None,
                          gps_longitude=100.1 if i % 2 else None, gps_altitude=3200.0))
    created = Image.objects.bulk_create(rows)
    tasks = Task.objects.bulk_create(
        [Task(project=project, image=image, status=task_status) for image in created])
    annotations = Annotation.objects.bulk_create(
        [Annotation(task=task, annotator=annotator, status=annotation_status, version=1)
         for task in tasks])
    Box.objects.bulk_create(
        [Box(annotation=a, label=labels[(k + j) % len(labels)], x=10.5 + j * 100, y=20.25 + j,
             width=30.0 + j, height=12.5)
         for k, a in enumerate(annotations) for j in range(boxes_per_image)])
    return tasks


def write_json(tmp_path, data: bytes, name: str = "coco.json") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def json_from_zip(data: bytes) -> tuple[dict, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("annotations/instances_default.json")), archive.namelist()


def load(tmp_path, data: bytes) -> COCO:
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(write_json(tmp_path, data))


def self_eval_ap(coco: COCO) -> float:
    detections = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
        for a in coco.dataset["annotations"]
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        evaluation = COCOeval(coco, coco.loadRes(detections), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation.stats[0]


def coco_for(tasks, boxes_per_task=1):
    """A small, valid COCO file for the tasks' images (names as uploaded)."""
    images, annotations = [], []
    for n, task in enumerate(tasks, start=1):
        images.append({"id": n, "file_name": task.image.original_name,
                       "width": task.image.width, "height": task.image.height})
        for k in range(boxes_per_task):
            annotations.append({"id": len(annotations) + 1, "image_id": n, "category_id": 1 + k % 2,
                                "bbox": [10 + k, 20.5, 30.25, 12], "area": 363.0, "iscrowd": 0})
    return {"images": images, "annotations": annotations,
            "categories": [{"id": 1, "name": "yak"}, {"id": 2, "name": "snow_leopard"}]}


def upload(client, project, document, mode="pre_annotations"):
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(f"/api/v1/projects/{project.pk}/coco-import/",
                       {"file": SimpleUploadedFile("coco.json", raw, "application/json"), "mode": mode},
                       format="multipart")


def snapshot(project):
    from labeling.models import Prediction

    return (list(Task.objects.filter(project=project).order_by("id").values_list("id", "gold_boxes", "is_gold")),
            list(Prediction.objects.filter(task__project=project).order_by("id")
                 .values_list("id", "task_id", "model_version", "boxes")))


def predicted(task):
    """The boxes of the task's newest prediction."""
    from labeling.models import Prediction

    return Prediction.objects.filter(task=task).order_by("-created_at", "-id").first().boxes
