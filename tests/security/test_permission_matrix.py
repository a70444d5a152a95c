"""Runs tests/security/permission_matrix.py: every route, every role, own/other/missing ids."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from rest_framework.views import APIView

from config.errors_views import api_not_found
from tests.factories import api_client
from tests.security.permission_matrix import ANY, EXEMPT_PREFIXES, LOGIN, OK, ROLES, ROWS, Row
from tests.security.world import World, route_exists

PAYLOAD_REFUSALS = {400, 409, 413, 415}
A_MEMBERS = {"annotator", "leased", "supervisor", "client"}
B_MEMBERS = {"outsider", "other_client"}


def _expected(row: Row, side: str, role: str):
    own = row.expect[role]
    if side == "own":
        return own
    if side == "other":
        if role in row.other:
            return row.other[role]
        if role in A_MEMBERS:
            return 404
        if role == "outsider":
            return row.expect["annotator"]
        if role == "other_client":
            return row.expect["client"]
        return own
    if role in row.missing:
        return row.missing[role]
    return own if role == "anonymous" else 404


def _send(world: World, row: Row, role: str, path: str):
    user = world.users[role]
    data = row.data(world, role) if callable(row.data) else row.data
    if path.startswith("/api/"):
        client = api_client(user)
        kwargs = {"format": row.format} if data is not None else {}
        return getattr(client, row.method.lower())(path, data, **kwargs)
    client = Client()
    if user is not None:
        client.force_login(user)
    return getattr(client, row.method.lower())(path, data or {})


def _matches(expected, response) -> bool:
    status = response.status_code
    if expected == ANY:
        return status < 500
    if expected == OK:
        return status < 400 or status in PAYLOAD_REFUSALS
    if expected == LOGIN:
        return status == 302 and response["Location"].startswith("/accounts/login/")
    return status == expected


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _outside(side: str, role: str) -> bool:
    """True when ``role`` has no business seeing anything of ``side``'s project."""
    if role == "admin":
        return False
    if role == "anonymous":
        return True
    return role in (B_MEMBERS if side == "own" else A_MEMBERS)


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_permission_row(row: Row):
    world = World()
    # A listed route that no longer resolves is a failure, never a skip: a row that
    # silently stops running would hide a renamed or deleted endpoint.
    assert route_exists(world.url(row, "own")), f"{row.id}: the matrix lists it, but no view answers it"
    problems = []
    for side in ("own", "other", "missing"):
        if side != "own" and "{" not in row.route:
            continue
        path = world.url(row, side)
        for role in ROLES:
            expected = _expected(row, side, role)
            with transaction.atomic():
                response = _send(world, row, role, path)
                body = _body(response)
                transaction.set_rollback(True)
            if response.status_code >= 500 or not _matches(expected, response):
                problems.append(f"{side:7} {role:12} expected {expected}, got {response.status_code}: {body[:120]}")
            for secret_side in ("own", "other"):
                if _outside(secret_side, role):
                    leaked = [m for m in world.markers[secret_side] if m in body]
                    if leaked:
                        problems.append(f"{side:7} {role:12} LEAK of {secret_side} project: {leaked}")
            if path.startswith("/api/") and response.status_code >= 400 and response.status_code != 405:
                payload = response.json()
                if not {"detail", "code"} <= set(payload):
                    problems.append(f"{side:7} {role:12} error without detail/code: {payload}")
    assert not problems, f"{row.id}\n" + "\n".join(problems)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


WORLD_IDS = {k: 1 for k in ("project", "task", "image", "export", "label", "user")}


def _row_routes() -> dict[str, set[str]]:
    """Route of the URL pattern each row resolves to -> methods covered."""
    covered: dict[str, set[str]] = {}
    for row in ROWS:
        try:
            match = resolve(row.route.format(**WORLD_IDS))
        except Resolver404:
            continue
        if match.func is api_not_found:
            continue
        covered.setdefault(match.route, set()).add(row.method)
    return covered


def _methods(pattern: URLPattern) -> set[str]:
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None or not issubclass(view_class, APIView):
        return set()  # pages: one row is enough
    return {m.upper() for m in view_class.http_method_names if m not in {"options", "head"} and hasattr(view_class, m)}


def test_every_route_and_method_has_a_row():
    covered = _row_routes()
    missing = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if any(route.startswith(prefix) for prefix in EXEMPT_PREFIXES):
            continue
        if route not in covered:
            missing.append(f"{route}: no row")
            continue
        lacking = _methods(pattern) - covered[route]
        if lacking:
            missing.append(f"{route}: no row for {sorted(lacking)}")
    assert not missing, "Add rows to tests/security/permission_matrix.py:\n" + "\n".join(missing)


def test_every_row_names_a_route():
    """Without a database: a row whose route is gone fails here first, by name."""
    gone = []
    for row in ROWS:
        try:
            match = resolve(row.route.format(**WORLD_IDS))
        except Resolver404:
            gone.append(row.id)
            continue
        if match.func is api_not_found:
            gone.append(row.id)
    assert not gone, "Rows whose route no view answers (renamed or deleted?):\n" + "\n".join(gone)


def test_rows_are_unique():
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids))
    for row in ROWS:
        assert set(row.expect) == set(ROLES), row.id


@pytest.mark.django_db
def test_list_counts_leak_nothing_to_another_projects_client():
    world = World()
    body = api_client(world.users["other_client"]).get("/api/v1/projects/").json()
    assert body["count"] == 1 and body["results"][0]["id"] == world.sides["other"]["project"]
    own_audit = api_client(world.users["other_client"]).get(f"/api/v1/projects/{world.sides['own']['project']}/audit/")
    assert own_audit.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["0", "-1", "99999999999999999999999", "1e3", "%00", "abc", "1%20OR%201=1"])
def test_forged_ids_never_500(forged):
    world = World()
    client = api_client(world.users["supervisor"])
    for template in ("/api/v1/projects/{}/", "/api/v1/images/{}/file/", "/api/v1/projects/{}/members/"):
        response = client.get(template.format(forged))
        assert response.status_code == 404, (template, forged, response.status_code)
        assert response.json()["code"] == "not_found"
