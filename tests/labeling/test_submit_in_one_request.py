"""Ctrl+Enter in one request: the final save, the submit and the next task together.

``POST /api/v1/tasks/{id}/submit/`` optionally takes the final save (``boxes`` +
``version``, as ``PUT .../annotation/`` takes them) and ``"next": true``. A save
also keeps the lease, as a heartbeat does. Every refusal changes nothing.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from energy.models import LedgerEntry
from labeling.models import Annotation, AnnotationHistory, Box, Lease, Prediction, PredictionUse, Task
from tests.factories import add_member, api_client, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 10.5, "y": 20, "width": 30, "height": 12.25}
ANTELOPE = {"label": "tibetan_antelope", "x": 100, "y": 100, "width": 40, "height": 20}


def _next(client, project):
    return client.post(f"/api/v1/projects/{project.pk}/tasks/next/")


def _submit(client, task, body):
    return client.post(f"/api/v1/tasks/{task.pk}/submit/", body, format="json")


def _state(task):
    """Everything a submit could change, to compare before and after a refusal."""
    return (
        list(Annotation.objects.filter(task=task).order_by("id").values_list(
            "annotator", "version", "status", "active_seconds", "submitted_at")),
        list(Box.objects.filter(annotation__task=task).order_by("id").values_list(
            "label__name", "x", "y", "width", "height")),
        list(AnnotationHistory.objects.filter(annotation__task=task).order_by("id").values_list("action", "version")),
        list(Lease.objects.filter(task=task).order_by("id").values_list("annotator", "released_at")),
        Task.objects.filter(pk=task.pk).values_list("status", "submitted_count").get(),
        LedgerEntry.objects.filter(task_id=task.pk).count(),
        Lease.objects.filter(annotator__isnull=False, released_at__isnull=True).count(),
    )


@pytest.fixture
def two_tasks(project, annotator):
    """The annotator holds a lease on the first task (one box saved, version 1); a second waits in the pool."""
    first, second = make_task(project), make_task(project)
    client = api_client(annotator)
    assert _next(client, project).json()["id"] == first.pk
    saved = client.put(f"/api/v1/tasks/{first.pk}/annotation/", {"boxes": [YAK], "version": 0}, format="json")
    assert saved.status_code == 200
    return first, second


def test_submit_with_the_final_save_and_next_gives_what_next_would(project, annotator, two_tasks):
    first, second = two_tasks
    client = api_client(annotator)
    response = _submit(client, first, {"boxes": [YAK, ANTELOPE], "version": 1, "active_seconds": 4, "next": True})
    assert response.status_code == 200, response.content
    body = response.json()
    # The submitted annotation, as submit answers today (save: version 2, submit: version 3).
    assert body["status"] == "submitted" and body["version"] == 3 and body["boxes"] == [YAK, ANTELOPE]
    assert list(AnnotationHistory.objects.filter(annotation__task=first).values_list("action", "version")) == [
        ("save", 1), ("save", 2), ("submit", 3)]
    assert Task.objects.get(pk=first.pk).status == Task.Status.SUBMITTED
    assert Lease.objects.get(task=first).release_reason == Lease.Release.SUBMITTED
    # "next" is what POST .../tasks/next/ answers (task and progress), already leased.
    nxt = body["next"]
    assert nxt["id"] == second.pk and nxt["annotation"] == {"version": 0, "status": "draft"}
    assert nxt["progress"]["today"] == 1 and nxt["progress"]["total"] == 1
    assert Lease.objects.get(task=second, released_at__isnull=True).annotator == annotator
    again = _next(client, project).json()
    assert again.keys() == nxt.keys()
    assert {k: v for k, v in again.items() if k != "lease"} == {k: v for k, v in nxt.items() if k != "lease"}


def test_submit_without_the_new_fields_answers_as_before(project, annotator, two_tasks):
    first, second = two_tasks
    response = _submit(api_client(annotator), first, {"active_seconds": 1})
    assert response.status_code == 200
    body = response.json()
    assert "next" not in body and body["version"] == 2 and body["boxes"] == [YAK]
    # Nothing was leased for the caller.
    assert not Lease.objects.filter(task=second).exists()


def test_next_without_boxes_and_next_null_when_the_pool_is_empty(project, annotator):
    only = make_task(project)
    client = api_client(annotator)
    assert _next(client, project).json()["id"] == only.pk
    response = _submit(client, only, {"next": True})
    assert response.status_code == 200 and response.json()["next"] is None
    assert response.json()["status"] == "submitted"
    assert _next(client, project).status_code == 204


def test_from_prediction_with_the_final_save_records_the_outcome(project, annotator):
    task = make_task(project)
    prediction = Prediction.objects.create(task=task, model_version="m1", score=0.9, source="import",
                                           boxes=[{**YAK, "score": 0.9}])
    client = api_client(annotator)
    _next(client, project)
    response = _submit(client, task, {"boxes": [YAK], "version": 0, "from_prediction": prediction.pk})
    assert response.status_code == 200, response.content
    use = PredictionUse.objects.get(annotation__task=task)
    assert use.prediction_id == prediction.pk and use.outcome["kept"] == 1


def test_a_save_keeps_the_lease_as_a_heartbeat_does(project, annotator):
    project.lease_seconds = 600
    project.save(update_fields=["lease_seconds"])
    task = make_task(project)
    client = api_client(annotator)
    _next(client, project)
    lease = Lease.objects.get(task=task)
    # Near its end, as after a long stretch of drawing.
    Lease.objects.filter(pk=lease.pk).update(expires_at=timezone.now() + timedelta(seconds=5),
                                             heartbeat_at=timezone.now() - timedelta(seconds=30))
    before = timezone.now()
    saved = client.put(f"/api/v1/tasks/{task.pk}/annotation/",
                       {"boxes": [YAK], "version": 0, "active_seconds": 12}, format="json")
    assert saved.status_code == 200
    lease.refresh_from_db()
    assert lease.expires_at >= before + timedelta(seconds=600)
    assert saved.json()["active_seconds"] == 12
    assert sum(LedgerEntry.objects.filter(task_id=task.pk).values_list("details__active_seconds", flat=True)) == 12
    # Without active_seconds it renews all the same (and credits nothing).
    Lease.objects.filter(pk=lease.pk).update(expires_at=timezone.now() + timedelta(seconds=5))
    again = client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [], "version": 1}, format="json")
    assert again.status_code == 200 and again.json()["active_seconds"] == 12
    lease.refresh_from_db()
    assert lease.expires_at >= before + timedelta(seconds=600)


def test_an_assignment_lease_is_never_shortened_by_a_save(project, annotator, supervisor):
    task = make_task(project)
    assigned = api_client(supervisor).post(f"/api/v1/tasks/{task.pk}/assign/", {"username": annotator.username},
                                           format="json")
    assert assigned.status_code == 201
    long_until = Lease.objects.get(task=task).expires_at
    assert api_client(annotator).put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [YAK], "version": 0},
                                     format="json").status_code == 200
    assert Lease.objects.get(task=task).expires_at == long_until


BAD_BOXES = {
    "unknown label": [{**YAK, "label": "wolf"}],
    "outside the image": [{**YAK, "x": 5000}],
    "negative width": [{**YAK, "width": -3}],
    "not a list": {"label": "yak"},
}


@pytest.mark.parametrize("boxes", BAD_BOXES.values(), ids=BAD_BOXES.keys())
def test_bad_boxes_are_a_400_and_nothing_is_saved_nor_submitted(project, annotator, two_tasks, boxes):
    first, second = two_tasks
    before = _state(first), _state(second)
    response = _submit(api_client(annotator), first, {"boxes": boxes, "version": 1, "next": True,
                                                      "active_seconds": 5})
    assert response.status_code == 400 and response.json()["code"] and response.json()["detail"]
    assert (_state(first), _state(second)) == before


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_a_400_and_change_nothing(project, annotator, two_tasks, raw):
    first, second = two_tasks
    before = _state(first), _state(second)
    body = '{"boxes": [{"label": "yak", "x": %s, "y": 1, "width": 2, "height": 3}], "version": 1, "next": true}' % raw
    response = api_client(annotator).generic("POST", f"/api/v1/tasks/{first.pk}/submit/", body,
                                             content_type="application/json")
    assert response.status_code == 400, response.content
    assert (_state(first), _state(second)) == before
    # NaN as the active time, with good boxes: refused too.
    response = api_client(annotator).generic(
        "POST", f"/api/v1/tasks/{first.pk}/submit/",
        json.dumps({"boxes": [YAK], "version": 1, "next": True})[:-1] + ', "active_seconds": %s}' % raw,
        content_type="application/json")
    assert response.status_code == 400, response.content
    assert (_state(first), _state(second)) == before


def test_a_stale_version_is_a_409_with_the_current_version_and_changes_nothing(project, annotator, two_tasks):
    first, second = two_tasks
    before = _state(first), _state(second)
    response = _submit(api_client(annotator), first, {"boxes": [ANTELOPE], "version": 0, "next": True,
                                                      "active_seconds": 5})
    assert response.status_code == 409
    assert response.json()["code"] == "version_conflict" and response.json()["current_version"] == 1
    assert (_state(first), _state(second)) == before


@pytest.mark.parametrize("body, code", [
    ({"boxes": [YAK]}, "incomplete_save"),
    ({"version": 1}, "incomplete_save"),
    ({"from_prediction": None}, "incomplete_save"),
    ({"boxes": None, "version": 1}, "null"),
    ({"boxes": [YAK], "version": "1"}, "invalid"),
    ({"boxes": [YAK], "version": -1}, "min_value"),
    ({"next": "true"}, "invalid"),
    ({"next": 1}, "invalid"),
    ({"next": True, "extra": 1}, "unknown_field"),
    ({"boxes": [YAK], "version": 1, "from_prediction": 10**9}, "unknown_prediction"),
])
def test_malformed_submits_are_a_400_and_change_nothing(project, annotator, two_tasks, body, code):
    first, second = two_tasks
    before = _state(first), _state(second)
    response = _submit(api_client(annotator), first, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert (_state(first), _state(second)) == before


def test_a_forged_task_id_is_a_404(project, annotator, two_tasks):
    first, second = two_tasks
    before = _state(first), _state(second)
    for task_id in (10**9, "abc", second.pk):
        response = api_client(annotator).post(f"/api/v1/tasks/{task_id}/submit/",
                                              {"boxes": [YAK], "version": 0, "next": True}, format="json")
        assert response.status_code == 404, task_id
    assert (_state(first), _state(second)) == before


def test_someone_elses_task_changes_nothing(project, annotator, two_tasks):
    first, second = two_tasks
    other = make_user("annotator2")
    add_member(project, other, Role.ANNOTATOR)
    assert _next(api_client(other), project).json()["id"] == second.pk
    before = _state(first), _state(second)
    # Each holds a lease on their own task only: the other's is not found.
    for user, task in ((other, first), (annotator, second)):
        response = _submit(api_client(user), task, {"boxes": [ANTELOPE], "version": 0, "next": True})
        assert response.status_code == 404, (user, task)
    # Nor for someone outside the project.
    outsider = make_user("outsider")
    response = _submit(api_client(outsider), first, {"boxes": [ANTELOPE], "version": 1, "next": True})
    assert response.status_code == 404
    assert (_state(first), _state(second)) == before


def test_an_expired_lease_refuses_the_final_save_and_the_submit(project, annotator, two_tasks):
    first, second = two_tasks
    Lease.objects.filter(task=first).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _state(first), _state(second)
    response = _submit(api_client(annotator), first, {"boxes": [ANTELOPE], "version": 1, "next": True})
    assert response.status_code == 409 and response.json()["code"] == "lease_expired"
    assert (_state(first), _state(second)) == before


def test_a_second_submit_is_refused_as_already_submitted(project, annotator, two_tasks):
    first, _second = two_tasks
    client = api_client(annotator)
    assert _submit(client, first, {"boxes": [YAK], "version": 1, "next": True}).status_code == 200
    before = _state(first)
    again = _submit(client, first, {"boxes": [ANTELOPE], "version": 2, "next": True})
    assert again.status_code == 409 and again.json()["code"] == "already_submitted"
    assert _state(first) == before
