"""Fuzzing the API from its own OpenAPI schema: the schema is the truth.

Schemathesis generates requests for every operation in /api/schema/, in both
phases (positive: data the schema allows; negative: data it forbids), and
sends them in-process to the WSGI app with each role's token. Besides "no 5xx"
and "answers as documented" (status, content type, body, headers), data the
schema allows must not be refused as invalid, and data it forbids must not be
accepted. Half the generated path ids are replaced by ids of real rows of the
role's project (see the hook below), so writes with fuzzed bodies reach real
objects, not only the 404 path. Examples per operation are bounded (derandomized)
so the run stays within a few minutes.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from config.wsgi import application
from tests.factories import add_member, api_client, make_project, make_task, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
ROLES = ["annotator", "supervisor", "client", "admin"]


# Loading the schema touches no table, so it can happen at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Ids of real rows of the current test, so that half the generated ids hit them.
REAL_IDS: dict[str, int] = {}


@schema.hook("map_path_parameters")
def _point_some_ids_at_real_rows(ctx, path_parameters):
    for name, value in list((path_parameters or {}).items()):
        if name in REAL_IDS and isinstance(value, int) and value % 2 == 0:
            path_parameters[name] = REAL_IDS[name]
    return path_parameters


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI handler, which closes "old" connections at
    request start and end; inside the test's transaction that would close it
    (Django's own test client disconnects these handlers the same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def role_token(request, db):
    """A token of one role, in a project with tasks (admins: staff, in no project)."""
    supervisor = make_user("fuzz-supervisor")
    for _ in range(2):
        project = make_project()
        add_member(project, supervisor, Role.SUPERVISOR)
        make_task(project)
    users = {"supervisor": supervisor, "admin": make_user("fuzz-admin", is_staff=True)}
    for role in (Role.ANNOTATOR, Role.CLIENT):
        users[role] = make_user(f"fuzz-{role}")
        add_member(project, users[role], role)
    task = make_task(project)
    REAL_IDS.update(project_id=project.pk, image_id=task.image_id, task_id=task.pk)
    client = api_client(users[request.param])
    return client._credentials["HTTP_AUTHORIZATION"]


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_answers_every_generated_request_as_documented(case, role_token):
    case.call_and_validate(headers={"Authorization": role_token}, checks=CHECKS)
