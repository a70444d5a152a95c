"""The ledger and the task tags recomputed from it, against stored and static supply."""

from datetime import datetime, timedelta, timezone

import pytest

from config.errors import DomainError
from energy.attribution import Supply
from energy.models import LedgerEntry, Site
from energy.services import energy_record_usage, task_energy_details, task_energy_tags
from energy.supply import site_get, supply_store
from tests.factories import make_task, make_user

CST = timezone(timedelta(hours=8))


def at(h, m=0, s=0):
    return datetime(2025, 7, 1, h, m, s, tzinfo=CST)


def measured(start, end, share):
    return Supply(start, end, 1000.0, 1000.0 * share, {"hydro": 1000.0 * share, "coal": 1000.0 * (1 - share)}, None, "measured", "csv:meter")


@pytest.fixture
def demo_site(db):
    site = site_get(None)
    supply_store(site=site, records=[(2, measured(at(10), at(10, 30), 0.92)), (3, measured(at(10, 30), at(11), 0.60))], strict=True)
    return site


def record_example_a(project, task, user):
    energy_record_usage(consumer="workstation", project_id=project.pk, task_id=task.pk, user_id=user.pk,
                        started_at=at(10), ended_at=at(10, 30), active_seconds=1800)
    energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, job_kind="quality", job_id="c1",
                        started_at=at(10, 40), ended_at=at(10, 40, 5), cpu_seconds=5)


def test_task_tag_reproduces_example_A(demo_site, project):
    task, user = make_task(project), make_user(device_watts=60)
    record_example_a(project, task, user)
    tag = task_energy_tags([task.pk])[task.pk]
    assert tag["kwh"] == pytest.approx(28823 / 960000, rel=1e-9)
    assert tag["clean_share"] == pytest.approx(132549 / 144115, rel=1e-9)
    assert tag["co2e_g"] == pytest.approx(1150817 / 480000, rel=1e-9)
    assert tag["basis"] == "mixed"  # estimated consumption, measured supply
    assert set(tag) == {"kwh", "clean_share", "co2e_g", "basis"}
    ws = LedgerEntry.objects.get(consumer="workstation")
    assert ws.pue_applied == 1.0 and ws.kwh == pytest.approx(0.03, rel=1e-12)
    server = LedgerEntry.objects.get(consumer="server")
    assert server.pue_applied == 1.15 and server.it_kwh == pytest.approx(75 / 3.6e6, rel=1e-12)
    detail = task_energy_details([task.pk])[task.pk]
    assert detail["clean_kwh"] == pytest.approx(44183 / 1600000, rel=1e-9) and detail["coverage"] == 1.0
    assert [c["consumer"] for c in detail["components"]] == ["workstation", "server"]


def test_device_watts_default_and_override(demo_site, project):
    task = make_task(project)
    for watts in (None, 90):
        energy_record_usage(consumer="workstation", project_id=project.pk, task_id=task.pk,
                            user_id=make_user(device_watts=watts).pk, started_at=at(10), ended_at=at(10, 10), active_seconds=600)
    assert sorted(LedgerEntry.objects.values_list("details__watts", flat=True)) == [60.0, 90]


def test_no_entries_is_unknown(db, project):
    task = make_task(project)
    assert task_energy_tags([task.pk]) == {task.pk: {"kwh": None, "clean_share": None, "co2e_g": None, "basis": "unknown"}}


def test_missing_supply_gives_none_share(db):
    Site.objects.create(slug="nowhere-dc", name="No data", static_profile="")
    from tests.factories import make_project

    project = make_project(energy_site="nowhere-dc")
    task = make_task(project)
    energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, started_at=at(3), ended_at=at(3, 1), cpu_seconds=60)
    tag = task_energy_tags([task.pk])[task.pk]
    assert tag["kwh"] == pytest.approx(60 * 15 * 1.15 / 3.6e6) and tag["clean_share"] is None and tag["co2e_g"] is None


def test_unknown_project_site_is_created_without_data(db):
    from tests.factories import make_project

    project = make_project(energy_site="typo-site")
    task = make_task(project)
    energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, started_at=at(3), ended_at=at(3, 1), cpu_seconds=1)
    assert task_energy_tags([task.pk])[task.pk]["clean_share"] is None


def test_gap_falls_back_to_static_profile_and_marks_estimated(demo_site, project):
    covered, straddling = make_task(project), make_task(project)
    for task, end in ((covered, at(10, 20)), (straddling, at(11, 30))):
        energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, started_at=at(10, 10),
                            ended_at=end, it_kwh=0.01, basis="measured")
    tags = task_energy_tags([covered.pk, straddling.pk])
    assert tags[covered.pk]["basis"] == "measured" and tags[covered.pk]["clean_share"] == pytest.approx(0.92)
    assert tags[straddling.pk]["basis"] == "mixed"
    # 10:10–11:30 = 20 min at 0.92, 30 min at 0.60, then 30 min of the static 11:00 hour (1.00).
    assert tags[straddling.pk]["clean_share"] == pytest.approx((20 * 0.92 + 30 * 0.60 + 30 * 1.0) / 80, rel=1e-9)
    assert "static:qinghai-sample-v1" in task_energy_details([straddling.pk])[straddling.pk]["supply_sources"]


def test_tags_take_few_queries(demo_site, project, django_assert_max_num_queries):
    user = make_user()
    tasks = [make_task(project) for _ in range(15)]
    for t in tasks:
        record_example_a(project, t, user)
    with django_assert_max_num_queries(4):
        tags = task_energy_tags([t.pk for t in tasks])
    assert len({round(t["clean_share"], 12) for t in tags.values()}) == 1


@pytest.mark.parametrize("kwargs, code", [
    ({"consumer": "laptop", "active_seconds": 1}, "invalid_consumer"),
    ({"consumer": "workstation"}, "invalid_usage"),
    ({"consumer": "server"}, "invalid_usage"),
    ({"consumer": "server", "cpu_seconds": -1}, "invalid_usage"),
    ({"consumer": "server", "cpu_seconds": 1, "ended_at": at(9)}, "invalid_interval"),
])
def test_bad_usage_is_refused(demo_site, project, kwargs, code):
    args = {"project_id": project.pk, "started_at": at(10), "ended_at": at(10, 1), **kwargs}
    with pytest.raises(DomainError) as err:
        energy_record_usage(**args)
    assert err.value.code == code and LedgerEntry.objects.count() == 0


def test_unknown_explicit_site_is_a_clear_404(db, project):
    with pytest.raises(DomainError) as err:
        energy_record_usage(consumer="server", project_id=project.pk, started_at=at(3), ended_at=at(3, 1),
                            cpu_seconds=1, site="atlantis")
    assert err.value.code == "unknown_site" and LedgerEntry.objects.count() == 0
