""""next" runs hand-written SQL (labeling/assignment/caller.py, pool.py): it must
write and read exactly what the ORM would, and keep its locks."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from accounts.roles import Role
from labeling.assignment import task_assign, task_lease_next
from labeling.assignment.caller import live_leases
from labeling.assignment.pool import claim, pool_pick
from labeling.models import Annotation, Image, Lease, Task
from tests.factories import add_member, make_project, make_task, make_user
from tests.threads import run_threads

GOLD = [{"label": "yak", "x": 10, "y": 10, "width": 20, "height": 20}]


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def person(project):
    user = make_user()
    add_member(project, user, Role.ANNOTATOR)
    return user


@pytest.mark.django_db
def test_the_lease_and_draft_that_next_writes_carry_every_model_default(project, person):
    # given: an untouched task
    task = make_task(project)
    # when
    lease = task_lease_next(project=project, annotator=person)
    # then: the rows hold what Django would have saved (a new field with a
    # default cannot be left out by the hand-written INSERT)
    stored = Lease.objects.get(pk=lease.pk)
    assert (stored.task_id, stored.annotator_id, stored.assigned_by_id) == (task.pk, person.pk, None)
    assert (stored.released_at, stored.release_reason, stored.heartbeat_at) == (None, "", stored.created_at)
    assert stored.expires_at - stored.created_at == timedelta(seconds=project.lease_seconds)
    draft = Annotation.objects.get(task=task, annotator=person)
    stamps = {"id": None, "created_at": None, "updated_at": None}
    assert _fields(draft) | stamps == _fields(Annotation(task=task, annotator=person)) | stamps
    assert lease.annotation_state == (draft.version, draft.status)
    assert Task.objects.get(pk=task.pk).started


@pytest.mark.django_db
def test_rows_read_by_hand_written_sql_equal_what_the_orm_loads(project, person):
    # given: a gold task with JSON fields and an image with derivatives and GPS
    task = make_task(project, is_gold=True, gold_boxes=GOLD)
    Image.objects.filter(pk=task.image_id).update(
        derivatives=Image.Derivatives.READY, thumbnail="thumbs/t.jpg", gps_latitude=36.9, captured_at=timezone.now()
    )
    now = timezone.now()
    # when: picked from the pool, and read back as a live lease
    with transaction.atomic():
        picked = pool_pick(project=project, user_id=person.pk, now=now, gold=True, passed=[])
        claim(task=picked, user_id=person.pk, now=now, gold=True)
    (live,) = live_leases(user_id=person.pk, project=project, now=timezone.now())
    # then: field for field the same as the ORM's instances (JSON decoded, not text)
    for built in (picked, live.task):
        orm = Task.objects.select_related("image").get(pk=task.pk)
        assert _fields(built) | {"started": True} == _fields(orm) | {"started": True}
        assert _fields(built.image) == _fields(orm.image)
        assert built.gold_boxes == GOLD and built.image.thumbnail.name == "thumbs/t.jpg"
    assert _fields(live) == _fields(Lease.objects.get(pk=live.pk))


@pytest.mark.django_db
def test_claim_refuses_a_task_whose_last_slot_went_and_writes_nothing(person):
    # given: overlap 1, and another annotator's live lease taken after the pool's snapshot
    project = make_project(overlap=1, gold_rate=0)
    add_member(project, person, Role.ANNOTATOR)
    task = make_task(project)
    now = timezone.now()
    with transaction.atomic():
        picked = pool_pick(project=project, user_id=person.pk, now=now, gold=False, passed=[])
        other = make_user()
        add_member(project, other, Role.ANNOTATOR)
        Lease.objects.create(task=task, annotator=other, expires_at=now + timedelta(minutes=5))
        # when
        lease = claim(task=picked, user_id=person.pk, now=now, gold=False)
    # then: no lease, no draft, the flag untouched
    assert lease is None
    assert not Lease.objects.filter(annotator=person).exists()
    assert not Annotation.objects.filter(annotator=person).exists()
    assert not Task.objects.get(pk=task.pk).started


@pytest.mark.django_db
def test_claim_refuses_a_task_the_caller_got_meanwhile(person, supervisor):
    # given: slots to spare, and a supervisor assigned the task to the caller after the pool's snapshot
    project = make_project(overlap=3, gold_rate=0)
    for user, role in ((person, Role.ANNOTATOR), (supervisor, Role.SUPERVISOR)):
        add_member(project, user, role)
    task = make_task(project)
    now = timezone.now()
    with transaction.atomic():
        picked = pool_pick(project=project, user_id=person.pk, now=now, gold=False, passed=[])
        task_assign(task=task, annotator=person, assigned_by=supervisor, now=now)
        # when / then: no second lease and no unique-constraint crash
        assert claim(task=picked, user_id=person.pk, now=now, gold=False) is None
    assert Lease.objects.filter(annotator=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_eight_tabs_of_one_person_pressing_next_together_hold_one_lease(project, person):
    # given: plenty of tasks
    for _ in range(10):
        make_task(project)
    start = threading.Barrier(8)
    got: list[int] = []

    def tab():
        try:
            start.wait()
            got.append(task_lease_next(project=project, annotator=person).task_id)
        finally:
            connections.close_all()

    run_threads([threading.Thread(target=tab) for _ in range(8)], timeout=60)
    # then: the user lock made every tab resume the first tab's lease
    assert len(got) == 8 and len(set(got)) == 1
    assert Lease.objects.filter(annotator=person, released_at__isnull=True).count() == 1
    assert Annotation.objects.filter(annotator=person).count() == 1
