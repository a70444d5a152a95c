"""Signed image links: what the tool fetches its images by, answered before Django.

The task an annotator leased names its display image and thumbnail by links
that work without a token (as a presigned object-storage URL does); a link
that is forged, edited, expired or names a file outside the media folder
opens nothing, and the guarded routes stay as they were.
"""

import io
import json
import time
from wsgiref.util import setup_testing_defaults

import pytest
from django.core import signing
from django.core.handlers.wsgi import WSGIHandler

from config.file_server import SignedFiles
from labeling import file_links
from labeling.models import Image
from tests.factories import api_client, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def leased(project, annotator):
    make_task(project)
    response = api_client(annotator).post(f"/api/v1/projects/{project.pk}/tasks/next/")
    assert response.status_code == 200
    return response.json()


def _no_django(environ, start_response):
    raise AssertionError("a valid link is answered before Django")


def _wsgi(path: str, method: str = "GET", app=None, **headers) -> tuple[str, dict, bytes]:
    """One request through the application gunicorn serves (the fast path, then Django)."""
    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "SERVER_NAME": "testserver",
               "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(b""), **headers}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, header_list, exc_info=None):
        seen["status"], seen["headers"] = status, dict(header_list)

    body = b"".join(SignedFiles(app or WSGIHandler())(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.mark.parametrize("kind", ["display", "thumbnail"])
def test_the_leased_task_links_its_images_and_anyone_holding_the_link_gets_the_bytes(leased, annotator, kind):
    link = leased["image"][f"{kind}_url"]
    assert link.startswith(file_links.PREFIX)
    guarded = api_client(annotator).get(f"/api/v1/images/{leased['image']['id']}/{kind}/")
    status, headers, body = _wsgi(link, app=_no_django)
    assert status == "200 OK"
    assert body == b"".join(guarded.streaming_content)
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"].startswith("private")
    assert headers["X-Content-Type-Options"] == "nosniff"
    # The same link answered by Django's view (servers without the fast path).
    through_django = api_client().get(link)
    assert through_django.status_code == 200
    assert b"".join(through_django.streaming_content) == body


def test_a_current_etag_gets_304_on_both_paths(leased):
    link = leased["image"]["display_url"]
    _, headers, _ = _wsgi(link)
    status, again, body = _wsgi(link, app=_no_django, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, body) == ("304 Not Modified", b"")
    assert again["ETag"] == headers["ETag"]
    assert api_client().get(link, HTTP_IF_NONE_MATCH=headers["ETag"]).status_code == 304


def test_head_sends_the_length_and_no_bytes(leased):
    status, headers, body = _wsgi(leased["image"]["display_url"], method="HEAD")
    assert status == "200 OK" and body == b""
    assert int(headers["Content-Length"]) > 0


def _refused(path: str, method: str = "GET") -> dict:
    status, headers, body = _wsgi(path, method=method)
    assert status.startswith("4"), status
    assert headers["Content-Type"] == "application/json"
    return {"status": int(status[:3]), **json.loads(body)}


def test_a_forged_or_edited_link_opens_nothing(leased, project):
    token = leased["image"]["display_url"][len(file_links.PREFIX):].rstrip("/")
    other = make_task(project).image
    payload, _, signature = token.rpartition(":")
    for forged in (
        f"{payload}:{'A' * len(signature)}",  # the signature guessed
        signing.Signer(salt="elsewhere").sign_object([other.file.name, 2**40]),  # signed for another use
        "not-a-token",
    ):
        assert _refused(f"{file_links.PREFIX}{forged}/")["code"] == "link_invalid", forged
    # Anything after the token is no link at all.
    for path in (f"{file_links.PREFIX}{token}/../../settings.py", f"{file_links.PREFIX}{token}/extra/"):
        assert _refused(path)["status"] == 404, path


def test_an_expired_link_opens_nothing(leased, monkeypatch):
    link = leased["image"]["thumbnail_url"]
    later = time.time() + 8 * 3600
    monkeypatch.setattr(file_links.time, "time", lambda: later)
    assert _refused(link)["code"] == "link_invalid"
    assert api_client().get(link).json()["code"] == "link_invalid"


def test_a_link_signed_for_a_file_outside_the_media_folder_opens_nothing(settings, tmp_path):
    # Even with the site's key, the name is read under MEDIA_ROOT only.
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for you")
    for name in (str(secret), "../secret.png"):
        token = signing.Signer(salt=file_links._SALT).sign_object([name, int(time.time()) + 3600])
        assert _refused(f"{file_links.PREFIX}{token}/")["code"] == "link_invalid"


def test_writes_to_a_link_are_refused_in_the_error_shape(leased):
    refused = _refused(leased["image"]["display_url"], method="POST")
    assert refused["status"] == 405
    assert refused["code"] == "method_not_allowed"


def test_the_guarded_routes_still_refuse_people_without_access(leased, outsider):
    image = Image.objects.get(pk=leased["image"]["id"])
    assert api_client(outsider).get(f"/api/v1/images/{image.pk}/display/").status_code == 404
    assert api_client().get(f"/api/v1/images/{image.pk}/display/").status_code in (401, 403)
