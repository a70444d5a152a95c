"""The task and annotation API as an annotator's client uses it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from labeling.models import Annotation, AnnotationHistory, Lease, Task
from tests.factories import add_member, api_client, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 10.5, "y": 20, "width": 30, "height": 12.25}


def _next(user, project):
    return api_client(user).post(f"/api/v1/projects/{project.pk}/tasks/next/")


def test_annotator_leases_saves_and_submits_a_task(project, annotator):
    # given
    task = make_task(project)
    client = api_client(annotator)
    # when
    got = _next(annotator, project)
    # then
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["id"] == task.pk and body["project"] == project.pk
    assert body["lease"]["assigned"] is False and body["lease"]["expires_at"]
    assert body["image"]["width"] == 640 and body["image"]["url"].endswith("/file/")
    assert set(body["energy"]) == {"kwh", "clean_share", "co2e_g", "basis"}
    assert "is_gold" not in body and "gold_boxes" not in body
    assert body["annotation"] == {"version": 0, "status": "draft"}
    assert body["progress"]["today"] == 0 and body["progress"]["total"] == 0

    empty = client.get(f"/api/v1/tasks/{task.pk}/annotation/").json()
    assert empty["boxes"] == [] and empty["version"] == 0 and empty["status"] == "draft"

    saved = client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [YAK], "version": 0}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1 and saved.json()["boxes"] == [YAK]

    beat = client.post(f"/api/v1/tasks/{task.pk}/heartbeat/", {}, format="json")
    assert beat.status_code == 200 and beat.json()["assigned"] is False

    submitted = client.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["version"] == 2

    task.refresh_from_db()
    assert task.status == Task.Status.SUBMITTED and task.submitted_count == 1
    assert Lease.objects.get(task=task).release_reason == Lease.Release.SUBMITTED
    assert list(AnnotationHistory.objects.filter(annotation__task=task).values_list("action", flat=True)) == [
        "save",
        "submit",
    ]
    assert _next(annotator, project).status_code == 204
    progress = client.get(f"/api/v1/projects/{project.pk}/my-progress/").json()
    assert progress["today"] == 1 and progress["total"] == 1


def test_next_carries_the_same_progress_as_my_progress(project, annotator):
    for _ in range(3):
        make_task(project)
    client = api_client(annotator)
    for _ in range(2):
        task = _next(annotator, project).json()
        client.put(f"/api/v1/tasks/{task['id']}/annotation/", {"boxes": [YAK], "version": 0}, format="json")
        assert client.post(f"/api/v1/tasks/{task['id']}/submit/", {}, format="json").status_code == 200
    carried = _next(annotator, project).json()["progress"]
    asked = client.get(f"/api/v1/projects/{project.pk}/my-progress/").json()
    assert carried == asked and carried["today"] == 2 and carried["total"] == 2


def test_next_returns_the_callers_live_lease_again(project, annotator):
    make_task(project)
    make_task(project)
    first = _next(annotator, project).json()["id"]
    assert _next(annotator, project).json()["id"] == first
    assert Lease.objects.filter(annotator=annotator).count() == 1


def test_skip_needs_a_reason_and_hands_the_task_to_someone_else(project, annotator):
    task = make_task(project)
    other = make_user()
    add_member(project, other, Role.ANNOTATOR)
    client = api_client(annotator)
    _next(annotator, project)
    refused = client.post(f"/api/v1/tasks/{task.pk}/skip/", {"reason": "  "}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    assert Annotation.objects.get(task=task, annotator=annotator).status == "draft"

    skipped = client.post(f"/api/v1/tasks/{task.pk}/skip/", {"reason": "too blurry"}, format="json")
    assert skipped.status_code == 200 and skipped.json()["status"] == "skipped"
    assert _next(annotator, project).status_code == 204  # a skip counts as seen
    assert _next(other, project).json()["id"] == task.pk


def test_stale_version_gets_409_with_the_current_version_and_changes_nothing(project, annotator):
    task = make_task(project)
    client = api_client(annotator)
    _next(annotator, project)
    client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [YAK], "version": 0}, format="json")
    stale = client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [], "version": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict" and stale.json()["current_version"] == 1
    annotation = Annotation.objects.get(task=task)
    assert annotation.version == 1 and annotation.boxes.count() == 1
    assert AnnotationHistory.objects.filter(annotation=annotation).count() == 1


def test_expired_lease_refuses_writes_and_frees_the_slot_without_a_sweep(project, annotator):
    task = make_task(project)
    other = make_user()
    add_member(project, other, Role.ANNOTATOR)
    _next(annotator, project)
    Lease.objects.filter(task=task).update(expires_at=timezone.now() - timedelta(seconds=1))

    for response in [
        api_client(annotator).put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [YAK], "version": 0},
                                  format="json"),
        api_client(annotator).post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json"),
        api_client(annotator).post(f"/api/v1/tasks/{task.pk}/heartbeat/", {}, format="json"),
    ]:
        assert response.status_code == 409 and response.json()["code"] == "lease_expired"
    annotation = Annotation.objects.get(task=task, annotator=annotator)
    assert annotation.version == 0 and annotation.status == "draft" and annotation.boxes.count() == 0
    assert _next(other, project).json()["id"] == task.pk


def test_next_save_submit_run_a_bounded_number_of_queries(project, annotator, django_assert_max_num_queries):
    """Pinned so that a change which adds a query per request shows up here.

    Counts include the token lookup, BEGIN/COMMIT and the ``SET LOCAL`` that
    relaxes the commit of "next" and heartbeat; the role and "has this
    annotator touched the task" checks come with the object. "next" writes the
    lease, draft and "started" flag in one statement (labeling/assignment/pool.py).
    Task reads include one query for the page's predictions; submit one for
    "did it start from a prediction". "next" also counts the annotator's
    progress, which the tool shows with every new task.
    """
    for _ in range(30):
        make_task(project)
    client = api_client(annotator)
    # A process's first request also checks for deferred jobs that are due: not counted here.
    client.get(f"/api/v1/projects/{project.pk}/my-progress/")
    for _ in range(3):
        with django_assert_max_num_queries(12):
            body = client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
        with django_assert_max_num_queries(6):
            client.get(f"/api/v1/tasks/{body['id']}/")
        with django_assert_max_num_queries(4):
            client.get(f"/api/v1/tasks/{body['id']}/annotation/")
        # A credited heartbeat also writes its stretch of active time to the energy ledger (site, insert).
        with django_assert_max_num_queries(10):
            client.post(f"/api/v1/tasks/{body['id']}/heartbeat/", {"active_seconds": 1}, format="json")
        # A plain save: token, task access, labels, then one statement (no BEGIN/COMMIT).
        with django_assert_max_num_queries(4):
            client.put(f"/api/v1/tasks/{body['id']}/annotation/", {"boxes": [YAK], "version": 0}, format="json")
        # Submit also writes the energy ledger entry and the pending quality report.
        with django_assert_max_num_queries(15):
            assert client.post(f"/api/v1/tasks/{body['id']}/submit/", {}, format="json").status_code == 200
