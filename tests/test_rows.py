"""Instances built from hand-written SQL (config/rows.py) equal what the ORM loads."""

from datetime import datetime, timezone as tz

import pytest
from django.db import DataError, connection, transaction
from django.utils import timezone

from energy.attribution import Supply
from energy.models import Site, SupplyInterval
from energy.supply import _to_supply, site_get, supply_list, supply_store
from energy.site_rows import sites_by_id
from config.rows import fetchall, fetchone, insert_defaults, insert_select
from labeling.access import access_task
from labeling.models import Image, Membership, Task
from tests.factories import make_project, make_task, make_user

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


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_fixed_sql_is_prepared_once_per_connection_and_again_after_a_reconnect():
    sql = "SELECT %(a)s::int + %(b)s::int, %(a)s::int * 2, 'fifty %%'"
    assert fetchone(sql, {"a": 20, "b": 1}) == (21, 40, "fifty %")
    prepared = _prepared_names()
    assert fetchone(sql, {"a": 3, "b": 4}) == (7, 6, "fifty %")
    assert _prepared_names() == prepared  # executed, not prepared again
    connection.close()
    assert fetchall("SELECT %s::int + 1 UNION ALL SELECT %s::int", [1, 5]) == [(2,), (5,)]
    assert fetchone(sql, {"a": 1, "b": 1}) == (2, 2, "fifty %")  # a new session prepares again


def test_a_statement_takes_one_kind_of_placeholder():
    with pytest.raises(ValueError):
        fetchone("SELECT %s::int, %(a)s::int", {"a": 1})


def test_insert_select_casts_do_not_cut_a_too_long_text():
    # A cast to varchar(n) would silently cut the value; the insert must refuse it.
    columns, select = insert_select(Membership, "m", {})
    user, project = make_user(), make_project()
    params = {**insert_defaults(Membership, "m", set()), "m_user_id": user.pk, "m_project_id": project.pk,
              "m_role": "x" * 500}
    with pytest.raises(DataError), transaction.atomic():
        fetchone(f"INSERT INTO {Membership._meta.db_table} ({columns}) SELECT {select} RETURNING id", params)
    assert not Membership.objects.filter(user=user).exists()


def test_prepared_statements_can_be_turned_off(settings):
    settings.DB_PREPARED_STATEMENTS = False
    sql = "SELECT %(a)s::int * 3, 'off %%'"
    assert fetchone(sql, {"a": 5}) == (15, "off %")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%off %%%"])
        assert cursor.fetchone() == (0,)
