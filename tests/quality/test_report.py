"""The quality job end to end in eager mode: scores, flags, routing, idempotence, the sweep."""

import pytest
from kombu.exceptions import OperationalError as BrokerError

from labeling.models import Annotation, QualityReport, Task
from labeling.quality.enqueue import quality_check_enqueue, quality_sweep
from labeling.quality.report import quality_report_compute
from labeling.jobs import TRANSIENT, quality_report_compute_task
from tests.factories import make_task
from tests.quality.helpers import YAKS, annotators, submit

pytestmark = pytest.mark.django_db


def enqueue_all(capture, *annotations):
    with capture(execute=True):
        return [quality_check_enqueue(a.pk) for a in annotations]


def done(annotation):
    return QualityReport.objects.get(annotation=annotation, annotation_version=annotation.version,
                                     state="done")


def test_clean_single_annotation_is_scored_and_goes_to_review(project, django_capture_on_commit_callbacks):
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    enqueue_all(django_capture_on_commit_callbacks, annotation)
    report = done(annotation)
    assert report.score == 1.0
    assert report.flags == []
    assert set(report.metrics) >= {"geometry"}  # no gold, no overlap: geometry still runs
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW  # auto-accept is off by default


def test_auto_accept_accepts_clean_work(project, django_capture_on_commit_callbacks):
    project.auto_accept = True
    project.save()
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    enqueue_all(django_capture_on_commit_callbacks, annotation)
    task.refresh_from_db()
    annotation.refresh_from_db()
    assert task.status == Task.Status.ACCEPTED
    assert annotation.status == Annotation.Status.ACCEPTED


def test_red_flag_sends_to_review_even_with_auto_accept(project, django_capture_on_commit_callbacks):
    project.auto_accept = True
    project.review_threshold = 0.1
    project.save()
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS + [("yak", 101, 100, 40, 30)])  # a duplicate
    enqueue_all(django_capture_on_commit_callbacks, annotation)
    report = done(annotation)
    assert {"code": "duplicate_boxes", "severity": "red"}.items() <= report.flags[0].items()
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW


def test_failed_gold_goes_to_review_and_passed_gold_stays_in_the_pool(
    project, django_capture_on_commit_callbacks
):
    project.auto_accept = True
    project.save()
    gold = [{"label": "yak", "x": 10, "y": 10, "width": 50, "height": 40},
            {"label": "snow_leopard", "x": 400, "y": 300, "width": 60, "height": 50}]
    # Gold tasks stay open for everyone: each submission is routed on its own.
    task = make_task(project, is_gold=True, gold_boxes=gold)
    good_task = make_task(project, is_gold=True, gold_boxes=gold)
    (user,) = annotators(project, 1)
    wrong = submit(task, user, [("yak", 10, 10, 50, 40)])
    right = submit(good_task, user, [("yak", 11, 10, 50, 40), ("snow_leopard", 400, 301, 60, 50)])
    enqueue_all(django_capture_on_commit_callbacks, wrong, right)
    bad_report, good_report = done(wrong), done(right)
    assert bad_report.metrics["gold_failed"] is True
    assert bad_report.metrics["gold"]["recall"] == 0.5
    assert "gold_failed" in [f["code"] for f in bad_report.flags]
    assert good_report.metrics["gold_failed"] is False
    task.refresh_from_db()
    good_task.refresh_from_db()
    right.refresh_from_db()
    assert task.status == Task.Status.REVIEW
    assert good_task.status == Task.Status.OPEN
    assert right.status == Annotation.Status.ACCEPTED


def test_overlap_agreement_scores_each_annotator_and_routes_once_all_are_in(
    project, django_capture_on_commit_callbacks
):
    project.overlap = 3
    project.save()
    task = make_task(project, status=Task.Status.OPEN)
    a, b, c = annotators(project, 3)
    first = submit(task, a, YAKS)
    enqueue_all(django_capture_on_commit_callbacks, first)
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN  # others still working: no routing yet
    second = submit(task, b, [("yak", 102, 100, 40, 30), ("yak", 301, 200, 50, 40), ("snow_leopard", 500, 52, 80, 60)])
    third = submit(task, c, [("snow_leopard", 10, 400, 30, 30)])
    Task.objects.filter(pk=task.pk).update(status=Task.Status.SUBMITTED)
    enqueue_all(django_capture_on_commit_callbacks, second, third)
    assert QualityReport.objects.filter(annotation__task=task).count() == 3
    r_second, r_third = done(second), done(third)
    assert r_second.metrics["agreement"]["agreement"] == pytest.approx(0.5)  # 1.0 with a, 0 with c
    assert r_third.metrics["agreement"]["agreement"] == 0.0
    assert "low_agreement" in [f["code"] for f in r_third.flags]
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW


def test_running_the_job_twice_gives_one_report(project, django_capture_on_commit_callbacks):
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    (report,) = enqueue_all(django_capture_on_commit_callbacks, annotation)
    assert quality_report_compute(report_id=report.pk).result == "noop"
    assert quality_report_compute_task.apply(args=(report.pk,)).get() == "noop"
    enqueue_all(django_capture_on_commit_callbacks, annotation)
    assert QualityReport.objects.filter(annotation=annotation).count() == 1


def test_an_edited_annotation_gets_its_newest_version_scored(project):
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    stale = QualityReport.objects.create(annotation=annotation, annotation_version=1)
    Annotation.objects.filter(pk=annotation.pk).update(version=2)
    outcome = quality_report_compute(report_id=stale.pk)
    assert outcome.result == "scored"
    stale.refresh_from_db()
    assert stale.state == "failed" and "superseded by version 2" in stale.error
    assert QualityReport.objects.get(annotation=annotation, annotation_version=2).state == "done"


def test_an_annotation_back_in_draft_stops_cleanly(project):
    task = make_task(project, status=Task.Status.OPEN)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    report = QualityReport.objects.create(annotation=annotation, annotation_version=1)
    Annotation.objects.filter(pk=annotation.pk).update(status=Annotation.Status.DRAFT, version=2)
    assert quality_report_compute(report_id=report.pk).result == "stopped"
    report.refresh_from_db()
    assert report.state == "failed" and report.score is None
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    assert quality_report_compute(report_id=10**9).result == "missing"


def test_speed_check_flags_work_far_faster_than_the_norm(project, django_capture_on_commit_callbacks):
    users = annotators(project, 12)
    for user in users[:11]:
        submit(make_task(project, status=Task.Status.SUBMITTED), user, YAKS, active_seconds=30.0)
    hasty = submit(make_task(project, status=Task.Status.SUBMITTED), users[11], YAKS, active_seconds=0.6)
    enqueue_all(django_capture_on_commit_callbacks, hasty)
    report = done(hasty)
    assert report.metrics["speed"]["norm"] == pytest.approx(10.0)
    assert [f["code"] for f in report.flags] == ["too_fast"]


def test_broker_down_at_submit_then_the_sweep_queues_it(project, django_capture_on_commit_callbacks, monkeypatch):
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(quality_report_compute_task, "apply_async", broker_down)
        (report,) = enqueue_all(django_capture_on_commit_callbacks, annotation)  # no exception
    report.refresh_from_db()
    assert report.state == "pending"
    assert quality_sweep(grace_seconds=3600) == {"queued": 0}  # too fresh: maybe still queued
    assert quality_sweep(grace_seconds=0) == {"queued": 1}
    assert done(annotation).pk == report.pk
    assert quality_sweep(grace_seconds=0) == {"queued": 0}


def test_sweep_finds_submitted_work_that_never_had_a_report(project):
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    assert quality_sweep(grace_seconds=0) == {"queued": 1}
    assert done(annotation)


def test_retries_only_transient_errors_and_a_bug_marks_the_report_failed(project, monkeypatch):
    from django.db import OperationalError

    assert set(quality_report_compute_task.autoretry_for) == set(TRANSIENT)
    assert OperationalError in TRANSIENT and ValueError not in TRANSIENT
    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    report = QualityReport.objects.create(annotation=annotation, annotation_version=1)

    def bug(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("labeling.jobs.quality_report_compute", bug)
    with pytest.raises(ValueError):
        quality_report_compute_task.apply(args=(report.pk,), throw=True)
    report.refresh_from_db()
    assert report.state == "failed" and "ValueError: a bug" in report.error


def test_server_cpu_time_goes_to_the_energy_ledger(project):
    from energy.models import LedgerEntry

    task = make_task(project, status=Task.Status.SUBMITTED)
    (user,) = annotators(project, 1)
    annotation = submit(task, user, YAKS)
    report = QualityReport.objects.create(annotation=annotation, annotation_version=1)
    quality_report_compute_task.apply(args=(report.pk,))  # eager: no drain, the job's own report only
    (row,) = LedgerEntry.objects.filter(project_id=project.pk)
    assert row.consumer == "server" and row.job_kind == "quality" and row.task_id == task.pk
    assert row.details["cpu_seconds"] >= 0 and row.start <= row.end


def test_drain_scores_many_tasks_in_one_batch_and_closes_stale_reports(project):
    from labeling.quality.drain import quality_drain_batch

    project.overlap = 2
    project.auto_accept = True
    project.save()
    a, b = annotators(project, 2)
    clean, dup, stale = (make_task(project, status=Task.Status.SUBMITTED) for _ in range(3))
    made = [submit(clean, a, YAKS), submit(clean, b, YAKS),
            submit(dup, a, YAKS + [("yak", 101, 100, 40, 30)]), submit(dup, b, YAKS),
            submit(stale, a, YAKS)]
    for annotation in made:
        QualityReport.objects.create(annotation=annotation, annotation_version=1)
    Annotation.objects.filter(pk=made[4].pk).update(status=Annotation.Status.DRAFT, version=2)

    # The limit holds; each task comes back with the reports settled for it.
    assert quality_drain_batch(project_id=project.pk, limit=2) == {clean.pk: 2, dup.pk: 2}
    assert quality_drain_batch(project_id=project.pk, limit=100) == {stale.pk: 1}
    assert quality_drain_batch(project_id=project.pk, limit=100) == {}
    states = dict(QualityReport.objects.values_list("annotation_id", "state"))
    assert [states[m.pk] for m in made] == ["done", "done", "done", "done", "failed"]
    assert Task.objects.get(pk=clean.pk).status == Task.Status.ACCEPTED
    assert Task.objects.get(pk=dup.pk).status == Task.Status.REVIEW
    # One answer per task is accepted (the best, ties to the lowest id); the other is superseded.
    assert sorted(clean.annotations.values_list("status", flat=True)) == ["accepted", "superseded"]
    assert "duplicate_boxes" in [f["code"] for f in QualityReport.objects.get(annotation=made[2]).flags]
    # Every column of the one-statement write lands, JSON as JSON, not text.
    done, failed = (QualityReport.objects.get(annotation=made[i]) for i in (0, 4))
    assert done.score is not None and isinstance(done.metrics, dict) and done.metrics and done.finished_at
    assert failed.error == "not scored: the annotation is draft now" and failed.score is None and failed.finished_at


def test_drain_of_a_project_hands_work_on_while_batches_are_full_and_when_time_runs_out(project):
    from labeling.quality.drain import quality_drain_project

    (user,) = annotators(project, 1)
    for _ in range(3):
        annotation = submit(make_task(project, status=Task.Status.SUBMITTED), user, YAKS)
        QualityReport.objects.create(annotation=annotation, annotation_version=1)
    handed = []
    # No time at all: nothing scored, the work is handed on once.
    assert quality_drain_project(project_id=project.pk, hand_on=lambda: handed.append(1), seconds=0).task_count == 0
    assert len(handed) == 1
    handed.clear()
    # Full batches of one: each asks for help; the empty batch ends the drain.
    drain = quality_drain_project(project_id=project.pk, hand_on=lambda: handed.append(1), batch=1)
    assert drain.task_count == 3 and [len(b.tasks) for b in drain.batches] == [1, 1, 1]
    assert len(handed) == 3
    assert not QualityReport.objects.filter(state=QualityReport.State.PENDING).exists()
