"""The streaming exporter: what pycocotools and COCOeval see, which boxes, how many queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from labeling.export.coco import coco_chunks
from labeling.models import Annotation, Box, Review, Task
from tests.factories import add_member, make_user
from tests.labeling.export.helpers import bulk_dataset, load, self_eval_ap

pytestmark = pytest.mark.django_db


def export_bytes(project, **options) -> bytes:
    return "".join(coco_chunks(project=project, **options)).encode("utf-8")


def test_export_loads_in_pycocotools_and_scores_ap_1_against_itself(project, annotator, tmp_path):
    tasks = bulk_dataset(project, annotator, images=6, boxes_per_image=3)
    empty = bulk_dataset(project, annotator, images=1, boxes_per_image=0)[0]

    coco = load(tmp_path, export_bytes(project))

    assert sorted(coco.getImgIds()) == sorted(t.image_id for t in [*tasks, empty])
    assert len(coco.getAnnIds()) == 18
    assert min(coco.getAnnIds()) >= 1 and min(coco.getImgIds()) >= 1
    assert sorted(coco.getCatIds()) == sorted(project.labels.values_list("id", flat=True))
    assert coco.getAnnIds(imgIds=[empty.image_id]) == []  # kept, with no boxes
    assert self_eval_ap(coco) == pytest.approx(1.0)


def test_core_fields_and_namespaced_extras(project, annotator, tmp_path):
    task = bulk_dataset(project, annotator, images=2, boxes_per_image=1)[1]
    data = json.loads(export_bytes(project))

    assert set(data) == {"info", "licenses", "categories", "images", "annotations"}
    assert data["licenses"][0]["id"] == 1
    assert {"year", "version", "description", "contributor", "url", "date_created"} <= set(data["info"])
    assert data["info"]["green_computing"]["tasks_by_basis"]["unknown"] == 2
    image = next(i for i in data["images"] if i["id"] == task.image_id)
    assert image["file_name"] == f"{task.image_id}.jpg"
    assert (image["width"], image["height"]) == (4000, 3000)
    assert image["gps"] == {"lat": 36.9, "lon": 100.1, "alt": 3200.0}
    assert image["energy"]["basis"] == "unknown"
    assert image["plateau"] == {"task_id": task.pk, "status": "accepted",
                                "annotators": ["annotator"], "original_name": task.image.original_name}
    box = Box.objects.get(annotation__task=task)
    (annotation,) = [a for a in data["annotations"] if a["image_id"] == task.image_id]
    assert annotation == {
        "id": box.pk, "image_id": task.image_id, "category_id": box.label_id,
        "bbox": [round(v, 3) for v in (box.x, box.y, box.width, box.height)],
        "area": round(round(box.width, 3) * round(box.height, 3), 3),
        "iscrowd": 0, "segmentation": [],
        "plateau": {"annotator": "annotator", "review_status": "accepted"},
    }
    assert {c["name"] for c in data["categories"]} == {"yak", "snow_leopard", "tibetan_antelope"}
    assert all(c["supercategory"] for c in data["categories"])


def test_coordinates_carry_no_float_noise(project, annotator):
    task = bulk_dataset(project, annotator, images=1, boxes_per_image=1)[0]
    Box.objects.filter(annotation__task=task).update(x=36.844900000000266, y=0.1 + 0.2, width=10.0004999, height=3.3333)

    raw = export_bytes(project).decode()

    assert '"bbox":[36.845,0.3,10.0,3.333],"area":33.33,' in raw
    assert "000000" not in raw.split('"annotations"')[1]


def test_zero_based_categories_follow_label_order_and_still_evaluate(project, annotator, tmp_path):
    bulk_dataset(project, annotator, images=4, boxes_per_image=3)
    labels = list(project.labels.order_by("order", "id"))

    coco = load(tmp_path, export_bytes(project, zero_based_categories=True))

    assert [(c["id"], c["name"]) for c in coco.dataset["categories"]] == [
        (i, label.name) for i, label in enumerate(labels)]
    assert {a["category_id"] for a in coco.dataset["annotations"]} == {0, 1, 2}
    assert self_eval_ap(coco) == pytest.approx(1.0)


@pytest.mark.parametrize("selection", ["accepted", "submitted", "all"])
@pytest.mark.parametrize("zero_based", [False, True])
def test_every_selection_and_id_scheme_evaluates_to_ap_1(project, annotator, tmp_path, selection, zero_based):
    bulk_dataset(project, annotator, images=3, boxes_per_image=2)
    bulk_dataset(project, annotator, images=2, boxes_per_image=2, task_status=Task.Status.REVIEW,
                 annotation_status=Annotation.Status.SUBMITTED)
    bulk_dataset(project, annotator, images=1, boxes_per_image=0, task_status=Task.Status.OPEN,
                 annotation_status=Annotation.Status.DRAFT)

    coco = load(tmp_path, export_bytes(project, selection=selection, zero_based_categories=zero_based))

    expected = {"accepted": (3, 6), "submitted": (5, 10), "all": (6, 10)}[selection]
    assert (len(coco.getImgIds()), len(coco.getAnnIds())) == expected
    assert self_eval_ap(coco) == pytest.approx(1.0)


def test_selection_picks_tasks_and_one_annotation_per_task(project, annotator):
    accepted = bulk_dataset(project, annotator, images=1, boxes_per_image=1)[0]
    submitted = bulk_dataset(project, annotator, images=1, boxes_per_image=1,
                             task_status=Task.Status.REVIEW,
                             annotation_status=Annotation.Status.SUBMITTED)[0]
    open_task = bulk_dataset(project, annotator, images=1, boxes_per_image=1,
                             task_status=Task.Status.OPEN,
                             annotation_status=Annotation.Status.DRAFT)[0]
    # A second annotator on the accepted task, whose work a supervisor fixed: it wins.
    second = make_user("second")
    add_member(project, second, Role.ANNOTATOR)
    fixed = Annotation.objects.create(task=accepted, annotator=second, status="accepted")
    fixed_box = Box.objects.create(annotation=fixed, label=project.labels.first(), x=1, y=2, width=3, height=4)
    supervisor = make_user("boss")
    Review.objects.create(task=accepted, annotation=fixed, reviewer=supervisor, decision="fix")

    def image_ids(selection):
        data = json.loads(export_bytes(project, selection=selection))
        return {i["id"] for i in data["images"]}, data

    ids, data = image_ids("accepted")
    assert ids == {accepted.image_id}
    assert [a["id"] for a in data["annotations"]] == [fixed_box.pk]
    assert data["annotations"][0]["plateau"] == {"annotator": "second", "review_status": "fixed"}
    assert data["images"][0]["plateau"]["annotators"] == ["annotator", "second"]
    assert image_ids("submitted")[0] == {accepted.image_id, submitted.image_id}
    ids, data = image_ids("all")
    assert ids == {accepted.image_id, submitted.image_id, open_task.image_id}
    # A draft is never a label: the open task's image is there, without boxes.
    assert not [a for a in data["annotations"] if a["image_id"] == open_task.image_id]


def test_same_data_gives_the_same_bytes_and_date_comes_from_the_data(project, annotator):
    bulk_dataset(project, annotator, images=3)
    first = export_bytes(project)
    assert export_bytes(project) == first
    newest = Annotation.objects.order_by("-updated_at").first().updated_at
    assert json.loads(first)["info"]["date_created"][:19] == newest.astimezone(
        __import__("datetime").timezone.utc).isoformat()[:19]


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_batching_does_not_change_the_bytes(project, annotator, batch):
    bulk_dataset(project, annotator, images=7, boxes_per_image=2)
    expected = export_bytes(project)
    assert export_bytes(project, batch_size=batch) == expected


def test_query_count_is_the_same_for_10_and_1000_images(project, annotator, other_project):
    other_annotator = make_user("other_annotator")
    bulk_dataset(project, annotator, images=10, boxes_per_image=3)
    bulk_dataset(other_project, other_annotator, images=1000, boxes_per_image=3)

    counts = []
    for p in (project, other_project):
        with CaptureQueriesContext(connection) as queries:
            data = export_bytes(p, batch_size=1000)
        counts.append(len(queries))
        assert len(json.loads(data)["images"]) in (10, 1000)
    assert counts[0] == counts[1]


def test_query_count_is_fixed_with_django_assert_num_queries(project, annotator, django_assert_num_queries):
    bulk_dataset(project, annotator, images=10, boxes_per_image=3)
    with CaptureQueriesContext(connection) as baseline:
        export_bytes(project, batch_size=1000)
    bulk_dataset(project, annotator, images=990, boxes_per_image=3)
    with django_assert_num_queries(len(baseline)):
        data = export_bytes(project, batch_size=1000)
    assert len(json.loads(data)["images"]) == 1000


def test_hand_built_rows_are_exactly_what_json_dumps_writes(project, tmp_path):
    """Odd names, unicode, quotes, missing GPS, a capture time: still canonical, compact JSON."""
    from datetime import datetime, timezone

    from labeling.models import Image

    herder = make_user("卓玛 \"herder\"")
    tasks = bulk_dataset(project, herder, images=3, boxes_per_image=2)
    Image.objects.filter(pk=tasks[0].image_id).update(
        original_name='牦牛 "yak" \\ 01.JPG', captured_at=datetime(2026, 7, 1, 5, 30, tzinfo=timezone.utc),
        gps_altitude=None)
    Image.objects.filter(pk=tasks[1].image_id).update(file=f"images/{project.pk}/x/odd.t\"if")

    data = export_bytes(project)

    canonical = json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert data.decode("utf-8") == canonical
    document = json.loads(data)
    first = next(i for i in document["images"] if i["id"] == tasks[0].image_id)
    assert first["captured_at"] == first["date_captured"] == "2026-07-01T05:30:00Z"
    assert first["plateau"]["original_name"] == '牦牛 "yak" \\ 01.JPG'
    assert first["gps"] is None or first["gps"]["alt"] is None
    assert load(tmp_path, data).getImgIds()


def _planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('cursor_tuple_fraction'), current_setting('work_mem')")
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_the_session_gets_its_planner_settings_back_after_an_export(project, annotator):
    """The export plans its cursors for whole results with more work_mem; the connection is shared."""
    bulk_dataset(project, annotator, images=3, boxes_per_image=2)
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '5MB'")
    before = _planner_settings()
    assert before == ("0.1", "5MB")

    data = json.loads(export_bytes(project, batch_size=2))

    assert len(data["annotations"]) == 6
    assert _planner_settings() == before
