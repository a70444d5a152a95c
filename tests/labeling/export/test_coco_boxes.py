"""The boxes' JSON written by PostgreSQL: the same bytes as Python's ``round`` and ``repr``."""

import json
import random

import pytest
from django.db import connection

from labeling.export.coco import coco_chunks
from labeling.export.coco_boxes import box_text
from labeling.models import Box, Task
from tests.factories import make_user
from tests.labeling.export.helpers import bulk_dataset

pytestmark = pytest.mark.django_db

# Ties at the third decimal where x * 1000 in floats lands on the other side of
# the half (0.0025 * 1000 == 2.5 exactly, but 0.0025 is a little more than that:
# Python rounds it up), values past the range the database writes itself, -0.0,
# tiny values, and ordinary noise.
ODD_VALUES = [0.0025, 0.0055, 1.0005, 2.675, 0.0625, 0.0, -0.0, 1e-9, 0.0004999, 0.0005001,
              99_999_999.9994, 100_000_000.25, 3.0e9, 36.844900000000266, 0.1 + 0.2, 10.0004999, 5472.0]


def annotations_text(project) -> str:
    raw = "".join(coco_chunks(project=project))
    return raw[raw.index('"annotations":['):]


def python_bytes(box: Box, image_id: int) -> str:
    """What the exporter wrote for a box before the database wrote them: ``round`` and ``repr``."""
    w, h = round(box.width, 3), round(box.height, 3)
    return (f'{{"id":{box.pk},"image_id":{image_id},"category_id":{box.label_id},"bbox":['
            f'{round(box.x, 3)!r},{round(box.y, 3)!r},{w!r},{h!r}],"area":{round(w * h, 3)!r},')


def test_odd_and_random_coordinates_give_pythons_bytes(project, annotator):
    tasks = bulk_dataset(project, annotator, images=40, boxes_per_image=5)
    rng = random.Random(7)
    boxes = list(Box.objects.filter(annotation__task__in=tasks).order_by("id"))

    def pick(odd: bool) -> float:
        return rng.choice(ODD_VALUES) if odd else round(rng.uniform(0, 6000), rng.randint(0, 5))

    for i, box in enumerate(boxes):
        box.x, box.y = pick(i % 2 == 1), pick(i % 3 == 1)
        # Widths and heights stay positive (a check constraint).
        box.width, box.height = max(pick(i % 2 == 1), 1e-4), max(pick(i % 5 == 1), 1e-4)
    Box.objects.bulk_update(boxes, ["x", "y", "width", "height"])
    image_of = dict(Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("pk", "image_id"))

    text = annotations_text(project)

    for box in Box.objects.filter(annotation__task__in=tasks).select_related("annotation"):
        assert python_bytes(box, image_of[box.annotation.task_id]) in text


def test_each_box_gets_its_annotations_review_part(project, annotator):
    other = make_user("卓玛 \"herder\"")
    bulk_dataset(project, annotator, images=2, boxes_per_image=3)
    bulk_dataset(project, other, images=1, boxes_per_image=2)

    data = json.loads("".join(coco_chunks(project=project)))

    assert len(data["annotations"]) == 8
    assert sorted(a["plateau"]["annotator"] for a in data["annotations"]) == ["annotator"] * 6 + ['卓玛 "herder"'] * 2
    assert all(a["iscrowd"] == 0 and a["segmentation"] == [] for a in data["annotations"])
    assert [a["id"] for a in data["annotations"]] == sorted(a["id"] for a in data["annotations"])


def test_negative_zero_is_written_as_python_writes_it(project, annotator):
    """Django's parameters lose the sign of -0.0 (a numeric literal); a float8 '-0' keeps it."""
    task = bulk_dataset(project, annotator, images=1, boxes_per_image=1)[0]
    box = Box.objects.get(annotation__task=task)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Box._meta.db_table} SET x = '-0'::float8 WHERE id = %s", [box.pk])
    box.refresh_from_db()
    assert str(box.x) == "-0.0"

    assert f'"bbox":[-0.0,{box.y!r},' in annotations_text(project)


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_a_coordinate_that_is_not_a_number_still_stops_the_export(project, annotator, value):
    task = bulk_dataset(project, annotator, images=1, boxes_per_image=1)[0]
    box = Box.objects.get(annotation__task=task)
    Box.objects.filter(pk=box.pk).update(width=value)

    with pytest.raises(ValueError, match=f"box {box.pk} has a coordinate that is not a finite number"):
        annotations_text(project)


def test_python_writer_of_gold_and_left_over_boxes():
    assert box_text(7, 3, 1, 0.0025, 1.0, 2.0, 0.5) == (
        '{"id":7,"image_id":3,"category_id":1,"bbox":[0.003,1.0,2.0,0.5],"area":1.0\x01')
