import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import api_client

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_openapi_schema_lists_the_contract():
    response = api_client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/auth/token/", "/api/v1/users/me/", "/api/v1/projects/", "/api/v1/projects/{project_id}/members/"]:
        assert path in paths


@pytest.mark.django_db
def test_api_docs_page_loads_no_external_assets(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page and "https://" not in page.split("<body")[0]


def _settings_probe(env: dict) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE, settings.USE_TZ, settings.CELERY_TASK_ALWAYS_EAGER)"
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_required_when_debug_is_off():
    result = _settings_probe({"DEBUG": "0"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_defaults_need_nothing_and_run_celery_eagerly():
    result = _settings_probe({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Asia/Shanghai", "True", "True"]
    with_broker = _settings_probe({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert with_broker.stdout.split()[-1] == "False"
