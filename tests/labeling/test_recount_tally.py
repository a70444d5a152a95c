"""``manage.py recount_tally``: a tally that drifted from its rows is found and set right."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.roles import Role
from labeling.annotations import annotation_submit
from labeling.assignment import task_lease_next
from labeling.models import Annotation, AnnotatorTally
from labeling.tally import tally_drift
from tests.factories import add_member, make_project, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 1, "y": 2, "width": 30, "height": 20}


def _work(project, person, submits: int, leases: int) -> None:
    for i in range(leases):
        lease = task_lease_next(project=project, annotator=person)
        if i < submits:
            version = Annotation.objects.get(task_id=lease.task_id, annotator=person).version
            annotation_submit(task=lease.task, author=person, boxes=[YAK], expected_version=version)


def _figures() -> dict:
    return {(t.annotator_id, t.project_id): (t.seen, t.gold, t.submitted) for t in AnnotatorTally.objects.all()}


def test_a_drifted_tally_is_reported_then_set_to_the_count():
    project = make_project(overlap=1, gold_rate=0)
    a, b = make_user(), make_user()
    for person in (a, b):
        add_member(project, person, Role.ANNOTATOR)
    for _ in range(6):
        make_task(project)
    _work(project, a, submits=2, leases=3)
    _work(project, b, submits=1, leases=1)
    right = _figures()
    assert right == {(a.pk, project.pk): (3, 0, 2), (b.pk, project.pk): (1, 0, 1)}
    assert tally_drift(repair=False) == []

    # What a restore or a hand edit could leave: a figure off, a row missing.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AnnotatorTally._meta.db_table} SET submitted = 7 WHERE annotator_id = %s", [a.pk])
        cursor.execute(f"DELETE FROM {AnnotatorTally._meta.db_table} WHERE annotator_id = %s", [b.pk])

    out = StringIO()
    with pytest.raises(CommandError, match="2 tally rows differ"):
        call_command("recount_tally", "--check", stdout=out)
    assert f"annotator {a.pk} in project {project.pk}: kept 3/0/7, counted 3/0/2" in out.getvalue()
    assert f"annotator {b.pk} in project {project.pk}: kept 0/0/0, counted 1/0/1" in out.getvalue()
    assert _figures() == {(a.pk, project.pk): (3, 0, 7)}  # a check changes nothing

    call_command("recount_tally", stdout=StringIO())
    assert _figures() == right
    out = StringIO()
    call_command("recount_tally", "--check", stdout=out)
    assert "0 tally rows differed: no change." in out.getvalue()


def test_a_row_emptied_by_deletes_is_not_drift():
    project = make_project(overlap=1, gold_rate=0)
    a = make_user()
    add_member(project, a, Role.ANNOTATOR)
    make_task(project)
    _work(project, a, submits=0, leases=1)
    Annotation.objects.filter(annotator=a).delete()
    assert _figures() == {(a.pk, project.pk): (0, 0, 0)}
    assert tally_drift(repair=True) == []
