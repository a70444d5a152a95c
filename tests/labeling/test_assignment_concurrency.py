"""Many annotators at once on PostgreSQL: real threads, real connections, real row locks."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.roles import Role
from labeling.assignment import task_lease_next
from labeling.assignment.pool import pool_pick
from labeling.models import Annotation, Lease, Task
from tests.factories import add_member, api_client, make_project, make_task, make_user
from tests.threads import run_threads

pytestmark = [pytest.mark.django_db(transaction=True)]

YAK = {"label": "yak", "x": 1, "y": 2, "width": 30, "height": 20}


def test_24_threads_hammering_next_save_submit_never_exceed_overlap_or_repeat_a_task():
    # given: 12 annotators with two tabs each (24 threads), overlap 3
    project = make_project(overlap=3, gold_rate=0)
    tasks = [make_task(project, priority=i % 3).pk for i in range(16)]
    people = [make_user() for _ in range(12)]
    for person in people:
        add_member(project, person, Role.ANNOTATOR)
    offered: list[tuple[int, int]] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(24)

    def tab(person):
        client = api_client(person)
        try:
            start.wait()
            for _ in range(200):
                got = client.post(f"/api/v1/projects/{project.pk}/tasks/next/")
                if got.status_code == 204:
                    return
                if got.status_code != 200:
                    failures.append(f"next {got.status_code} {got.content[:200]!r}")
                    return
                body = got.json()
                with lock:
                    offered.append((body["id"], person.pk))
                version = body["annotation"]["version"]
                saved = client.put(f"/api/v1/tasks/{body['id']}/annotation/", {"boxes": [YAK], "version": version},
                                   format="json")
                # The other tab may have saved or submitted meanwhile: a 409 is the
                # contract working; anything else is a bug.
                if saved.status_code not in (200, 409):
                    failures.append(f"save {saved.status_code} {saved.content[:200]!r}")
                done = client.post(f"/api/v1/tasks/{body['id']}/submit/", {}, format="json")
                if done.status_code not in (200, 409):
                    failures.append(f"submit {done.status_code} {done.content[:200]!r}")
        finally:
            connections.close_all()

    # when
    run_threads([threading.Thread(target=tab, args=(p,)) for p in people for _ in range(2)])

    # then
    assert failures == []
    assert len(offered) >= 48
    per_task = Counter(Annotation.objects.filter(status="submitted").values_list("task_id", flat=True))
    assert per_task == {task_id: 3 for task_id in tasks}, "every task done by exactly overlap annotators"
    leases = Counter(Lease.objects.values_list("task_id", "annotator_id"))
    assert max(leases.values()) == 1, "a task was leased twice to one person"
    # Complete tasks leave the pool; the quality check (eager here) may already route them.
    assert set(Task.objects.values_list("submitted_count", flat=True)) == {3}
    assert not Task.objects.filter(status=Task.Status.OPEN).exists()
    # A person saw the same task only through their own live lease (two tabs).
    assert all(Lease.objects.filter(task_id=t, annotator_id=p).exists() for t, p in offered)


def test_16_annotators_pressing_next_together_get_16_different_tasks():
    project = make_project(overlap=1, gold_rate=0)
    for _ in range(40):
        make_task(project)
    people = [make_user() for _ in range(16)]
    for person in people:
        add_member(project, person, Role.ANNOTATOR)
    got: dict[int, int] = {}
    start = threading.Barrier(16)

    def press(person):
        try:
            start.wait()
            got[person.pk] = task_lease_next(project=project, annotator=person).task_id
        finally:
            connections.close_all()

    run_threads([threading.Thread(target=press, args=(p,)) for p in people])
    assert len(got) == 16 and len(set(got.values())) == 16


def _hold_lock_and_ask(task_id: int, *, skip_locked: bool, project, person) -> dict:
    """Lock one task row in this thread; ask for a candidate from another connection."""
    seen: dict = {}

    def other():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                row = pool_pick(project=project, user_id=person.pk, now=timezone.now(), gold=False,
                                passed=[], skip_locked=skip_locked)
                seen["task"] = row.pk if row else None
        except Exception as exc:  # noqa: BLE001 - the negative control records what happened
            seen["error"] = type(exc).__name__
        finally:
            connections.close_all()

    with transaction.atomic():
        Task.objects.select_for_update().get(pk=task_id)
        thread = threading.Thread(target=other)
        run_threads([thread], timeout=30)
    return seen


def test_skip_locked_passes_over_a_locked_task_and_plain_for_update_would_wait():
    project = make_project(overlap=1, gold_rate=0)
    first, second = make_task(project, priority=1).pk, make_task(project).pk
    person = make_user()
    add_member(project, person, Role.ANNOTATOR)
    # SKIP LOCKED: the locked first task is passed over at once.
    assert _hold_lock_and_ask(first, skip_locked=True, project=project, person=person) == {"task": second}
    # Negative control: without SKIP LOCKED the other connection waits on the
    # lock (and gives up after lock_timeout), so the test above proves something.
    assert _hold_lock_and_ask(first, skip_locked=False, project=project, person=person) == {"error": "OperationalError"}


def test_at_the_tail_next_waits_for_a_briefly_locked_task_instead_of_answering_nothing_left():
    # given: the last task, with a free slot, row-locked by someone else's transaction
    project = make_project(overlap=2, gold_rate=0)
    last = make_task(project)
    person = make_user()
    add_member(project, person, Role.ANNOTATOR)
    got: dict = {}

    def press():
        try:
            lease = task_lease_next(project=project, annotator=person)
            got["task"] = lease.task_id if lease else None
        finally:
            connections.close_all()

    thread = threading.Thread(target=press)
    with transaction.atomic():
        Task.objects.select_for_update().get(pk=last.pk)
        thread.start()
        # when: the caller is seen waiting on that row lock
        with connection.cursor() as cursor:
            for _ in range(500):
                # Activity statistics are snapshotted per transaction: refresh them.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                threading.Event().wait(0.02)
            else:
                pytest.fail("the caller never waited on the locked task")
    thread.join(30)
    # then: once the lock is gone, it gets the task rather than 204
    assert got == {"task": last.pk}


def test_a_supervisor_assignment_locks_the_task_row_only_not_its_project_or_image():
    from labeling.assignment import task_assign
    from labeling.models import Image, Project

    project = make_project(overlap=1, gold_rate=0)
    task = make_task(project)
    supervisor, person = make_user(), make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    add_member(project, person, Role.ANNOTATOR)
    assigned, done = threading.Event(), threading.Event()
    seen: dict = {}

    def assign_and_hold():
        try:
            with transaction.atomic():
                task_assign(task=task, annotator=person, assigned_by=supervisor)
                assigned.set()
                done.wait(30)
        finally:
            connections.close_all()

    def lock_the_rest():
        try:
            assigned.wait(30)
            with transaction.atomic():
                for model, pk in ((Project, project.pk), (Image, task.image_id), (Task, task.pk)):
                    try:
                        model.objects.select_for_update(nowait=True).get(pk=pk)
                        seen[model.__name__] = "locked"
                    except Exception as exc:  # noqa: BLE001 - the row lock held by the assignment
                        seen[model.__name__] = type(exc).__name__
                        break
        finally:
            done.set()
            connections.close_all()

    run_threads([threading.Thread(target=assign_and_hold), threading.Thread(target=lock_the_rest)])
    # The project and image stay free for others; the task row is held.
    assert seen == {"Project": "locked", "Image": "locked", "Task": "OperationalError"}
