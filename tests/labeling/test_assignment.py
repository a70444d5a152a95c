"""Who gets which task: order, overlap, gold, assignment, expiry, heartbeat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from config.errors import Conflict, DomainError
from labeling.annotations import annotation_skip, annotation_submit
from labeling.assignment import (
    lease_renew,
    lease_sweep_expired,
    task_assign,
    task_lease_next,
)
from labeling.models import Annotation, Lease, Task
from tests.factories import add_member, make_project, make_task, make_user

pytestmark = pytest.mark.django_db


def _annotators(project, n):
    users = [make_user() for _ in range(n)]
    for user in users:
        add_member(project, user, Role.ANNOTATOR)
    return users


def _take(project, user, **kw):
    lease = task_lease_next(project=project, annotator=user, **kw)
    return None if lease is None else lease.task_id


def test_pool_order_is_priority_then_started_then_oldest():
    project = make_project(overlap=2, gold_rate=0)
    a, b, c = _annotators(project, 3)
    old = make_task(project).pk
    newer = make_task(project).pk
    urgent = make_task(project, priority=5).pk
    assert _take(project, a) == urgent
    annotation_submit(task=Task.objects.get(pk=urgent), author=a)
    # b joins the urgent task (one slot left), then c finds it full.
    assert _take(project, b) == urgent
    assert _take(project, c) == old
    annotation_submit(task=Task.objects.get(pk=old), author=c)
    # a: urgent is done by a; "old" was started by c, so it comes before "newer".
    assert _take(project, a) == old
    assert Task.objects.get(pk=newer).started is False


def test_overlap_gives_a_task_to_n_distinct_annotators_and_no_more():
    project = make_project(overlap=3, gold_rate=0)
    task = make_task(project)
    users = _annotators(project, 5)
    got = [_take(project, user) for user in users]
    assert got == [task.pk, task.pk, task.pk, None, None]
    assert Lease.objects.filter(task=task).count() == 3


def test_never_twice_to_one_person_even_after_skip_or_expiry():
    project = make_project(overlap=3, gold_rate=0)
    first, second = make_task(project), make_task(project)
    (user,) = _annotators(project, 1)
    assert _take(project, user) == first.pk
    annotation_skip(task=first, author=user, reason="cannot tell yaks from rocks")
    assert _take(project, user) == second.pk
    Lease.objects.filter(task=second).update(expires_at=timezone.now() - timedelta(seconds=1))
    # After expiry the same draft comes back (their own work, not a second copy); a skip never does.
    assert _take(project, user) == second.pk
    annotation_submit(task=Task.objects.get(pk=second.pk), author=user)
    assert _take(project, user) is None
    assert Annotation.objects.filter(annotator=user).count() == 2


def test_an_expired_lease_frees_its_slot_without_a_sweep_and_the_sweep_tidies_up():
    project = make_project(overlap=1, gold_rate=0, lease_seconds=60)
    task = make_task(project)
    a, b = _annotators(project, 2)
    now = timezone.now()
    assert _take(project, a, now=now) == task.pk
    assert _take(project, b, now=now + timedelta(seconds=59)) is None
    assert _take(project, b, now=now + timedelta(seconds=61)) == task.pk
    assert lease_sweep_expired(now=now + timedelta(seconds=61)) == 1
    assert Lease.objects.get(annotator=a).release_reason == Lease.Release.EXPIRED
    assert lease_sweep_expired(now=now + timedelta(seconds=62)) == 0


def test_gold_is_mixed_in_at_the_project_rate_per_annotator():
    project = make_project(overlap=1, gold_rate=0.25)
    gold = {make_task(project, is_gold=True, gold_boxes=[{"label": "yak", "x": 1, "y": 1, "width": 5, "height": 5}]).pk
            for _ in range(3)}
    for _ in range(12):
        make_task(project)
    a, b = _annotators(project, 2)
    for user in (a, b):
        stream = []
        for _ in range(8):
            task_id = _take(project, user)
            stream.append(task_id in gold)
            annotation_submit(task=Task.objects.get(pk=task_id), author=user)
        # Every fourth task is gold, for each annotator (gold ignores overlap).
        assert stream == [False, False, False, True] * 2
    # Gold stays open: a yardstick for everyone, not work to finish.
    assert set(Task.objects.filter(pk__in=gold).values_list("status", flat=True)) == {"open"}


def test_supervisor_assignment_comes_before_the_pool_and_keeps_overlap():
    project = make_project(overlap=1, gold_rate=0)
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    make_task(project)
    chosen = make_task(project)
    a, b = _annotators(project, 2)
    lease = task_assign(task=chosen, annotator=a, assigned_by=supervisor)
    assert lease.assigned_by_id == supervisor.pk
    assert lease.expires_at > timezone.now() + timedelta(days=1)
    assert _take(project, a) == chosen.pk
    with pytest.raises(Conflict) as full:
        task_assign(task=chosen, annotator=b, assigned_by=supervisor)
    assert full.value.code == "task_full"
    with pytest.raises(DomainError) as not_member:
        task_assign(task=chosen, annotator=supervisor, assigned_by=supervisor)
    assert not_member.value.code == "not_an_annotator"


def test_assignment_refuses_someone_who_already_submitted():
    project = make_project(overlap=2, gold_rate=0)
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    _take(project, a)
    annotation_submit(task=task, author=a)
    with pytest.raises(Conflict) as refused:
        task_assign(task=task, annotator=a, assigned_by=supervisor)
    assert refused.value.code == "already_annotated"


def test_heartbeat_extends_the_lease_and_credits_capped_active_time(settings):
    settings.LABELING_IDLE_CUTOFF_SECONDS = 120
    project = make_project(gold_rate=0, lease_seconds=300)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    start = timezone.now()
    task_lease_next(project=project, annotator=a, now=start)
    # 30 s of wall time: a claim of 50 s is cut to 30.
    lease = lease_renew(task=task, annotator=a, active_seconds=50, now=start + timedelta(seconds=30))
    assert lease.expires_at == start + timedelta(seconds=330)
    # An hour away: the idle cut-off caps the claim at 120 s.
    lease_renew(task=task, annotator=a, active_seconds=3600, now=start + timedelta(seconds=200))
    # A replay one second later cannot count the same time again.
    lease_renew(task=task, annotator=a, active_seconds=3600, now=start + timedelta(seconds=201))
    assert Annotation.objects.get(task=task).active_seconds == pytest.approx(30 + 120 + 1)
    with pytest.raises(DomainError):
        lease_renew(task=task, annotator=a, active_seconds=float("nan"), now=start + timedelta(seconds=202))


def test_submit_records_workstation_energy_of_the_active_time():
    from energy.models import LedgerEntry

    project = make_project(gold_rate=0)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    start = timezone.now()
    task_lease_next(project=project, annotator=a, now=start)
    annotation_submit(task=task, author=a, active_seconds=42, now=start + timedelta(seconds=60))
    (entry,) = LedgerEntry.objects.all()
    # The 42 credited seconds end at the submit: [start + 18 s, start + 60 s).
    assert entry.consumer == "workstation" and entry.details["active_seconds"] == 42
    assert (entry.start, entry.end) == (start + timedelta(seconds=18), start + timedelta(seconds=60))
    assert (entry.task_id, entry.user_id, entry.project_id) == (task.pk, a.pk, project.pk)


def test_leases_of_one_project_do_not_leak_into_another():
    project, other = make_project(gold_rate=0), make_project(gold_rate=0)
    here, there = make_task(project), make_task(other)
    user = make_user()
    add_member(project, user, Role.ANNOTATOR)
    add_member(other, user, Role.ANNOTATOR)
    assert _take(project, user) == here.pk
    assert _take(other, user) == there.pk


def test_the_sweep_is_registered_with_celery_beat():
    from config.celery import app
    from labeling.beat import SCHEDULE

    assert app.conf.beat_schedule["labeling-lease-sweep"] == SCHEDULE["labeling-lease-sweep"]
    assert "labeling.lease_sweep_expired" in app.tasks


def test_a_rejected_annotation_goes_back_to_its_annotator_for_rework():
    project = make_project(overlap=1, gold_rate=0)
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    _take(project, a)
    annotation_submit(task=task, author=a)
    # What a reject does: status back to the annotator, slot given back.
    Annotation.objects.filter(task=task).update(status=Annotation.Status.REJECTED, review_comment="missed a yak")
    Task.objects.filter(pk=task.pk).update(submitted_count=0, status=Task.Status.REVIEW)
    lease = task_assign(task=task, annotator=a, assigned_by=supervisor)
    assert _take(project, a) == task.pk and lease.assigned_by_id == supervisor.pk
    annotation_submit(task=Task.objects.get(pk=task.pk), author=a)
    assert Annotation.objects.get(task=task).status == Annotation.Status.SUBMITTED
    assert Task.objects.get(pk=task.pk).submitted_count == 1


def test_the_beat_task_releases_expired_leases():
    from labeling.jobs import lease_sweep_expired_task

    project = make_project(gold_rate=0)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    _take(project, a, now=timezone.now() - timedelta(hours=1))
    assert lease_sweep_expired_task() == 1
    assert Lease.objects.get(task=task).release_reason == Lease.Release.EXPIRED


def test_a_heartbeat_never_shortens_a_supervisors_assignment():
    project = make_project(gold_rate=0, lease_seconds=60)
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    assigned = task_assign(task=task, annotator=a, assigned_by=supervisor)
    renewed = lease_renew(task=task, annotator=a)
    assert renewed.expires_at == assigned.expires_at


def test_progress_counts_submissions_of_the_local_day(settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from labeling.task_reads import annotator_progress

    project = make_project(gold_rate=0)
    (a,) = _annotators(project, 1)
    shanghai = ZoneInfo("Asia/Shanghai")
    # 23:30 on the 21st and 00:30 on the 22nd, local time: two days there.
    for hour in (23, 24):
        when = datetime(2026, 11, 21, 0, 30, tzinfo=shanghai) + timedelta(hours=hour)
        task = make_task(project)
        task_lease_next(project=project, annotator=a, now=when)
        annotation_submit(task=task, author=a, now=when)
    progress = annotator_progress(project=project, annotator=a, now=datetime(2026, 11, 22, 9, 0, tzinfo=shanghai))
    assert progress["today"] == 1 and progress["total"] == 2


def test_a_gold_task_goes_to_every_annotator_once_and_never_takes_a_regular_slot():
    # Policy: gold is a yardstick, not work to finish. Each annotator meets
    # each gold task at most once, at the project's rate; gold has no overlap
    # cap and its leases do not count against other tasks' overlap.
    project = make_project(overlap=1, gold_rate=0.5)
    gold = make_task(project, is_gold=True, gold_boxes=[{"label": "yak", "x": 1, "y": 1, "width": 5, "height": 5}])
    regular = [make_task(project) for _ in range(12)]
    people = _annotators(project, 4)
    for user in people:
        seen = []
        for _ in range(4):
            task_id = _take(project, user)
            seen.append(task_id)
            annotation_submit(task=Task.objects.get(pk=task_id), author=user)
        # Gold came once (it was due at the second task), then never again
        # although gold stayed due: the rest were regular tasks.
        assert seen.count(gold.pk) == 1 and len(set(seen)) == 4
    gold.refresh_from_db()
    assert gold.status == Task.Status.OPEN and gold.submitted_count == 4
    assert Lease.objects.filter(task=gold).count() == 4
    # Overlap 1 held on every regular task despite 4 people doing gold.
    assert all(Task.objects.get(pk=t.pk).submitted_count <= 1 for t in regular)


def test_resubmitting_after_a_reject_records_only_the_new_active_time_in_the_energy_ledger():
    from energy.models import LedgerEntry
    from labeling.review import review_reject

    project = make_project(overlap=1, gold_rate=0, lease_seconds=600)
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    task = make_task(project)
    (a,) = _annotators(project, 1)
    start = timezone.now()
    task_lease_next(project=project, annotator=a, now=start)
    annotation_submit(task=task, author=a, active_seconds=40, now=start + timedelta(seconds=60))
    Task.objects.filter(pk=task.pk).update(status=Task.Status.REVIEW)
    review_reject(task_id=task.pk, reviewer=supervisor, comment="missed a yak")
    later = start + timedelta(seconds=90)
    annotation_submit(task=Task.objects.get(pk=task.pk), author=a, active_seconds=25,
                      now=later + timedelta(seconds=30))
    annotation = Annotation.objects.get(task=task)
    assert annotation.active_seconds == pytest.approx(65)
    entries = LedgerEntry.objects.filter(task_id=task.pk, user_id=a.pk, consumer="workstation").order_by("id")
    # Two entries, 40 s then 25 s: the 40 s of the first round are not counted again.
    assert [e.details["active_seconds"] for e in entries] == [pytest.approx(40), pytest.approx(25)]
    assert entries[1].start >= entries[0].end
    assert sum(e.it_kwh for e in entries) == pytest.approx(entries[0].it_kwh * 65 / 40)
