"""Every bad write is a clear 4xx in the error shape and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from labeling.annotations import annotation_save
from labeling.assignment import task_lease_next
from labeling.boxes import InvalidBoxes
from labeling.models import Annotation, AnnotationHistory, Box, Lease
from tests.factories import add_member, api_client, make_project, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 10, "y": 20, "width": 30, "height": 12}


@pytest.fixture
def leased(project, annotator):
    """A 640x480 task leased by the annotator, with one saved box (version 1)."""
    task = make_task(project, width=640, height=480)
    task_lease_next(project=project, annotator=annotator)
    saved = api_client(annotator).put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [YAK], "version": 0},
                                      format="json")
    assert saved.status_code == 200
    return task


def _state(task):
    """Everything a write could change, to compare before and after."""
    return (
        list(Annotation.objects.filter(task=task).order_by("id").values_list("annotator", "version", "status",
                                                                              "active_seconds")),
        list(Box.objects.filter(annotation__task=task).order_by("id").values_list("label", "x", "y", "width",
                                                                                  "height")),
        AnnotationHistory.objects.filter(annotation__task=task).count(),
        list(Lease.objects.filter(task=task).order_by("id").values_list("expires_at", "released_at")),
        task.__class__.objects.filter(pk=task.pk).values_list("status", "submitted_count").get(),
    )


def _put_raw(user, task, body: str):
    return api_client(user).generic(
        "PUT", f"/api/v1/tasks/{task.pk}/annotation/", body, content_type="application/json"
    )


def _box(**changes):
    return {**YAK, **changes}


BAD_BOXES = {
    "string coordinate": ([_box(x="10")], "invalid_number"),
    "boolean coordinate": ([_box(width=True)], "invalid_number"),
    "null coordinate": ([_box(y=None)], "invalid_number"),
    "negative width": ([_box(width=-5)], "invalid_size"),
    "zero height": ([_box(height=0)], "invalid_size"),
    "outside right edge": ([_box(x=620, width=30)], "box_outside_image"),
    "outside top edge": ([_box(y=-1.5)], "box_outside_image"),
    "entirely outside": ([_box(x=700, width=5)], "box_outside_image"),
    "unknown label": ([_box(label="dragon")], "unknown_label"),
    "label as id": ([_box(label=1)], "unknown_label"),
    "missing field": ([{"label": "yak", "x": 1, "y": 1, "width": 2}], "invalid_boxes"),
    "extra field": ([_box(score=0.9)], "invalid_boxes"),
    "box not an object": (["yak"], "invalid_boxes"),
    "boxes not a list": ({"label": "yak"}, "invalid_boxes"),
    "ten thousand boxes": ([_box(x=i % 600) for i in range(10_000)], "too_many_boxes"),
}


@pytest.mark.parametrize("case", sorted(BAD_BOXES))
def test_bad_boxes_are_refused_with_400_and_change_nothing(leased, annotator, case):
    boxes, code = BAD_BOXES[case]
    before = _state(leased)
    response = api_client(annotator).put(
        f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": boxes, "version": 1}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and response.json()["detail"]
    assert _state(leased) == before


def test_a_refusal_counts_boxes_from_one_as_the_tool_lists_them(leased, annotator):
    response = api_client(annotator).put(
        f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [_box(), _box(width=0)], "version": 1}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Box 2 ") and body["field"] == "boxes[1]"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused_even_when_the_json_parser_accepts_them(leased, annotator, literal):
    before = _state(leased)
    body = json.dumps({"boxes": [_box()], "version": 1}).replace('"x": 10', f'"x": {literal}')
    assert literal in body
    response = _put_raw(annotator, leased, body)
    assert response.status_code == 400 and response.json()["code"] in {"parse_error", "invalid", "invalid_number"}
    assert _state(leased) == before


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_the_service_itself_refuses_non_finite_numbers(leased, annotator, value):
    before = _state(leased)
    with pytest.raises(InvalidBoxes) as refused:
        annotation_save(task=leased, author=annotator, boxes=[_box(height=value)], expected_version=1)
    assert refused.value.code == "invalid_number"
    assert _state(leased) == before


def test_a_label_of_another_project_is_unknown_here(leased, annotator):
    make_project("Tents", labels=("herder_tent",))
    before = _state(leased)
    response = api_client(annotator).put(
        f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [_box(label="herder_tent")], "version": 1},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "unknown_label"
    assert _state(leased) == before


def test_project_box_limit_is_enforced(project, annotator):
    project.max_boxes_per_image = 3
    project.save()
    task = make_task(project)
    task_lease_next(project=project, annotator=annotator)
    before = _state(task)
    response = api_client(annotator).put(
        f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [YAK] * 4, "version": 0}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "too_many_boxes"
    assert _state(task) == before


def test_an_overshoot_of_up_to_one_pixel_is_clamped(leased, annotator):
    response = api_client(annotator).put(
        f"/api/v1/tasks/{leased.pk}/annotation/",
        {"boxes": [_box(x=-0.75, y=470, width=20, height=10.9)], "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["boxes"] == [{"label": "yak", "x": 0.0, "y": 470.0, "width": 19.25, "height": 10.0}]


BAD_ENVELOPES = {
    "version as string": {"boxes": [YAK], "version": "1"},
    "version missing": {"boxes": [YAK]},
    "negative version": {"boxes": [YAK], "version": -1},
    "unknown field": {"boxes": [YAK], "version": 1, "status": "accepted"},
    "active seconds as string": {"boxes": [YAK], "version": 1, "active_seconds": "5"},
    "negative active seconds": {"boxes": [YAK], "version": 1, "active_seconds": -5},
}


@pytest.mark.parametrize("case", sorted(BAD_ENVELOPES))
def test_bad_request_bodies_are_refused(leased, annotator, case):
    before = _state(leased)
    response = api_client(annotator).put(f"/api/v1/tasks/{leased.pk}/annotation/", BAD_ENVELOPES[case],
                                         format="json")
    assert response.status_code == 400 and "code" in response.json()
    assert _state(leased) == before


def test_stale_version_is_409_with_current_version(leased, annotator):
    before = _state(leased)
    response = api_client(annotator).put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 0},
                                         format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": response.json()["detail"], "code": "version_conflict",
                               "current_version": 1}
    assert _state(leased) == before


def test_expired_lease_is_409_lease_expired(leased, annotator):
    Lease.objects.filter(task=leased).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _state(leased)
    client = api_client(annotator)
    for response in [
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 1}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/skip/", {"reason": "late"}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/heartbeat/", {"active_seconds": 5}, format="json"),
    ]:
        assert response.status_code == 409 and response.json()["code"] == "lease_expired"
    assert _state(leased) == before


def test_another_annotators_task_is_invisible(leased, project):
    intruder = make_user()
    add_member(project, intruder, Role.ANNOTATOR)
    before = _state(leased)
    client = api_client(intruder)
    for response in [
        client.get(f"/api/v1/tasks/{leased.pk}/"),
        client.get(f"/api/v1/tasks/{leased.pk}/annotation/"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 1}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/skip/", {"reason": "mine now"}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/heartbeat/", {}, format="json"),
    ]:
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert _state(leased) == before


def test_another_projects_task_is_invisible(leased, outsider, other_project):
    """An annotator of another project, even holding a lease there, cannot touch this task."""
    make_task(other_project)
    task_lease_next(project=other_project, annotator=outsider)
    before = _state(leased)
    client = api_client(outsider)
    for response in [
        client.get(f"/api/v1/tasks/{leased.pk}/"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 1}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json"),
        client.post(f"/api/v1/projects/{leased.project_id}/tasks/next/"),
    ]:
        assert response.status_code == 404
    assert _state(leased) == before


def test_a_submitted_annotation_is_closed_to_its_annotator(leased, annotator):
    client = api_client(annotator)
    assert client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json").status_code == 200
    before = _state(leased)
    for response in [
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 2}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/skip/", {"reason": "oops"}, format="json"),
    ]:
        assert response.status_code == 409 and response.json()["code"] == "already_submitted"
    assert _state(leased) == before


@pytest.mark.parametrize(
    "path, body",
    [
        ("heartbeat", {"active_seconds": "5"}),
        ("heartbeat", {"active_seconds": -1}),
        ("heartbeat", {"active_seconds": True}),
        ("heartbeat", {"seconds": 5}),
        ("submit", {"active_seconds": "lots"}),
        ("skip", {}),
        ("skip", {"reason": ""}),
        ("skip", {"reason": "x" * 501}),
        ("skip", {"reason": 42}),
    ],
)
def test_bad_bodies_of_the_workflow_verbs_are_refused(leased, annotator, path, body):
    before = _state(leased)
    response = api_client(annotator).post(f"/api/v1/tasks/{leased.pk}/{path}/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] and response.json()["detail"]
    assert _state(leased) == before


def test_heartbeat_with_nan_literal_is_refused(leased, annotator):
    before = _state(leased)
    response = api_client(annotator).generic(
        "POST", f"/api/v1/tasks/{leased.pk}/heartbeat/", '{"active_seconds": NaN}', content_type="application/json"
    )
    assert response.status_code == 400
    assert _state(leased) == before
