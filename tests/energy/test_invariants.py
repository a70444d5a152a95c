"""Database constraints, PUE applied exactly once, scheduler properties, task registration."""

from datetime import datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings as hsettings, strategies as st

from energy.models import LedgerEntry, SupplyInterval
from energy.scheduling import Forecast, Point, plan_start
from energy.services import energy_record_usage, task_energy_tags
from energy.supply import site_get

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 7, 1, 10, tzinfo=CST)


@pytest.mark.django_db
@pytest.mark.parametrize("model, fields", [
    (SupplyInterval, dict(start=T0, end=T0, total_kw=1, clean_kw=1, provider="x", quality="measured")),
    (SupplyInterval, dict(start=T0, end=T0 + timedelta(hours=1), total_kw=1, clean_kw=2, provider="x", quality="measured")),
    (SupplyInterval, dict(start=T0, end=T0 + timedelta(hours=1), total_kw=-1, clean_kw=0, provider="x", quality="measured")),
    (LedgerEntry, dict(consumer="workstation", project_id=1, start=T0, end=T0, it_kwh=1, kwh=1.15, pue_applied=1.15, method="m")),
    (LedgerEntry, dict(consumer="server", project_id=1, start=T0, end=T0, it_kwh=-1, kwh=-1, method="m")),
])
def test_database_refuses_inconsistent_rows(model, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(site=site_get(None), **fields)


@pytest.mark.django_db
def test_metered_server_energy_gets_pue_once(project):
    """A CodeCarbon-style figure (measured with pue=1.0) is multiplied by the site PUE exactly once."""
    from tests.factories import make_task

    task = make_task(project)
    energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, started_at=T0,
                        ended_at=T0 + timedelta(minutes=10), it_kwh=0.01, basis="measured", job_kind="export")
    entry = LedgerEntry.objects.get()
    assert (entry.kwh, entry.pue_applied, entry.method) == (pytest.approx(0.0115), 1.15, "meter")
    assert task_energy_tags([task.pk])[task.pk]["kwh"] == pytest.approx(0.0115, rel=1e-12)


hour_shares = st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=6, max_size=30)


@hsettings(max_examples=80, deadline=None)
@given(hour_shares, st.integers(0, 90), st.integers(10, 300), st.integers(0, 20 * 60))
def test_scheduler_stays_within_deadline_and_never_worse(shares, now_min, duration_min, slack_min):
    points = [Point(T0 + timedelta(hours=i), T0 + timedelta(hours=i + 1), s) for i, s in enumerate(shares)]
    now = T0 + timedelta(minutes=now_min)
    duration = timedelta(minutes=duration_min)
    deadline = now + duration + timedelta(minutes=slack_min)
    plan = plan_start(now=now, duration=duration, deadline=deadline, forecast=Forecast(points))
    assert now <= plan.start and plan.start + duration <= max(deadline, now + duration)
    if plan.reason == "deferred":
        assert plan.expected_share >= plan.current_share + 0.05 - 1e-12
    if plan.current_share is not None:
        assert 0 <= plan.current_share <= 1 + 1e-12


def test_beat_tasks_are_registered():
    from config.celery import app

    app.loader.import_default_modules()
    assert {"energy.release_deferred_jobs", "energy.poll_feed"} <= set(app.tasks)
