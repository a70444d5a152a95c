"""COCO import: pre-annotations and gold, the bad-input list, all or nothing, round trips."""

import copy
import io
import json

import pytest
from django.core.management import call_command

from labeling.export.coco import coco_chunks
from labeling.models import Annotation, Box, Task
from tests.factories import api_client, make_project
from tests.labeling.export.helpers import bulk_dataset, coco_for, predicted, snapshot, upload

pytestmark = pytest.mark.django_db


def test_import_as_pre_annotations(project, supervisor, tasks):
    response = upload(api_client(supervisor), project, coco_for(tasks, boxes_per_task=2))
    assert response.status_code == 200, response.json()
    assert response.json()["images"] == 3 and response.json()["boxes"] == 6
    task = Task.objects.get(pk=tasks[0].pk)
    assert predicted(task) == [
        {"label": "yak", "x": 10.0, "y": 20.5, "width": 30.25, "height": 12.0},
        {"label": "snow_leopard", "x": 11.0, "y": 20.5, "width": 30.25, "height": 12.0},
    ]
    assert not task.is_gold and task.gold_boxes == []


def test_import_as_gold_marks_tasks_gold(project, supervisor, tasks):
    document = coco_for(tasks)
    document["images"][2]["file_name"] = f"some/dir/{tasks[2].image.original_name}"  # matched by basename
    assert upload(api_client(supervisor), project, document, mode="gold").status_code == 200
    for task in Task.objects.filter(pk__in=[t.pk for t in tasks]):
        assert task.is_gold and len(task.gold_boxes) == 1


def _bad(mutate):
    def make(tasks):
        document = coco_for(tasks)
        mutate(document, tasks)
        return document
    return make


BAD_ITEMS = [
    ("bbox_outside_image", _bad(lambda d, t: d["annotations"][0].update(bbox=[630, 10, 20, 10]))),
    ("missing_category", _bad(lambda d, t: d["annotations"][0].update(category_id=7))),
    ("unknown_category", _bad(lambda d, t: d["categories"][0].update(name="tent"))),
    ("non_positive_size", _bad(lambda d, t: d["annotations"][0].update(bbox=[10, 10, -5, 10]))),
    ("bad_bbox", _bad(lambda d, t: d["annotations"][0].update(bbox=[10, 10, 5]))),
    ("duplicate_annotation_id", _bad(lambda d, t: d["annotations"][1].update(id=1))),
    ("duplicate_image_id", _bad(lambda d, t: d["images"].append(dict(d["images"][0])))),
    ("duplicate_category_id", _bad(lambda d, t: d["categories"][1].update(id=1))),
    ("size_mismatch", _bad(lambda d, t: d["images"][0].update(width=480, height=640))),
    ("unknown_image", _bad(lambda d, t: d["images"][0].update(file_name="elsewhere.jpg"))),
    ("unknown_image_id", _bad(lambda d, t: d["annotations"][0].update(image_id=99))),
]


@pytest.mark.parametrize("code, make", BAD_ITEMS, ids=[c for c, _ in BAD_ITEMS])
def test_bad_items_are_listed_and_nothing_changes(project, supervisor, tasks, code, make):
    before = snapshot(project)
    response = upload(api_client(supervisor), project, make(tasks), mode="gold")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "coco_invalid" and "nothing was imported" in body["detail"]
    assert code in {e["code"] for e in body["errors"]}, body
    assert all({"path", "code", "message"} <= set(e) for e in body["errors"])
    assert snapshot(project) == before


@pytest.mark.parametrize("raw", [
    b"\x89PNG\r\n\x1a\n not json", b"[1, 2, 3]", b'"coco"', b'{"images": 3}',
    b'{"images": [], "annotations": [], "categories": [1]}', b'{"type": "FeatureCollection"}',
])
def test_a_file_that_is_not_coco_is_refused_whole(project, supervisor, tasks, raw):
    before = snapshot(project)
    response = upload(api_client(supervisor), project, raw)
    assert response.status_code == 400 and response.json()["code"] == "not_coco"
    assert snapshot(project) == before


def test_oversized_uploads_get_413_before_anything_changes(project, supervisor, tasks, settings):
    settings.COCO_IMPORT_MAX_BYTES = 200
    before = snapshot(project)
    response = upload(api_client(supervisor), project, coco_for(tasks, boxes_per_task=3))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    # A body announcing 2 GB is refused on its Content-Length, unread.
    settings.COCO_IMPORT_MAX_BYTES = 50 * 1024 * 1024
    client = api_client(supervisor)
    response = client.post(f"/api/v1/projects/{project.pk}/coco-import/", b"x" * 10,
                           content_type="multipart/form-data; boundary=zzz",
                           CONTENT_LENGTH=str(2 * 1024**3))
    assert response.status_code == 413
    assert snapshot(project) == before


def test_only_supervisors_import(project, tasks, client_user, annotator, other_client, admin_user):
    document = coco_for(tasks)
    assert upload(api_client(client_user), project, document).status_code == 403
    assert upload(api_client(annotator), project, document).status_code == 403
    assert upload(api_client(other_client), project, document).status_code == 404
    assert upload(api_client(admin_user), project, document).status_code == 200


def test_bad_mode_and_missing_file(project, supervisor, tasks):
    client = api_client(supervisor)
    assert upload(client, project, coco_for(tasks), mode="truth").status_code == 400
    response = client.post(f"/api/v1/projects/{project.pk}/coco-import/", {"mode": "gold"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]


def exported(project, **options) -> dict:
    return json.loads("".join(coco_chunks(project=project, **options)))


def boxes_by_name(document) -> set:
    names = {i["id"]: i["plateau"]["original_name"] for i in document["images"]}
    labels = {c["id"]: c["name"] for c in document["categories"]}
    return {(names[a["image_id"]], labels[a["category_id"]], *a["bbox"]) for a in document["annotations"]}


def test_round_trip_export_then_import_as_gold_reproduces_the_boxes(project, annotator, supervisor):
    """Our export imports into another project holding the same images: gold equals the export."""
    bulk_dataset(project, annotator, images=4, boxes_per_image=3)
    document = exported(project)
    copy_project = make_project("Copy")
    for image in project.images.all():
        clone = copy.copy(image)
        clone.pk, clone.id, clone.project = None, None, copy_project
        clone.save()
        Task.objects.create(project=copy_project, image=clone)
    from accounts.roles import Role
    from tests.factories import add_member

    add_member(copy_project, supervisor, Role.SUPERVISOR)

    response = upload(api_client(supervisor), copy_project, document, mode="gold")

    assert response.status_code == 200, response.json()
    gold = {(t.image.original_name, b["label"], b["x"], b["y"], b["width"], b["height"])
            for t in Task.objects.filter(project=copy_project).select_related("image") for b in t.gold_boxes}
    assert gold == boxes_by_name(document) and len(gold) == 12


def test_round_trip_import_pre_annotations_accepted_unchanged_exports_the_same_boxes(
        project, supervisor, annotator, tasks):
    """Documented route: annotators submit the pre-annotations unchanged, a supervisor accepts."""
    document = coco_for(tasks, boxes_per_task=2)
    assert upload(api_client(supervisor), project, document).status_code == 200
    labels = {label.name: label for label in project.labels.all()}
    for task in Task.objects.filter(project=project):
        annotation = Annotation.objects.create(task=task, annotator=annotator, status="accepted")
        Box.objects.bulk_create([Box(annotation=annotation, label=labels[b["label"]], x=b["x"], y=b["y"],
                                     width=b["width"], height=b["height"]) for b in predicted(task)])
        task.status = "accepted"
        task.save()
    names = {i["id"]: i["file_name"] for i in document["images"]}
    cats = {c["id"]: c["name"] for c in document["categories"]}
    original = {(names[a["image_id"]], cats[a["category_id"]], *map(float, a["bbox"]))
                for a in document["annotations"]}
    assert boxes_by_name(exported(project)) == original


def test_import_command(project, tasks, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(coco_for(tasks)))
    out = io.StringIO()
    call_command("import_coco", project.slug, str(path), "--mode", "gold", stdout=out)
    assert "3 images, 3 boxes" in out.getvalue()
    bad = coco_for(tasks)
    bad["annotations"][0]["bbox"] = [0, 0, 1000, 1000]
    path.write_text(json.dumps(bad))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bbox_outside_image"):
        call_command("import_coco", project.slug, str(path), "--mode", "gold")
