"""The upload page in real Chromium: many files, per-file progress and results."""

import pytest

from labeling.models import Image, Task
from tests.factories import PASSWORD, add_member, make_project, make_user
from tests.labeling.ingest.samples import encoded, jpeg_bytes, zip_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_uploads_files_and_sees_each_result(live_server, page, tmp_path):
    project = make_project("Upload test")
    supervisor = make_user("sup")
    add_member(project, supervisor, "supervisor")
    files = []
    for i in range(6):
        path = tmp_path / f"yak_{i}.jpg"
        path.write_bytes(jpeg_bytes(320, 240, color=(20 * i, 90, 60)))
        files.append(path)
    (tmp_path / "fake.jpg").write_bytes(b"<html>not a photo</html>")
    (tmp_path / "flight.zip").write_bytes(zip_bytes({"a.png": encoded("PNG"), "notes.txt": b"log"}))
    files += [tmp_path / "fake.jpg", tmp_path / "flight.zip", files[0]]

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/images/")
    page.set_input_files("[data-testid=upload-input]", [str(p) for p in files])

    rows = page.locator("[data-testid=upload-row]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=upload-row]')]"
        ".every(r => ['created', 'duplicate', 'error'].includes(r.dataset.status))",
        timeout=30_000,
    )
    statuses = [rows.nth(i).get_attribute("data-status") for i in range(rows.count())]
    assert statuses == ["created"] * 6 + ["error", "error", "duplicate"]
    assert "markup" in rows.nth(6).inner_text()
    assert "a.png: created" in rows.nth(7).inner_text() and "notes.txt" in rows.nth(7).inner_text()
    # Every bar is full and the counters add up.
    assert page.evaluate("[...document.querySelectorAll('[data-testid=upload-row] progress')].every(p => p.value === 1)")
    assert page.locator("[data-count=created]").inner_text() == "7"
    assert page.locator("[data-count=done]").inner_text() == "9"
    # Files and images are counted apart: the zip is one file, and two images.
    assert page.locator("[data-testid=upload-files-line]").inner_text() == "Files: 9 of 9 sent"
    assert page.locator("[data-testid=upload-images-line]").inner_text() == (
        "Images: 7 created · 1 already in the project · 2 refused (2 of them from inside 1 zip)")
    assert Image.objects.filter(project=project).count() == 7
    assert Task.objects.filter(project=project).count() == 7
