"""schedule_deferrable decides on the site's forecast; beat releases held jobs."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from config.errors import DomainError
from energy.beat import SCHEDULE
from energy.deferral import release_due
from energy.models import DeferredJob, SchedulingDecision
from energy.services import schedule_deferrable
from tests.energy import jobs
from tests.threads import run_threads

CST = timezone(timedelta(hours=8))
DAY = datetime(2025, 7, 1, tzinfo=CST)


@pytest.fixture(autouse=True)
def _runs(settings):
    settings.ENERGY_SCHEDULER_TICK_S = 1800
    jobs.RUNS.clear()
    yield jobs.RUNS


def ask(hour, minute, minutes, deadline_hour, project=None, **kw):
    return schedule_deferrable(kind="quality_rerun", task_name="tests.energy.heavy_job", kwargs={"n": hour},
                               expected_seconds=minutes * 60, deadline=DAY.replace(hour=deadline_hour) if deadline_hour else None,
                               project_id=project.pk if project else None, now=DAY.replace(hour=hour, minute=minute), **kw)


@pytest.mark.django_db
def test_deferred_job_waits_then_beat_releases_it(project, _runs, django_capture_on_commit_callbacks):
    decision = ask(7, 30, 90, 11, project)
    assert decision["decision"] == "deferred" and decision["reason"] == "deferred"
    assert decision["planned_start"] == DAY.replace(hour=9, minute=30).isoformat()
    assert decision["current_clean_share"] == pytest.approx(0.853333333333, rel=1e-9)
    assert decision["expected_clean_share"] == pytest.approx(0.986666666667, rel=1e-9)
    job = DeferredJob.objects.get()
    assert (job.state, job.project_id) == ("waiting", project.pk)
    assert SchedulingDecision.objects.get(job=job).params["min_gain"] == 0.05
    assert _runs == []
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due(now=DAY.replace(hour=9, minute=29)) == 0
    assert _runs == []
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due(now=DAY.replace(hour=9, minute=31)) == 1
    assert _runs == [{"n": 7}]
    job.refresh_from_db()
    assert job.state == "released" and job.released_at == DAY.replace(hour=9, minute=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due(now=DAY.replace(hour=10)) == 0
    assert len(_runs) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("when, deadline, reason", [((12, 0), 18, "good-enough-now"), ((7, 0), None, "no-deadline"),
                                                     ((7, 30), 8, "no-forecast-or-no-slack")])
def test_run_now_after_commit(project, _runs, django_capture_on_commit_callbacks, when, deadline, reason):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decision = ask(*when, 60, deadline, project)
    assert decision["decision"] == "run_now" and decision["reason"] == reason
    assert _runs == [] and len(callbacks) == 1  # nothing runs before the caller's transaction commits
    callbacks[0]()
    assert _runs == [{"n": when[0]}]
    assert DeferredJob.objects.get().state == "released"


@pytest.mark.django_db
def test_run_now_with_the_broker_down_waits_for_the_next_release(project, _runs, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(jobs.heavy_job, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            decision = ask(12, 0, 60, 18, project)  # the caller's commit does not fail
    assert decision["decision"] == "run_now" and _runs == []
    job = DeferredJob.objects.get()
    assert job.state == "waiting"
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due(now=DAY.replace(hour=12, minute=5)) == 1
    assert _runs == [{"n": 12}]


@pytest.mark.django_db
def test_no_forecast_runs_now(_runs, django_capture_on_commit_callbacks):
    from energy.models import Site

    Site.objects.create(slug="dark-site", name="No data", static_profile="")
    with django_capture_on_commit_callbacks(execute=True):
        decision = ask(7, 30, 90, 11, site="dark-site")
    assert decision["reason"] == "no-forecast" and _runs == [{"n": 7}]


@pytest.mark.django_db
def test_max_deferral_caps_the_wait(settings, project):
    settings.ENERGY_MAX_DEFERRAL_S = 7200  # latest start 08:00 instead of 14:00
    decision = ask(6, 0, 120, 16, project)
    assert decision["decision"] == "deferred" and decision["planned_start"] == DAY.replace(hour=8).isoformat()


@pytest.mark.django_db
def test_unknown_task_refused():
    with pytest.raises(DomainError) as err:
        schedule_deferrable(kind="x", task_name="no.such.task", kwargs={}, expected_seconds=10)
    assert err.value.code == "unknown_task" and DeferredJob.objects.count() == 0


def test_beat_schedule_has_release_and_poll():
    assert SCHEDULE["energy-release-deferred-jobs"]["task"] == "energy.release_deferred_jobs"
    assert SCHEDULE["energy-poll-feed"]["task"] == "energy.poll_feed"


@pytest.mark.django_db(transaction=True)
def test_concurrent_release_sends_each_job_once(project, _runs):
    for hour in range(8):
        ask(7, 30, 90, 11, project)
    assert DeferredJob.objects.filter(state="waiting").count() == 8
    barrier, counts = threading.Barrier(2), []

    def worker():
        barrier.wait()
        try:
            counts.append(release_due(now=DAY.replace(hour=10)))
        finally:
            connection.close()

    run_threads([threading.Thread(target=worker) for _ in range(2)], timeout=30)
    assert sum(counts) == 8 and len(_runs) == 8


@pytest.mark.django_db
def test_release_replans_when_fresher_data_moves_the_optimum(project, _runs, django_capture_on_commit_callbacks):
    """A meter import after the decision shows 09:30 is dirty and 10:00 clean: the job waits on."""
    from energy.attribution import Supply
    from energy.supply import site_get, supply_store

    ask(7, 30, 30, 12, project)
    job = DeferredJob.objects.get()
    first = job.planned_start
    dirty = Supply(first, first + timedelta(minutes=30), 1000.0, 500.0, {}, None, "measured", "csv:late")
    supply_store(site=site_get(None), records=[(2, dirty)], strict=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due(now=first) == 0
    job.refresh_from_db()
    assert job.state == "waiting" and job.planned_start > first
    assert list(job.decisions.values_list("params__replan", flat=True)) == [False, True]
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due(now=job.planned_start) == 1
    assert len(_runs) == 1
