"""The pool walks the tasks that leases hold full last, so a "next" costs the same
however many people are at work (``Task.full_until``), and gives every slot back."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from labeling.annotations import annotation_skip
from labeling.assignment import lease_sweep_expired, task_lease_next
from labeling.assignment.pool import pool_pick_statement
from labeling.models import Lease, Task
from labeling.projects import project_update
from tests.factories import add_member, make_project, make_task, make_user

pytestmark = pytest.mark.django_db


def _people(project, n: int) -> list:
    people = [make_user() for _ in range(n)]
    for person in people:
        add_member(project, person, Role.ANNOTATOR)
    return people


def _rows_stepped_over(project, user) -> int:
    """How many tasks the pick's index walk reads and throws away before its answer."""
    sql, params = pool_pick_statement(project=project, user_id=user.pk, now=timezone.now(), gold=False, passed=[])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be read whole otherwise
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]

    def walks(node):  # the scans of the task table (not the lease lookups under them)
        if node.get("Relation Name") == Task._meta.db_table:
            yield node
        for child in node.get("Plans", []):
            yield from walks(child)

    (walk,) = walks(plan)
    assert walk.get("Index Name") == "task_pool"
    return walk.get("Rows Removed by Filter", 0)


def test_a_next_does_not_step_over_the_tasks_people_hold():
    # given: 30 people each holding a task of an overlap-1 project, 10 tasks free
    project = make_project(overlap=1)
    tasks = [make_task(project) for _ in range(40)]
    people = _people(project, 31)
    for person in people[:30]:
        task_lease_next(project=project, annotator=person)
    # when: the 31st asks
    stepped_over = _rows_stepped_over(project, people[30])
    lease = task_lease_next(project=project, annotator=people[30])
    # then: the walk went straight to a free task (it stepped over all 30 before)
    assert stepped_over == 0
    assert lease.task_id == tasks[30].pk
    held = Task.objects.filter(pk__in=[t.pk for t in tasks[:30]])
    assert all(t.full_until is not None for t in held)


def test_a_task_with_slots_left_is_not_marked_full():
    project = make_project(overlap=2)
    task = make_task(project)
    first, second = _people(project, 2)
    task_lease_next(project=project, annotator=first)
    assert Task.objects.get(pk=task.pk).full_until is None  # one slot of two
    lease = task_lease_next(project=project, annotator=second)
    assert Task.objects.get(pk=task.pk).full_until == lease.expires_at


def test_gold_tasks_are_never_marked_full():
    project = make_project(overlap=1, gold_rate=1.0)
    gold = make_task(project, is_gold=True, gold_boxes=[{"label": "yak", "x": 1, "y": 1, "width": 5, "height": 5}])
    (person,) = _people(project, 1)
    assert task_lease_next(project=project, annotator=person).task_id == gold.pk
    assert Task.objects.get(pk=gold.pk).full_until is None


def test_a_skipped_task_goes_back_to_the_head_of_the_pool():
    # given: the first task taken and skipped by its annotator
    project = make_project(overlap=1)
    first, later = make_task(project), make_task(project)
    skipper, other = _people(project, 2)
    lease = task_lease_next(project=project, annotator=skipper)
    assert lease.task_id == first.pk
    annotation_skip(task=first, author=skipper, reason="blurred")
    # then: its slot is free and it comes first again (started, before the untouched one)
    assert Task.objects.get(pk=first.pk).full_until is None
    assert task_lease_next(project=project, annotator=other).task_id == first.pk


def test_the_sweep_gives_a_lapsed_task_its_place_back():
    # given: a task whose lease lapsed, and untouched tasks after it
    project = make_project(overlap=1)
    lapsed, untouched = make_task(project), make_task(project)
    holder, other = _people(project, 2)
    lease = task_lease_next(project=project, annotator=holder)
    past = timezone.now() - timedelta(seconds=1)
    Lease.objects.filter(pk=lease.pk).update(expires_at=past)
    Task.objects.filter(pk=lapsed.pk).update(full_until=past)
    # when: the sweep runs
    lease_sweep_expired()
    # then: the hint is gone and the started task is handed out first again
    assert Task.objects.get(pk=lapsed.pk).full_until is None
    assert task_lease_next(project=project, annotator=other).task_id == lapsed.pk


def test_a_lapsed_task_is_still_handed_out_before_the_sweep_when_nothing_else_is_left():
    project = make_project(overlap=1)
    task = make_task(project)
    holder, other = _people(project, 2)
    lease = task_lease_next(project=project, annotator=holder)
    Lease.objects.filter(pk=lease.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # The hint still says "full" (it is only a hint): the free-slot check decides.
    assert Task.objects.get(pk=task.pk).full_until is not None
    assert task_lease_next(project=project, annotator=other).task_id == task.pk


def test_raising_the_overlap_gives_held_tasks_their_place_back():
    project = make_project(overlap=1)
    held, untouched = make_task(project), make_task(project)
    first, second = _people(project, 2)
    task_lease_next(project=project, annotator=first)
    project_update(project=project, overlap=2)
    assert Task.objects.get(pk=held.pk).full_until is None
    # The started task, now with a free slot, comes before the untouched one.
    assert task_lease_next(project=project, annotator=second).task_id == held.pk != untouched.pk
