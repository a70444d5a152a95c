"""The wider boundary (web requests), allocated certificates, and deferral on the project's own site."""

from datetime import date, datetime, timedelta, timezone

import pytest

from accounts.roles import Role
from config import energy_meter
from energy import deferral
from energy.models import Certificate, DeferredJob, LedgerEntry, Site
from energy.services import energy_record_usage, project_energy_report
from labeling import jobs  # noqa: F401  (registers the export job)
from labeling.export.jobs import export_request
from tests.energy import jobs  # noqa: F401  (registers the test tasks)
from tests.factories import add_member, api_client, make_project, make_task, make_user

pytestmark = pytest.mark.django_db
CST = timezone(timedelta(hours=8))


def at(h, m=0, day=1):
    return datetime(2025, 7, day, h, m, tzinfo=CST)


@pytest.fixture
def meter(settings):
    """Web CPU written at every request, from an empty buffer."""
    settings.ENERGY_WEB_FLUSH_S = 0
    energy_meter.METER.take()
    yield energy_meter.METER
    energy_meter.METER.take()


def test_web_requests_cpu_time_is_attributed_to_the_task_served(meter, project, supervisor):
    task = make_task(project)
    client = api_client(supervisor)
    assert client.get(f"/api/v1/tasks/{task.pk}/").status_code == 200
    (entry,) = LedgerEntry.objects.filter(job_kind="web")
    assert (entry.consumer, entry.project_id, entry.task_id) == ("server", project.pk, task.pk)
    assert entry.details["cpu_seconds"] > 0 and entry.details["requests"] == 1
    # CPU seconds x 15 W per core x the site PUE, like any server job.
    assert entry.kwh == pytest.approx(entry.details["cpu_seconds"] * 15 * entry.pue_applied / 3.6e6)
    # A request that serves no project (my own user) is measured but not attributed.
    client.get("/api/v1/users/me/")
    assert LedgerEntry.objects.filter(job_kind="web").count() == 1
    # It shows in the project's report as its own kind of work.
    report = project_energy_report(project_id=project.pk, site=project.energy_site, people=True)
    assert report["by_kind"]["web"]["energy_kwh"] == pytest.approx(entry.kwh)


def test_web_cpu_is_batched_not_written_per_request(settings, meter, project, supervisor):
    settings.ENERGY_WEB_FLUSH_S = 3600
    client = api_client(supervisor)
    for _ in range(3):
        assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert not LedgerEntry.objects.filter(job_kind="web").exists()
    assert energy_meter.flush(force=True) == 1
    (entry,) = LedgerEntry.objects.filter(job_kind="web")
    assert entry.project_id == project.pk and entry.task_id is None and entry.details["requests"] == 3


def test_a_forged_task_id_is_attributed_to_nothing(meter, supervisor):
    api_client(supervisor).get("/api/v1/tasks/987654321/")
    assert not LedgerEntry.objects.filter(job_kind="web").exists()


def test_certificates_are_shared_pro_rata_and_never_more_than_used(db):
    site = Site.objects.create(slug="cert-site", name="Cert site", timezone="Asia/Shanghai", static_profile="")
    a, b = make_project(energy_site=site.slug), make_project(energy_site=site.slug)
    # A uses 0.004 kWh and B 0.002 kWh on 1 July (metered figures, so the arithmetic stays exact).
    for project, kwh in ((a, 0.004), (b, 0.002)):
        energy_record_usage(consumer="workstation", project_id=project.pk, started_at=at(9), ended_at=at(9, 5),
                            it_kwh=kwh, site=site.slug, basis="measured")
    # 3 Wh for 1 July: half the site's 6 Wh, so each project gets half of its own use:
    # A 0.002 kWh, B 0.001 kWh. A certificate of another day covers nothing here.
    Certificate.objects.create(site=site, mwh=0.000003, period_start=date(2025, 7, 1), period_end=date(2025, 7, 1))
    Certificate.objects.create(site=site, mwh=5, period_start=date(2025, 8, 1), period_end=date(2025, 8, 31))
    got_a = project_energy_report(project_id=a.pk, site=site.slug, people=False)["contract_based"]
    got_b = project_energy_report(project_id=b.pk, site=site.slug, people=False)["contract_based"]
    assert got_a["allocated_kwh"] == pytest.approx(0.002) and got_b["allocated_kwh"] == pytest.approx(0.001)
    assert [c["allocated_kwh"] for c in got_a["certificates"]] == [pytest.approx(0.002), 0.0]
    # 5 MWh for 1 July: far more than was used, so each gets exactly its own use, never the site's MWh.
    Certificate.objects.create(site=site, mwh=5, period_start=date(2025, 7, 1), period_end=date(2025, 7, 1))
    got_a = project_energy_report(project_id=a.pk, site=site.slug, people=False)["contract_based"]
    assert got_a["allocated_kwh"] == pytest.approx(0.002 + 0.004)
    # Market-based claims never touch the physical share (unknown here: the site has no supply data).
    assert project_energy_report(project_id=a.pk, site=site.slug, people=False)["totals"]["clean_share"] is None


def test_a_deferrable_export_is_planned_on_its_projects_site(django_capture_on_commit_callbacks):
    # The project's site has no supply data: no forecast, so it runs now and says why.
    Site.objects.create(slug="dark-dc", name="No data", static_profile="")
    project = make_project(energy_site="dark-dc")
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        export, decision = export_request(project=project, user=supervisor, deferrable=True,
                                          deadline=datetime.now(timezone.utc) + timedelta(hours=6))
    assert decision["decision"] == "run_now" and decision["reason"] == "no-forecast"
    job = DeferredJob.objects.get()
    assert (job.project_id, job.site.slug, job.state) == (project.pk, "dark-dc", "released")
    export.refresh_from_db()
    assert export.state == "done"
    report = project_energy_report(project_id=project.pk, site="dark-dc", people=True)
    (row,) = report["deferrals"]["jobs"]
    assert row["reason"] == "no-forecast" and [d["decision"] for d in row["decisions"]] == ["run_now", "released"]


def test_without_a_beat_process_a_request_releases_due_jobs(settings, client, django_capture_on_commit_callbacks):
    from tests.energy.jobs import RUNS

    # Deferred on the demo profile (energy.md §4.11 I): asked at 07:30, planned 09:30.
    RUNS.clear()
    settings.ENERGY_RELEASE_CHECK_S = 0
    project = make_project()
    decision = deferral.schedule(kind="bulk_quality", task_name="tests.energy.heavy_job", kwargs={"n": 1},
                                 expected_seconds=5400, deadline=at(11), project_id=project.pk, now=at(7, 30))
    assert decision["decision"] == "deferred" and decision["planned_start"] == at(9, 30).isoformat()
    # Eager mode (no broker): any request after the planned start releases it; no beat, no worker.
    deferral._last_look["at"] = None
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/accounts/login/")
    job = DeferredJob.objects.get()
    assert job.state == "released" and RUNS == [{"n": 1}]
    assert job.decisions.last().decision == "released"
