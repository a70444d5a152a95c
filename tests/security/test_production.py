"""Production mode: deploy checks, secure headers and cookies, CSRF, throttling, passwords, media."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD, api_client, make_user

ROOT = Path(settings.BASE_DIR)
STRONG_KEY = "k3-yak-Qinghai-" + "x9Z!p2@Lm#" * 6


def _run(code: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, *code.split()] if code.startswith("manage.py") else [sys.executable, "-c", code],
        cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_debug_off_and_a_strong_key():
    done = _run("manage.py check --deploy --fail-level WARNING", DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_debug_off_without_secret_key_refuses_to_start():
    done = _run("manage.py check", DEBUG="0", SECRET_KEY="")
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr


def test_production_settings_values():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, "
        "getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    done = _run(code, DEBUG="0", SECRET_KEY=STRONG_KEY, TRUST_X_FORWARDED_PROTO="1")
    assert done.stdout.split() == ["False", "True", "True", "True", "True", "DENY", "True",
                                   "('HTTP_X_FORWARDED_PROTO',", "'https')"], done.stderr


@pytest.mark.django_db
def test_security_headers_on_pages_and_api(client, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    page = client.get("/accounts/login/", secure=True)
    api = client.get("/api/v1/users/me/", secure=True)
    for response in (page, api):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Strict-Transport-Security"].startswith("max-age=3600")


@pytest.mark.django_db
def test_plain_http_is_redirected_when_ssl_redirect_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
def test_session_authenticated_api_writes_need_the_csrf_token(project, supervisor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(supervisor)
    refused = client.patch(f"/api/v1/projects/{project.pk}/", {"description": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["detail"]
    project.refresh_from_db()
    assert project.description == ""
    # The same session with the token from the login page's cookie succeeds.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    done = client.patch(f"/api/v1/projects/{project.pk}/", {"description": "x"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200


@pytest.mark.django_db
def test_token_writes_need_no_csrf_token(project, supervisor):
    client = api_client(supervisor)
    client.enforce_csrf_checks = True
    assert client.patch(f"/api/v1/projects/{project.pk}/", {"description": "y"}, format="json").status_code == 200


@pytest.mark.django_db
def test_eleventh_token_attempt_in_a_minute_is_throttled_with_json(annotator, settings):
    # The rate throttle alone: the login guard (which locks at the tenth failure) is set aside.
    settings.AXES_FAILURE_LIMIT = 1000
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "annotator", "password": "guess"}, format="json").status_code
        for _ in range(10)
    ]
    assert statuses == [400] * 10
    # Even the right password is refused now: guessing cannot continue.
    eleventh = client.post("/api/v1/auth/token/", {"username": "annotator", "password": PASSWORD}, format="json")
    assert eleventh.status_code == 429
    assert eleventh.json()["code"] == "throttled"
    assert int(eleventh["Retry-After"]) > 0


def test_uploads_scope_has_a_rate():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["uploads"]
    assert "config.throttling.ScopedRateThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "admin-admin"])
def test_weak_passwords_are_refused(admin_user, password):
    response = api_client(admin_user).post(
        "/api/v1/users/", {"username": "admin-admin", "password": password}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "weak_password"
    assert not type(admin_user).objects.filter(username="admin-admin").exists()


@pytest.mark.django_db
def test_media_files_are_never_served_by_url(settings, client, annotator, project):
    from tests.factories import make_task

    task = make_task(project)
    name = task.image.file.name
    assert (Path(settings.MEDIA_ROOT) / name).exists()
    client.force_login(make_user(is_staff=True))
    for debug in (True, False):
        settings.DEBUG = debug
        assert client.get(f"/media/{name}").status_code == 404
        assert client.get(f"/{name}").status_code == 404


def test_media_root_is_outside_static_root():
    media, static = Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()
    assert static not in media.parents and media != static
