"""A quality job's CPU time lands on the tasks it scored, in the windows of the batches that scored them.

The jobs are called as a worker calls them (not eagerly: an eager job never
drains), on PostgreSQL; the process CPU clock is read through a spy that keeps
every reading, so the job's own measure of its CPU time is known exactly.
"""

import time
from collections import defaultdict

import pytest
from django.utils import timezone

from energy.ledger import site_for_project
from energy.models import LedgerEntry
from energy.server import cpu_kwh
from energy.services import project_energy_report, project_green_summary, task_energy_tags
from labeling import jobs
from labeling.models import QualityReport, Task
from labeling.quality import drain as drain_module
from tests.factories import make_task
from tests.quality.helpers import YAKS, annotators, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cpu_clock(monkeypatch):
    """Every reading of the process CPU clock, in order (the real clock, only watched)."""
    readings: list[float] = []
    real = time.process_time

    def watched() -> float:
        readings.append(real())
        return readings[-1]

    monkeypatch.setattr(time, "process_time", watched)
    return readings


@pytest.fixture
def batches(monkeypatch):
    """Each claim of the drain: the tasks it returned, with the wall clock just before and after it."""
    seen: list[dict] = []
    real = drain_module.quality_drain_batch

    def spied(**kwargs):
        before = timezone.now()
        done = real(**kwargs)
        # (Before the drain reported its tasks, a claim returned only how many.)
        reported = isinstance(done, dict)
        seen.append({"before": before, "after": timezone.now(), "tasks": set(done) if reported else set(),
                     "count": len(done) if reported else done})
        return done

    monkeypatch.setattr(drain_module, "quality_drain_batch", spied)
    return seen


@pytest.fixture
def no_helper(monkeypatch):
    """A drain job waits already: full batches queue no other job (which would run inline here)."""
    monkeypatch.setattr(jobs, "marker_claim", lambda project_id: False)


def pending(project, user, n: int) -> list[Task]:
    tasks = [make_task(project, status=Task.Status.SUBMITTED) for _ in range(n)]
    for task in tasks:
        QualityReport.objects.create(annotation=submit(task, user, YAKS), annotation_version=1)
    return tasks


def quality_rows(project) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(project_id=project.pk, job_kind="quality").order_by("start", "task_id"))


def assert_adds_up_to_the_job(rows, readings, project):
    """The rows hold the CPU time the job measured (first to last reading), as energy by the site's rule."""
    measured = readings[-1] - readings[0]
    assert measured > 0
    assert sum(r.details["cpu_seconds"] for r in rows) == pytest.approx(measured, rel=1e-9)
    site = site_for_project(project.pk)
    expected_kwh = cpu_kwh(cpu_seconds=measured, watts_per_core=site.watts_per_core) * site.default_pue
    assert sum(r.kwh for r in rows) == pytest.approx(expected_kwh, rel=1e-9)


def assert_in_batch_windows(rows, batches):
    """Each task's row spans its own batch's claim and no other batch's."""
    worked = [b for b in batches if b["tasks"]]
    for r in rows:
        (i,) = [i for i, b in enumerate(worked) if r.task_id in b["tasks"]]
        assert r.start <= worked[i]["before"] and worked[i]["after"] <= r.end
        if i > 0:
            assert worked[i - 1]["after"] <= r.start
        if i + 1 < len(worked):
            assert r.end <= worked[i + 1]["before"]


def test_a_drain_puts_each_batchs_energy_on_the_tasks_it_scored(project, cpu_clock, batches, no_helper,
                                                                monkeypatch):
    monkeypatch.setattr(jobs, "DRAIN_BATCH", 2)  # five waiting tasks: batches of 2, 2 and 1
    (user,) = annotators(project, 1)
    own = make_task(project, status=Task.Status.SUBMITTED)
    report = QualityReport.objects.create(annotation=submit(own, user, YAKS), annotation_version=1)
    waiting = pending(project, user, 5)

    assert jobs.quality_report_compute_task(report.pk) == "scored"

    assert not QualityReport.objects.filter(state="pending").exists()
    assert [b["count"] for b in batches] == [2, 2, 1, 0]
    rows = quality_rows(project)
    by_task = {r.task_id: r for r in rows}
    assert len(rows) == len(by_task) == 6  # one row per task: each scored task carries its own scoring
    assert set(by_task) == {own.pk} | {t.pk for t in waiting}
    assert all(r.details["cpu_seconds"] > 0 for r in rows)
    assert_adds_up_to_the_job(rows, cpu_clock, project)
    drained = [r for r in rows if r.task_id != own.pk]
    assert_in_batch_windows(drained, batches)
    # The job's own report keeps the rest, placed before the first batch, where its scoring ran.
    mine = by_task[own.pk]
    assert mine.end <= batches[0]["before"] and mine.start <= mine.end
    # Within a batch, tasks with as many reports get as much.
    per_batch = defaultdict(list)
    for r in drained:
        per_batch[r.start].append(r.details["cpu_seconds"])
    assert sorted(len(v) for v in per_batch.values()) == [1, 2, 2]
    for shares in per_batch.values():
        assert shares == pytest.approx([shares[0]] * len(shares))


def test_the_drain_only_job_records_the_energy_of_what_it_scored(project, cpu_clock, batches, no_helper):
    (user,) = annotators(project, 1)
    waiting = pending(project, user, 3)

    assert jobs.quality_drain_task(project.pk) == 3

    rows = quality_rows(project)
    on_tasks = [r for r in rows if r.task_id is not None]
    assert {r.task_id for r in on_tasks} == {t.pk for t in waiting} and len(on_tasks) == 3
    assert all(r.details["cpu_seconds"] > 0 for r in on_tasks)
    assert_in_batch_windows(on_tasks, batches)
    # Its time outside the batch (clearing the marker, the claim that found nothing) is the project's.
    (rest,) = [r for r in rows if r.task_id is None]
    assert rest.start <= batches[0]["before"] and batches[-1]["after"] <= rest.end
    assert_adds_up_to_the_job(rows, cpu_clock, project)
    # What users read agrees: the tasks' tags and the project-level rest make the project's totals.
    tags = task_energy_tags([t.pk for t in waiting])
    assert sum(tags[t.pk]["kwh"] for t in waiting) + rest.kwh == pytest.approx(
        project_green_summary(project.pk)["totals"]["energy_kwh"], rel=1e-9)
    report = project_energy_report(project_id=project.pk, site=site_for_project(project.pk).slug, people=False)
    assert report["by_kind"]["quality"]["energy_kwh"] == pytest.approx(sum(r.kwh for r in rows), rel=1e-9)
    assert report["tasks_with_energy"] == 3


def test_a_batchs_time_is_shared_by_the_reports_it_settled(project, cpu_clock, no_helper):
    project.overlap = 2
    project.save()
    a, b = annotators(project, 2)
    pair, single = make_task(project, status=Task.Status.SUBMITTED), make_task(project, status=Task.Status.SUBMITTED)
    for annotation in (submit(pair, a, YAKS), submit(pair, b, YAKS), submit(single, a, YAKS)):
        QualityReport.objects.create(annotation=annotation, annotation_version=1)

    assert jobs.quality_drain_task(project.pk) == 2

    share = {r.task_id: r.details["cpu_seconds"] for r in quality_rows(project) if r.task_id is not None}
    assert share[pair.pk] == pytest.approx(2 * share[single.pk], rel=1e-9)


def test_a_drain_with_nothing_left_puts_nothing_on_any_task(project, cpu_clock, no_helper):
    assert jobs.quality_drain_task(project.pk) == 0
    (rest,) = quality_rows(project)
    assert rest.task_id is None
    assert_adds_up_to_the_job([rest], cpu_clock, project)
