"""A task's work in few requests: Ctrl+Enter is one request, drawing sends saves and no heartbeats.

And a refused one-request submit keeps the boxes on screen and in the browser,
as a refused save does.
"""

import json

import pytest
from django.db.models import F

from labeling.models import Annotation, Lease
from tests.browser.helpers import (
    annotator_with_scenes, draw_box, start_labeling, stored_boxes, wait_drawn, wait_saved, wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

W, H = 1200, 900


@pytest.fixture
def setup(live_server):
    return annotator_with_scenes(W, H)


def _record_api_calls(page) -> list:
    """The page's API requests (fetches; images load as images), from now on."""
    calls = []
    page.on("request", lambda r: calls.append(r) if "/api/v1/" in r.url and r.resource_type == "fetch" else None)
    return calls


def _draft(page, user, task):
    raw = page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')")
    return json.loads(raw) if raw else None


def test_ctrl_enter_after_drawing_is_one_request_and_shows_the_next_task(live_server, page, setup):
    project, user, tasks = setup
    first, model = start_labeling(page, live_server, project, user, W, H)
    second = next(t for t in tasks if t.pk != first.pk)
    calls = _record_api_calls(page)
    draw_box(page, model, 100, 100, 300, 260)
    page.keyboard.press("Control+Enter")  # before the autosave delay ran out
    wait_drawn(page, second.pk)
    # One request carried the box, the submit and the ask for the next task.
    assert [(r.method, r.url.replace(live_server.url, "")) for r in calls] == [
        ("POST", f"/api/v1/tasks/{first.pk}/submit/")]
    body = calls[0].post_data_json
    assert body["next"] is True and body["version"] == 0 and len(body["boxes"]) == 1
    assert "active_seconds" in body
    annotation = Annotation.objects.get(task=first, annotator=user)
    assert annotation.status == "submitted" and len(stored_boxes(first, user)) == 1
    assert page.locator('[data-testid="box-item"]').count() == 0
    assert _draft(page, user, first) is None
    page.wait_for_selector('[data-testid="progress-today"]:has-text("1 submitted today")')
    # The switch is still measured, in phases of the one request.
    phases = page.evaluate("window.__plateau.phases")
    assert len(phases) == 1 and phases[0]["next"] == 0 and phases[0]["submit"] > 0
    assert len(page.evaluate("window.__plateau.switches")) == 1

    # Nothing unsaved on the second task: the submit goes without boxes, still one request.
    calls.clear()
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="all-done"]', state="visible")
    assert [(r.method, r.url.replace(live_server.url, "")) for r in calls[:1]] == [
        ("POST", f"/api/v1/tasks/{second.pk}/submit/")]
    assert "boxes" not in calls[0].post_data_json and calls[0].post_data_json["next"] is True
    assert Annotation.objects.get(task=second, annotator=user).status == "submitted"


def test_drawing_longer_than_the_heartbeat_interval_sends_saves_and_no_heartbeat(live_server, page, setup, settings):
    settings.LABELING_TOOL_HEARTBEAT_SECONDS = 4
    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    first_expiry = Lease.objects.get(task=task, annotator=user).expires_at
    calls = _record_api_calls(page)
    # Box after box, each saved before the next is drawn, for two heartbeat intervals and more.
    started = page.evaluate("performance.now()")
    n = 0
    while page.evaluate("performance.now()") - started < 2 * 4000 + 500:
        x = 40 + (n % 10) * 110
        y = 60 + (n // 10) * 120
        draw_box(page, model, x, y, x + 80, y + 90)
        n += 1
        wait_until(page, lambda: page.evaluate("window.__plateauTool.saver.current") == "saved", what="saved")
    heartbeats = [r for r in calls if r.url.endswith("/heartbeat/")]
    saves = [r for r in calls if r.method == "PUT" and r.url.endswith(f"/tasks/{task.pk}/annotation/")]
    assert heartbeats == [] and len(saves) >= n
    # The saves kept the lease, and carried the active time once per interval, not each time.
    reported = [r for r in saves if "active_seconds" in r.post_data_json]
    assert 1 <= len(reported) <= len(saves) // 2, (len(reported), len(saves))
    assert Annotation.objects.get(task=task, annotator=user).active_seconds > 0
    assert Lease.objects.get(task=task, annotator=user).expires_at > first_expiry
    assert len(stored_boxes(task, user)) == n
    # Once the drawing stops, the heartbeat takes over.
    wait_until(page, lambda: any(r.url.endswith("/heartbeat/") for r in calls), timeout=20, what="a heartbeat")


def test_a_stale_one_request_submit_keeps_the_boxes_as_a_stale_save_does(live_server, page, setup):
    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    draw_box(page, model, 100, 100, 300, 260)
    wait_saved(page)
    # Someone else writes the annotation behind the page's back; then a second box and Ctrl+Enter at once.
    Annotation.objects.filter(task=task, annotator=user).update(version=F("version") + 5)
    draw_box(page, model, 500, 400, 700, 600)
    page.keyboard.press("Control+Enter")
    notice = page.locator('[data-testid="notice-blocked"]')
    notice.wait_for()
    assert "changed elsewhere" in notice.inner_text()
    assert page.locator('[data-testid="box-item"]').count() == 2
    assert len(_draft(page, user, task)["boxes"]) == 2
    annotation = Annotation.objects.get(task=task, annotator=user)
    assert annotation.status == "draft" and len(stored_boxes(task, user)) == 1
    # Kept over theirs, then submitted.
    page.click('[data-testid="overwrite-draft"]')
    wait_saved(page)
    page.keyboard.press("Control+Enter")
    wait_until(page, lambda: Annotation.objects.get(task=task, annotator=user).status == "submitted",
               what="submitted")
    assert len(stored_boxes(task, user)) == 2


def test_a_submit_lost_offline_or_to_a_server_error_keeps_the_boxes(live_server, page, setup):
    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    # A server error on the submit: the boxes stay, the tool retries the save.
    failing = {"on": True}

    def fail_submit(route):
        if failing["on"]:
            route.fulfill(status=500, content_type="application/json", body='{"detail": "boom", "code": "error"}')
        else:
            route.continue_()

    page.route("**/api/v1/tasks/*/submit/", fail_submit)
    draw_box(page, model, 100, 100, 300, 260)
    page.keyboard.press("Control+Enter")
    page.locator('[data-testid="notice-submit"]').wait_for()
    assert page.locator('[data-testid="box-item"]').count() == 1
    assert len(_draft(page, user, task)["boxes"]) == 1
    assert Annotation.objects.get(task=task, annotator=user).status == "draft"
    # The save is retried on its own; the annotation is then saved, not submitted.
    wait_saved(page)
    assert len(stored_boxes(task, user)) == 1 and _draft(page, user, task) is None
    failing["on"] = False

    # Offline: Ctrl+Enter after a second box says so and keeps both.
    page.context.set_offline(True)
    draw_box(page, model, 500, 400, 700, 600)
    page.keyboard.press("Control+Enter")
    notice = page.locator('[data-testid="notice-submit"]')
    wait_until(page, lambda: "no connection" in notice.inner_text(), what="the offline notice")
    assert page.locator('[data-testid="box-item"]').count() == 2
    assert len(_draft(page, user, task)["boxes"]) == 2
    assert Annotation.objects.get(task=task, annotator=user).status == "draft"
    page.context.set_offline(False)
    wait_saved(page)
    page.keyboard.press("Control+Enter")
    wait_until(page, lambda: Annotation.objects.get(task=task, annotator=user).status == "submitted",
               what="submitted")
    assert len(stored_boxes(task, user)) == 2
