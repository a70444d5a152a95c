"""The schema and docs are for signed-in users in production; every answer carries the CSP."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, api_client, make_user
from tests.security.test_production import STRONG_KEY, _run

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(settings):
    settings.API_DOCS_PUBLIC = False


def test_anonymous_visitors_get_neither_schema_nor_docs(closed):
    anonymous = Client()
    schema = anonymous.get("/api/schema/")
    assert schema.status_code == 401 and b"not_authenticated" in schema.content
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/?next=/api/docs/")
    assert anonymous.get("/api/docs/?script=").status_code == 302


def test_signed_in_users_read_them(closed):
    user = make_user("reader")
    assert api_client(user).get("/api/schema/?format=json").status_code == 200
    browser = Client()
    assert browser.login(username="reader", password=PASSWORD)
    assert browser.get("/api/docs/").status_code == 200


def test_a_setting_opens_them(settings):
    settings.API_DOCS_PUBLIC = True
    assert Client().get("/api/schema/").status_code == 200


def test_closed_by_default_when_debug_is_off():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.API_DOCS_PUBLIC)"
    assert _run(code, DEBUG="0", SECRET_KEY=STRONG_KEY).stdout.strip() == "False"
    assert _run(code, DEBUG="0", SECRET_KEY=STRONG_KEY, API_DOCS_PUBLIC="1").stdout.strip() == "True"


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/users/me/", "/admin/login/"])
def test_every_answer_carries_a_policy_without_inline_script(path):
    policy = Client().get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
