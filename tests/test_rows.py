"""Instances built from hand-written SQL (config/rows.py) equal what the ORM loads."""

import pytest
from django.utils import timezone

from labeling.access import access_task
from labeling.models import Image, Task
from tests.factories import make_task

pytestmark = pytest.mark.django_db

GOLD = [{"label": "yak", "x": 10.5, "y": 10, "width": 20, "height": 20}]


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_access_task_builds_task_project_and_image_as_the_orm_does(project, supervisor):
    # given: JSON, floats, dates, booleans and file names in the rows
    task = make_task(project, is_gold=True, gold_boxes=GOLD, priority=2)
    Image.objects.filter(pk=task.image_id).update(
        derivatives=Image.Derivatives.READY, thumbnail="thumbs/t.jpg", gps_latitude=36.9, captured_at=timezone.now()
    )
    # when
    built = access_task(supervisor, task.pk, "project.view")
    # then
    orm = Task.objects.select_related("project", "image").get(pk=task.pk)
    assert _fields(built) == _fields(orm) and built.gold_boxes == GOLD and built.is_gold is True
    assert _fields(built.project) == _fields(orm.project)
    assert _fields(built.image) == _fields(orm.image) and built.image.thumbnail.name == "thumbs/t.jpg"

