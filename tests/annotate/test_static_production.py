"""In production (DEBUG off) whitenoise serves the box tool's modules from collectstatic."""

from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

ANNOTATE_STATIC = Path(__file__).resolve().parents[2] / "annotate" / "static"
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "annotate.staticstorage.ModuleManifestStaticFilesStorage"},
}


def _serve(middleware, path: str):
    response = middleware(RequestFactory().get(path))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.django_db
def test_collectstatic_then_whitenoise_serves_hashed_tool_modules(tmp_path):
    # Only this app's files: the whole project's (admin, API docs) take many seconds to compress.
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=tmp_path / "static",
        STORAGES=PRODUCTION_STORAGES,
        STATICFILES_DIRS=[ANNOTATE_STATIC],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        middleware = WhiteNoiseMiddleware(lambda request: pytest.fail(f"not served: {request.path}"))
        app_url = staticfiles_storage.url("annotate/tool/app.js")
        api_url = staticfiles_storage.url("annotate/tool/api.js")
        assert app_url != "/static/annotate/tool/app.js", "no hashed name"

        response, body = _serve(middleware, app_url)
        assert response.status_code == 200
        assert "javascript" in response["Content-Type"]
        assert "immutable" in response["Cache-Control"]
        # The module's own imports point at hashed siblings, so they can be cached forever too.
        hashed_api = api_url.rsplit("/", 1)[1]
        assert f'from "./{hashed_api}"'.encode() in body
        assert b'from "./api.js"' not in body

        response, body = _serve(middleware, api_url)
        assert response.status_code == 200 and b"export const api" in body
