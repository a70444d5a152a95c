"""An annotator's plain save is one statement without a transaction block: it must still
change nothing when refused and stay correct when two tabs race on real connections."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from labeling.models import Annotation, AnnotationHistory, Lease
from tests.factories import add_member, api_client, make_project, make_task, make_user
from tests.threads import run_threads

YAK = {"label": "yak", "x": 1, "y": 2, "width": 30, "height": 20}
LAKE = {"label": "yak", "x": 100, "y": 120, "width": 60, "height": 40}


def _leased(project, person):
    body = api_client(person).post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    return body["id"]


@pytest.mark.django_db
def test_a_refused_save_does_not_renew_the_lease(project, annotator):
    make_task(project)
    task_id = _leased(project, annotator)
    client = api_client(annotator)
    assert client.put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": [YAK], "version": 0},
                      format="json").status_code == 200
    soon = timezone.now() + timedelta(seconds=20)
    Lease.objects.filter(task_id=task_id).update(expires_at=soon)

    stale = client.put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": [LAKE], "version": 0}, format="json")

    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    assert Lease.objects.get(task_id=task_id).expires_at == soon
    annotation = Annotation.objects.get(task_id=task_id)
    assert annotation.version == 1 and list(annotation.boxes.values_list("x", flat=True)) == [1]


@pytest.mark.django_db
def test_a_save_after_the_lease_lapsed_is_refused_as_before(project, annotator):
    make_task(project)
    task_id = _leased(project, annotator)
    Lease.objects.filter(task_id=task_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    refused = api_client(annotator).put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": [YAK], "version": 0},
                                        format="json")

    assert refused.status_code == 409 and refused.json()["code"] == "lease_expired"
    assert Annotation.objects.get(task_id=task_id).version == 0
    assert not AnnotationHistory.objects.filter(annotation__task_id=task_id).exists()


def _person_with_a_lease():
    project = make_project(overlap=1, gold_rate=0)
    make_task(project)
    person = make_user()
    add_member(project, person, "annotator")
    return person, _leased(project, person)


def _at_once(person, calls: dict[str, tuple[str, str, dict]]) -> dict:
    """Each named (method, path, body) from a thread and connection of its own, released together."""
    answers, start = {}, threading.Barrier(len(calls))

    def one(name, method, path, body):
        try:
            start.wait()
            answers[name] = getattr(api_client(person), method)(path, body, format="json")
        finally:
            connections.close_all()

    run_threads([threading.Thread(target=one, args=(name, *call)) for name, call in calls.items()])
    return answers


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_the_same_version_at_once_one_wins_the_other_gets_409():
    person, task_id = _person_with_a_lease()
    path = f"/api/v1/tasks/{task_id}/annotation/"
    for _ in range(5):
        answers = _at_once(person, {"a": ("put", path, {"boxes": [YAK], "version": 0}),
                                    "b": ("put", path, {"boxes": [LAKE], "version": 0})})
        codes = sorted(answer.status_code for answer in answers.values())
        assert codes == [200, 409], [answer.content for answer in answers.values()]
        winner = next(answer.json() for answer in answers.values() if answer.status_code == 200)
        annotation = Annotation.objects.get(task_id=task_id)
        assert annotation.version == winner["version"] == 1
        stored = [{"label": "yak", "x": b.x, "y": b.y, "width": b.width, "height": b.height}
                  for b in annotation.boxes.all()]
        assert stored == winner["boxes"]
        assert AnnotationHistory.objects.filter(annotation=annotation).count() == 1
        # Back to version 0 for the next round: the race again from the same start.
        AnnotationHistory.objects.filter(annotation=annotation).delete()
        annotation.boxes.all().delete()
        Annotation.objects.filter(pk=annotation.pk).update(version=0)


@pytest.mark.django_db(transaction=True)
def test_a_save_racing_the_submit_of_another_tab_never_reopens_the_lease():
    person, task_id = _person_with_a_lease()
    assert api_client(person).put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": [YAK], "version": 0},
                                  format="json").status_code == 200

    answers = _at_once(person, {
        "save": ("put", f"/api/v1/tasks/{task_id}/annotation/", {"boxes": [LAKE], "version": 1}),
        "submit": ("post", f"/api/v1/tasks/{task_id}/submit/", {}),
    })

    assert answers["submit"].status_code == 200
    annotation = Annotation.objects.get(task_id=task_id)
    lease = Lease.objects.get(task_id=task_id)
    assert annotation.status == "submitted" and lease.release_reason == Lease.Release.SUBMITTED
    if answers["save"].status_code == 200:  # the save came first: the submit took its boxes
        assert annotation.version == 3 and list(annotation.boxes.values_list("x", flat=True)) == [100]
    else:
        assert answers["save"].status_code == 409
        assert answers["save"].json()["code"] in {"already_submitted", "no_lease", "version_conflict"}
        assert annotation.version == 2 and list(annotation.boxes.values_list("x", flat=True)) == [1]
