"""Instances built from hand-written SQL (config/rows.py) equal what the ORM loads."""

from datetime import datetime, timezone as tz

import pytest
from django.utils import timezone

from energy.attribution import Supply
from energy.models import Site, SupplyInterval
from energy.supply import _to_supply, site_get, supply_list, supply_store
from energy.site_rows import sites_by_id
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



def test_supply_intervals_and_sites_build_as_the_orm_does():
    # given: a stored interval with JSON by source and a PUE, inside the demo site's profile
    site = site_get(None)
    start, end = datetime(2026, 6, 1, 10, tzinfo=tz.utc), datetime(2026, 6, 1, 11, tzinfo=tz.utc)
    supply_store(site=site, records=[(1, Supply(start, end, 100.0, 94.0, {"solar": 60.0, "wind": 34.0, "coal": 6.0},
                                                1.2, "measured", "csv:meter.csv"))], strict=True)
    # when
    listed = supply_list(site=site, start=start, end=end)
    sites = list(sites_by_id([site.pk]).values())
    # then
    orm = [_to_supply(r) for r in SupplyInterval.objects.filter(site=site, end__gt=start, start__lt=end)]
    assert [s for s in listed if s.quality == "measured"] == orm and orm[0].by_source_kw["wind"] == 34.0
    assert [_fields(s) for s in sites] == [_fields(Site.objects.get(pk=site.pk))]
