"""The per-person lock statement's figures equal a direct count, after every write path.

"next" reads, with the caller's user lock, their annotations in the project
(seen, of which gold), their drafts on open tasks and their submissions today
and ever (``labeling/assignment/caller.py``). Seen, gold and the total come
from the tally the database keeps per person and project (``AnnotatorTally``,
kept by triggers): these tests walk every way annotations and tasks change
and compare, each time, the statement and the tally with an ORM count of the
rows themselves.
"""

import importlib
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.roles import Role
from labeling.annotations import annotation_save, annotation_skip, annotation_submit, annotation_submit_then_next
from labeling.assignment import task_assign, task_lease_next, task_take_back
from labeling.assignment.caller import lock_annotator
from labeling.counts import annotator_counts, annotator_day
from labeling.gold import gold_mark, gold_unmark
from labeling.models import Annotation, AnnotatorTally, Lease, Task
from labeling.review import review_early, review_fix, review_reject
from tests.factories import add_member, make_project, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 1, "y": 2, "width": 30, "height": 20}
_tally = importlib.import_module("labeling.migrations.0011_annotator_tally")


def _direct(project, person, now) -> dict:
    """The figures counted from the annotation rows, as the ORM sees them."""
    mine = Annotation.objects.filter(annotator=person, task__project=project)
    _, start = annotator_day(now)
    return {
        "seen": mine.count(),
        "gold": mine.filter(task__is_gold=True).count(),
        "drafts": mine.filter(status=Annotation.Status.DRAFT, task__status=Task.Status.OPEN).count(),
        "today": mine.filter(submitted_at__gte=start).count(),
        "total": mine.filter(submitted_at__isnull=False).count(),
    }


def _read(project, person, now) -> dict:
    """The figures as "next" reads them: the lock statement, in a transaction."""
    with transaction.atomic():
        who = lock_annotator(user_id=person.pk, project_id=project.pk, now=now)
    return {"seen": who.seen[0], "gold": who.seen[1], "drafts": who.drafts,
            "today": who.progress["today"], "total": who.progress["total"]}


def _tally_is_a_count_of_the_rows() -> None:
    """Every tally row equals a count of the current rows (an emptied row may stay at
    zero), and every person with annotations in a project has one."""
    counted = {
        (row["annotator_id"], row["task__project_id"]): (row["seen"], row["gold"], row["submitted"])
        for row in Annotation.objects.values("annotator_id", "task__project_id").annotate(
            seen=Count("id"), gold=Count("id", filter=Q(task__is_gold=True)),
            submitted=Count("id", filter=Q(submitted_at__isnull=False)))
    }
    kept = {(t.annotator_id, t.project_id): (t.seen, t.gold, t.submitted)
            for t in AnnotatorTally.objects.all() if (t.seen, t.gold, t.submitted) != (0, 0, 0)}
    assert kept == counted


def _check(projects, people, now) -> None:
    _tally_is_a_count_of_the_rows()
    for project in projects:
        for person in people:
            direct = _direct(project, person, now)
            assert _read(project, person, now) == direct, (project.pk, person.username)
            progress = annotator_counts(project=project, annotator=person, now=now)
            assert (progress["today"], progress["total"]) == (direct["today"], direct["total"])


def _version(task, person) -> int:
    return Annotation.objects.get(task=task, annotator=person).version


def _team(*projects, annotators=2):
    boss = make_user()
    people = [make_user() for _ in range(annotators)]
    for project in projects:
        add_member(project, boss, Role.SUPERVISOR)
        for person in people:
            add_member(project, person, Role.ANNOTATOR)
    return boss, people


def test_the_figures_equal_a_direct_count_through_a_team_s_work():
    project, other = make_project(overlap=2, gold_rate=0), make_project(overlap=1, gold_rate=0)
    boss, (a, b) = _team(project, other)
    t1, t2, t3, t4 = (make_task(project) for _ in range(4))
    make_task(other)
    make_task(other)
    now = timezone.now()

    def check():
        _check([project, other], [a, b, boss], now)

    check()  # nobody has anything: no tally row yet
    # A lease grant creates the draft; a save; a submit, then a submit carrying the next task.
    assert task_lease_next(project=project, annotator=a).task_id == t1.pk
    check()
    annotation_save(task=t1, author=a, boxes=[YAK], expected_version=_version(t1, a))
    check()
    _, lease = annotation_submit_then_next(task=t1, author=a, take_next=True)
    assert lease.task_id == t2.pk
    check()
    # The second annotator fills the last slot of t1; the first skips t2.
    assert task_lease_next(project=project, annotator=b).task_id == t1.pk
    annotation_submit(task=t1, author=b, boxes=[YAK], expected_version=_version(t1, b))
    annotation_skip(task=t2, author=a, reason="cloud over the shore")
    check()
    # A supervisor's assignment creates a draft too; a submission yesterday is not today's.
    task_assign(task=t3, annotator=a, assigned_by=boss)
    check()
    annotation_submit(task=t3, author=a)
    yesterday = now - timedelta(days=1)
    assert task_lease_next(project=project, annotator=b, now=yesterday).task_id == t2.pk
    annotation_submit(task=t2, author=b, now=yesterday)
    check()
    # Rejected back to its annotator, submitted again (its day moves, not its total), then fixed.
    review_early(task_id=t1.pk, reviewer=boss)
    mine = Annotation.objects.get(task=t1, annotator=a)
    review_reject(task_id=t1.pk, reviewer=boss, comment="the yak is a rock", annotation_id=mine.pk)
    check()
    annotation_submit(task=t1, author=a)
    check()
    review_early(task_id=t1.pk, reviewer=boss)
    review_fix(task_id=t1.pk, reviewer=boss, boxes=[YAK], annotation_id=Annotation.objects.get(task=t1, annotator=b).pk)
    check()
    # A task made gold after the fact counts as gold for everyone who annotated it, and back.
    gold_mark(task=t1, by=boss)
    check()
    assert _read(project, a, now)["gold"] == _read(project, b, now)["gold"] == 1
    gold_unmark(task=Task.objects.get(pk=t1.pk), by=boss)
    check()
    gold_mark(task=t3, by=boss, boxes=[YAK])
    check()
    assert (_read(project, a, now)["gold"], _read(project, b, now)["gold"]) == (1, 0)
    # Work in the other project is counted there only.
    elsewhere = task_lease_next(project=other, annotator=a).task
    annotation_submit(task=elsewhere, author=a)
    check()
    # Rows written without the services: a bulk insert, a raw update back to never submitted.
    Annotation.objects.bulk_create([Annotation(task=t4, annotator=boss, status=Annotation.Status.SUBMITTED,
                                               submitted_at=now)])
    check()
    Annotation.objects.filter(task=t4, annotator=boss).update(submitted_at=None, status=Annotation.Status.DRAFT)
    check()
    # Deletes: a task, a person, a project.
    Task.objects.get(pk=t3.pk).delete()
    check()
    b.delete()
    _check([project, other], [a, boss], now)
    other.delete()
    assert not AnnotatorTally.objects.filter(project_id=other.pk).exists()
    _check([project], [a, boss], now)
    # Left to the first annotator: t1 (resubmitted today) and t2 (skipped).
    assert _read(project, a, now) == {"seen": 2, "gold": 0, "drafts": 0, "today": 1, "total": 1}


def test_a_lapsed_draft_taken_back_and_gold_from_the_pool_count_as_they_should():
    project = make_project(overlap=1, gold_rate=1.0, lease_seconds=60)
    _, (a,) = _team(project, annotators=1)
    gold = make_task(project, is_gold=True, gold_boxes=[YAK])
    regular = make_task(project)
    now = timezone.now()
    # Gold is due first; its lease lapses with the draft left.
    assert task_lease_next(project=project, annotator=a, now=now).task_id == gold.pk
    _check([project], [a], now)
    later = now + timedelta(minutes=5)
    _check([project], [a], later)
    assert _read(project, a, later)["drafts"] == 1
    # Taken back and submitted; every gold task seen, the pool comes next.
    task_take_back(task=gold, annotator=a, now=later)
    annotation_submit(task=gold, author=a, now=later)
    assert task_lease_next(project=project, annotator=a, now=later).task_id == regular.pk
    _check([project], [a], later)
    figures = _read(project, a, later)
    assert (figures["seen"], figures["gold"], figures["drafts"], figures["total"]) == (2, 1, 1, 1)


def test_a_task_deleted_before_its_annotations_takes_them_off_once():
    # Foreign keys are checked at commit: a transaction may delete a task first and
    # its annotations after; each trigger must count them off exactly once.
    project = make_project(overlap=1, gold_rate=0)
    boss, (a,) = _team(project, annotators=1)
    first, second = make_task(project, is_gold=True, gold_boxes=[YAK]), make_task(project)
    task_assign(task=first, annotator=a, assigned_by=boss)
    annotation_submit(task=first, author=a)
    task_lease_next(project=project, annotator=a)
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Task._meta.db_table} WHERE id = %s", [first.pk])
        Lease.objects.filter(task_id=first.pk).delete()
        Annotation.objects.filter(task_id=first.pk).delete()
    _check([project], [a], now)
    assert _read(project, a, now) == {"seen": 1, "gold": 0, "drafts": 1, "today": 0, "total": 0}
    assert second.annotations.count() == 1


def test_the_migration_fills_the_tally_the_triggers_would_have_kept():
    project = make_project(overlap=2, gold_rate=0)
    boss, (a, b) = _team(project)
    tasks = [make_task(project) for _ in range(3)]
    for person in (a, b):
        task_lease_next(project=project, annotator=person)
        annotation_submit(task=tasks[0], author=person)
        task_lease_next(project=project, annotator=person)
    gold_mark(task=tasks[0], by=boss, boxes=[YAK])
    kept = sorted(AnnotatorTally.objects.values_list("annotator_id", "project_id", "seen", "gold", "submitted"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AnnotatorTally._meta.db_table}")
        cursor.execute(_tally.TALLY_FILL)
    assert sorted(AnnotatorTally.objects.values_list("annotator_id", "project_id", "seen", "gold", "submitted")) == kept
    assert kept and all(row[2:] == (2, 1, 1) for row in kept)


@pytest.mark.django_db(transaction=True)
def test_a_gold_flip_waits_for_an_uncommitted_annotation_of_its_task():
    # given: an annotation of a task written but not committed yet
    project = make_project(overlap=1, gold_rate=0)
    boss, (a,) = _team(project, annotators=1)
    task = make_task(project)
    done: dict = {}

    def mark():
        try:
            gold_mark(task=task, by=boss, boxes=[YAK])
            done["marked"] = True
        finally:
            connections.close_all()

    flip = threading.Thread(target=mark)
    with transaction.atomic():
        Annotation.objects.create(task=task, annotator=a)
        flip.start()
        # when: the supervisor marks the task gold meanwhile; it must wait for this
        # transaction (else its trigger misses the row, and this one counts it as
        # regular): go on once it waits on a lock, or once it finished.
        with connection.cursor() as cursor:
            for _ in range(1500):
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                               " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
                if cursor.fetchone()[0] or not flip.is_alive():
                    break
                threading.Event().wait(0.02)
    flip.join(60)
    # then: both committed, and the annotation counts as gold
    assert done == {"marked": True}
    _tally_is_a_count_of_the_rows()
    assert _read(project, a, timezone.now())["gold"] == 1
