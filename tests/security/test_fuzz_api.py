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
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from config.wsgi import application
from tests.factories import add_member, api_client, make_project, make_task, make_user

# What serializers answer about a request's shape (DRF's field codes and ours).
SHAPE_CODES = {
    "invalid", "required", "null", "blank", "unknown_field", "not_a_list", "not_a_dict", "empty",
    "max_length", "min_length", "max_value", "min_value", "max_string_length", "invalid_choice",
    "parse_error", "unsupported_media_type", "date", "datetime", "overflow", "no_name", "null_characters_not_allowed",
    "surrogate_characters_not_allowed", "incorrect_type", "does_not_exist",
}


@schemathesis.check
def allowed_data_is_not_refused_for_its_shape(ctx, response, case):
    """Data the schema allows is never refused for its shape (415, or a serializer's 400).

    Schemathesis' own positive_data_acceptance refuses every 400; but a request can
    have the documented shape and still be wrong in content the schema cannot
    judge (a wrong password, a file that is not COCO, a user who is not an
    annotator here). Those refusals carry their own code, which this check allows.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 415:
        raise AssertionError(f"A documented content type was refused: {response.text[:200]}")
    if response.status_code == 400:
        code = response.json().get("code")
        if code in SHAPE_CODES:
            raise AssertionError(f"Schema-valid data refused for its shape ({code}): {response.text[:300]}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    allowed_data_is_not_refused_for_its_shape,
    negative_data_rejection,
]
ROLES = ["annotator", "supervisor", "client", "admin"]


# Loading the schema touches no table, so it can happen at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# The fuzzing phase, in both modes, with a bounded number of examples per operation;
# the coverage phase (every boundary of every field, unbounded) would take far longer.
schema.config.phases.coverage.enabled = False

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
