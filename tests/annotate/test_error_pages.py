"""Refused and missing pages look like the site and offer a way back; a 403 logs one line."""

import logging

import pytest
from django.contrib.staticfiles import finders

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_forbidden_page_is_styled_and_logs_no_traceback(client, project, client_user, caplog):
    assert client.login(username=client_user.username, password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/annotate/projects/{project.pk}/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-page"' in html and 'class="topbar"' in html and 'href="/"' in html
    assert "Not allowed" in html

    [record] = [r for r in caplog.records if r.name == "django.request"]
    console = next(
        h for h in logging.getLogger().handlers if any(type(f).__name__ == "ClientErrorWithoutTraceback" for f in h.filters)
    )
    assert console.filter(record)
    printed = console.format(record)
    assert "Forbidden" in printed and "Traceback" not in printed and len(printed.splitlines()) == 1


def test_a_missing_page_is_styled_but_the_api_keeps_its_json(client, annotator):
    assert client.login(username=annotator.username, password=PASSWORD)
    page = client.get("/annotate/no-such-page/")
    assert page.status_code == 404 and 'data-testid="error-page"' in page.content.decode()
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found.", "code": "not_found"}


def test_anonymous_visitors_get_a_sign_in_link_on_a_missing_page(client):
    html = client.get("/nothing-here/").content.decode()
    assert "/accounts/login/?next=/nothing-here/" in html


def test_favicon_is_served_for_pages_that_do_not_name_one(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("annotate/favicon.svg")
    assert finders.find("annotate/favicon.svg")
