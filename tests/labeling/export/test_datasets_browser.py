"""The dataset page in real Chromium: request an export, watch a running one finish."""

import pytest

from labeling.models import Export
from tests.factories import PASSWORD
from tests.labeling.export.helpers import bulk_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_client_requests_an_export_and_sees_a_running_one_finish(live_server, page, project, annotator,
                                                                   client_user):
    bulk_dataset(project, annotator, images=3)
    running = Export.objects.create(project=project, version=1, state="running", progress=40)
    login(page, live_server, client_user)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/datasets/")
    row = page.locator(f'tr[data-export-id="{running.pk}"]')
    assert row.locator("progress").get_attribute("value") == "40"

    # The job finishes elsewhere; the page notices by polling the API.
    Export.objects.filter(pk=running.pk).update(state="done", progress=100, sha256="c" * 64,
                                                byte_size=2048, file="exports/x.json")
    page.wait_for_selector(f'tr[data-export-id="{running.pk}"][data-state="done"]', timeout=10_000)
    assert row.locator("a").get_attribute("href") == f"/api/v1/exports/{running.pk}/download/"
    assert "2.0" in row.inner_text() and "cccccccccccc" in row.inner_text()

    page.check("input[name=zero_based_categories]")
    page.click('[data-testid="export-submit"]')
    page.wait_for_selector('tr[data-export-id]:has-text("v2")', timeout=10_000)
    new = Export.objects.get(version=2)
    assert new.zero_based_categories and new.requested_by == client_user
    page.wait_for_selector(f'tr[data-export-id="{new.pk}"][data-state="done"]', timeout=10_000)
    download = page.locator(f'tr[data-export-id="{new.pk}"] a')
    assert download.get_attribute("download") == f"{project.slug}-v2.json"
    status = page.evaluate("async (u) => (await fetch(u)).status", download.get_attribute("href"))
    assert status == 200


def test_client_picks_the_yolo_format_and_downloads_a_zip(live_server, page, project, annotator, client_user):
    bulk_dataset(project, annotator, images=2)
    login(page, live_server, client_user)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/datasets/")

    page.check("input[name=zero_based_categories]")
    page.check("input[name=format][value=yolo]")
    assert page.is_disabled("input[name=zero_based_categories]")  # a COCO-only choice
    page.click('[data-testid="export-submit"]')
    page.wait_for_selector('tr[data-export-id]:has-text("v1")', timeout=10_000)
    export = Export.objects.get(version=1)
    assert (export.format, export.zero_based_categories) == ("yolo", False)

    page.wait_for_selector(f'tr[data-export-id="{export.pk}"][data-state="done"]', timeout=10_000)
    row = page.locator(f'tr[data-export-id="{export.pk}"]')
    assert "YOLO" in row.inner_text()
    link = row.locator("a")
    assert link.get_attribute("download") == f"{project.slug}-v1-yolo.zip"
    magic = page.evaluate(
        "async (u) => { const b = new Uint8Array(await (await fetch(u)).arrayBuffer());"
        " return String.fromCharCode(b[0], b[1]); }", link.get_attribute("href"))
    assert magic == "PK"
