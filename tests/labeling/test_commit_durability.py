"""Which transactions may commit without waiting for the disk."""

import pytest
from django.db import connection

from accounts.roles import Role
from labeling.annotations import annotation_save, annotation_submit
from labeling.assignment import lease_renew, task_lease_next
from tests.factories import add_member, make_project, make_task, make_user

pytestmark = [pytest.mark.django_db]

YAK = {"label": "yak", "x": 1, "y": 2, "width": 30, "height": 20}


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _relaxed_after(call) -> str:
    # The test runs inside one transaction, so a SET LOCAL by the service
    # is still visible here; roll it back between calls.
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT probe")
    call()
    value = _synchronous_commit()
    with connection.cursor() as cursor:
        cursor.execute("RELEASE SAVEPOINT probe")
        cursor.execute("SET LOCAL synchronous_commit = on")
    return value


def test_next_and_heartbeat_skip_the_flush_wait_while_save_and_submit_keep_it():
    project = make_project(gold_rate=0)
    task = make_task(project)
    person = make_user()
    add_member(project, person, Role.ANNOTATOR)
    assert _synchronous_commit() == "on"
    assert _relaxed_after(lambda: task_lease_next(project=project, annotator=person)) == "off"
    assert _relaxed_after(lambda: lease_renew(task=task, annotator=person, active_seconds=1)) == "off"
    assert _relaxed_after(lambda: annotation_save(task=task, author=person, boxes=[YAK], expected_version=0)) == "on"
    assert _relaxed_after(lambda: annotation_submit(task=task, author=person)) == "on"
