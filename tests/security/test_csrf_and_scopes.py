"""Every API write refuses a session without its CSRF token; uploads carry their throttle scope."""

import pytest
from django.db import transaction
from django.urls import resolve
from rest_framework.test import APIClient

from tests.security.permission_matrix import ROWS, Row
from tests.security.world import World, route_exists

WRITES = [row for row in ROWS if row.method in {"POST", "PUT", "PATCH", "DELETE"} and row.route.startswith("/api/v1/")
          and row.route != "/api/v1/auth/token/"]


@pytest.mark.django_db
@pytest.mark.parametrize("row", WRITES, ids=[row.id for row in WRITES])
def test_session_write_without_csrf_token_is_refused(row: Row):
    world = World()
    path = world.url(row, "own")
    if not route_exists(path):
        pytest.skip(f"{row.route} is not on this branch yet")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])  # allowed everything, so only CSRF can refuse
    data = row.data(world, "admin") if callable(row.data) else row.data
    with transaction.atomic():
        response = getattr(client, row.method.lower())(path, data, format=row.format)
        transaction.set_rollback(True)
    assert response.status_code == 403, response.content
    assert "CSRF" in response.json()["detail"]


UPLOADS = "/api/v1/projects/1/images/"


def test_image_upload_view_uses_the_uploads_throttle_scope():
    if not route_exists(UPLOADS):
        pytest.skip("the upload route is not on this branch yet")
    view_class = resolve(UPLOADS).func.view_class
    assert getattr(view_class, "throttle_scope", None) == "uploads"


@pytest.mark.django_db
def test_token_view_uses_the_token_scope():
    assert resolve("/api/v1/auth/token/").func.view_class.throttle_scope == "token"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["supervisor", "client_user", "annotator"])
def test_django_admin_and_its_audit_pages_are_staff_only(who, request, client):
    client.force_login(request.getfixturevalue(who))
    for path in ("/admin/", "/admin/accounts/auditevent/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
