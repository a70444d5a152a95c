"""Hostile query strings on every GET endpoint the schema lists: 400 in the error shape, never a 500.

The walk takes its endpoints and parameters from the published schema (which
the fuzzer holds to what the views read), so a list endpoint added later is
walked too. Each request is made as an admin, on real rows, so it reaches the
code that reads the parameter.
"""

import pytest
from django.test import Client

from tests.factories import api_client, make_project, make_task, make_user
from tests.security.world import World

# What an attacker sends, by the parameter's declared type.
HOSTILE = {
    "string": ["\x00", "yak\x00", "x" * 5000],
    "integer": ["\x00", "abc", "-1", "1.5", "99999999999999999999", "1e400"],
    "date-time": ["\x00", "2026-01-01T00:00:00+99:00", "2026-13-40T00:00:00", "yesterday", "99999-01-01T00:00:00"],
    "enum": ["\x00", "bogus", "ACCEPTED"],
}

# The parameters the audit found giving 500s, and their neighbours: the walk must reach them.
MUST_WALK = {
    ("/api/v1/projects/{project_id}/audit/", "action"),
    ("/api/v1/audit/", "since"),
    ("/api/v1/audit/", "project"),
    ("/api/v1/projects/{project_id}/images/", "bbox"),
    ("/api/v1/projects/{project_id}/images/", "taken_after"),
    ("/api/v1/projects/{project_id}/review-queue/", "flag"),
    ("/api/v1/projects/{project_id}/review-queue/", "annotator"),
    ("/api/v1/projects/{project_id}/tasks/", "status"),
    ("/api/v1/tasks/{task_id}/annotation/", "annotator"),
    ("/api/v1/projects/", "offset"),
    ("/api/v1/projects/{project_id}/review-queue/", "limit"),
}


def _kind(schema: dict) -> str:
    if "enum" in schema:
        return "enum"
    if schema.get("format") == "date-time":
        return "date-time"
    return "integer" if schema.get("type") == "integer" else "string"


def _get_operations(schema: dict):
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation:
            params = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if params:
                yield path, params


@pytest.mark.django_db
def test_every_query_parameter_refuses_hostile_values_in_the_error_shape():
    world = World()
    admin = world.users["admin"]
    own = world.sides["own"]
    ids = {"project_id": own["project"], "task_id": own["task"], "image_id": own["image"],
           "export_id": own["export"], "user_id": own["user"]}
    schema = api_client(admin).get("/api/schema/?format=json").json()
    walked, failures = set(), []
    for template, params in _get_operations(schema):
        path = template.format(**ids)
        for param in params:
            walked.add((template, param["name"]))
            kind = _kind(param["schema"])
            values = list(HOSTILE[kind])
            maximum = param["schema"].get("maximum")
            if maximum is not None:
                values.append(str(maximum + 1))
            if param["schema"].get("maxLength"):
                values.append("a" * (param["schema"]["maxLength"] + 1))
            for value in values:
                answer = api_client(admin).get(path, {param["name"]: value})
                body = answer.json() if answer["Content-Type"].startswith("application/json") else {}
                if answer.status_code != 400 or not {"detail", "code"} <= set(body):
                    failures.append((template, param["name"], repr(value)[:40], answer.status_code))
    assert MUST_WALK <= walked, MUST_WALK - walked
    assert not failures, failures


@pytest.mark.django_db
def test_the_two_reported_500s_answer_400():
    admin = make_user("boss", is_staff=True)
    task = make_task(make_project())
    client = api_client(admin)
    nul = client.get(f"/api/v1/projects/{task.project_id}/audit/?action=%00")
    offset = client.get("/api/v1/audit/?since=2026-01-01T00:00:00%2B99:00")
    for answer in (nul, offset):
        assert answer.status_code == 400
        assert set(answer.json()) >= {"detail", "code"}


@pytest.mark.django_db
def test_an_offset_past_the_database_range_is_a_400_not_a_500():
    client = api_client(make_user("boss2", is_staff=True))
    for query in ("offset=99999999999999999999", "limit=99999999999999999999", "limit=0", "offset=-5", "limit=%00"):
        answer = client.get(f"/api/v1/projects/?{query}")
        assert answer.status_code == 400, (query, answer.status_code)
        assert answer.json()["code"]


@pytest.mark.django_db
def test_a_blank_filter_is_no_filter():
    world = World()
    client = api_client(world.users["admin"])
    project = world.sides["own"]["project"]
    assert client.get(f"/api/v1/projects/{project}/tasks/?status=").status_code == 200
    assert client.get(f"/api/v1/projects/{project}/images/?bbox=&taken_after=").status_code == 200
    assert Client().get("/api/v1/projects/?limit=").status_code in (401, 403)
