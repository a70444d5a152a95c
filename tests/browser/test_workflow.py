"""Nothing drawn is lost: reloads, dropped connections, conflicts; and the task-to-task flow."""

import json
import time

import pytest
from django.db.models import F

from labeling.models import Annotation, Lease
from tests.browser.helpers import (
    annotator_with_scenes,
    draw_box,
    start_labeling,
    stored_boxes,
    wait_drawn,
    wait_saved,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

W, H = 1200, 900


@pytest.fixture
def setup(live_server):
    return annotator_with_scenes(W, H)


def test_autosave_survives_reload_and_offline_drafts_come_back(live_server, page, setup):
    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    draw_box(page, model, 100, 100, 300, 260)
    wait_saved(page)  # no Ctrl+S: saved by itself
    page.reload()
    wait_drawn(page, task.pk)
    assert page.locator('[data-testid="box-item"]').count() == 1

    # The connection drops: the box is kept in the browser...
    page.context.set_offline(True)
    draw_box(page, model, 500, 400, 700, 600)
    page.wait_for_selector('[data-testid="save-state"][data-state="offline"]')
    draft = page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')")
    assert len(json.loads(draft)["boxes"]) == 2
    # ...across closing the tab (no last-chance save: the browser knows it is offline)...
    page.close()
    assert len(stored_boxes(task, user)) == 1
    # ...and comes back, and is saved, in a new tab once the connection is back.
    page.context.set_offline(False)
    page = page.context.new_page()
    page.goto(f"{live_server.url}/annotate/tasks/{task.pk}/")
    wait_drawn(page, task.pk)
    page.wait_for_selector('[data-testid="notice-restored"]')
    wait_saved(page)
    assert page.locator('[data-testid="box-item"]').count() == 2
    assert len(stored_boxes(task, user)) == 2
    assert page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')") is None


def test_closing_the_tab_right_after_drawing_still_saves(live_server, page, setup):
    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    draw_box(page, model, 100, 100, 300, 260)
    # Closed before the autosave delay ran out: the page-hide save carries the box.
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if Annotation.objects.filter(task=task, annotator=user, boxes__isnull=False).exists():
            break
        time.sleep(0.1)
    assert len(stored_boxes(task, user)) == 1


def test_ctrl_enter_submits_and_shows_the_next_task_then_all_done(live_server, page, setup):
    project, user, tasks = setup
    first, model = start_labeling(page, live_server, project, user, W, H)
    draw_box(page, model, 100, 100, 300, 260)
    page.keyboard.press("Control+Enter")  # without waiting for the autosave
    second = next(t for t in tasks if t.pk != first.pk)
    wait_drawn(page, second.pk)
    annotation = Annotation.objects.get(task=first, annotator=user)
    assert annotation.status == "submitted" and len(stored_boxes(first, user)) == 1
    assert page.locator('[data-testid="box-item"]').count() == 0
    page.wait_for_selector('[data-testid="progress-today"]:has-text("1 submitted today")')
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="all-done"]', state="visible")
    assert Annotation.objects.get(task=second, annotator=user).status == "submitted"


def test_skip_asks_for_a_reason(live_server, page, setup):
    project, user, tasks = setup
    first, _ = start_labeling(page, live_server, project, user, W, H)
    page.click('[data-testid="skip"]')
    dialog = page.locator('[data-testid="skip-dialog"]')
    dialog.locator("select").select_option("Not sure which label applies")
    dialog.locator("textarea").fill("two animals overlap")
    dialog.locator('[data-testid="skip-confirm"]').click()
    second = next(t for t in tasks if t.pk != first.pk)
    wait_drawn(page, second.pk)
    annotation = Annotation.objects.get(task=first, annotator=user)
    assert annotation.status == "skipped"
    assert annotation.skip_reason == "Not sure which label applies: two animals overlap"


def test_a_stale_save_says_so_and_keeps_the_boxes_until_saved(live_server, page, setup):
    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    draw_box(page, model, 100, 100, 300, 260)
    wait_saved(page)
    # Someone else writes the annotation behind the page's back.
    Annotation.objects.filter(task=task, annotator=user).update(version=F("version") + 5)
    current = Annotation.objects.get(task=task, annotator=user).version
    draw_box(page, model, 500, 400, 700, 600)
    notice = page.locator('[data-testid="notice-blocked"]')
    notice.wait_for()
    assert "changed elsewhere" in notice.inner_text() and f"version {current}" in notice.inner_text()
    assert page.locator('[data-testid="box-item"]').count() == 2
    draft = json.loads(page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')"))
    assert len(draft["boxes"]) == 2
    assert len(stored_boxes(task, user)) == 1  # nothing overwritten
    # Still kept after a reload.
    page.reload()
    wait_drawn(page, task.pk)
    page.locator('[data-testid="notice-blocked"]').wait_for()
    assert page.locator('[data-testid="box-item"]').count() == 2
    # The annotator decides to keep theirs.
    page.click('[data-testid="overwrite-draft"]')
    wait_saved(page)
    assert len(stored_boxes(task, user)) == 2
    assert page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')") is None


def test_a_rejected_task_shows_the_review_comment_and_the_header_tags(live_server, page, setup):
    project, user, _ = setup
    task, _ = start_labeling(page, live_server, project, user, W, H)
    Annotation.objects.filter(task=task, annotator=user).update(
        status="rejected", review_comment="The yak on the left edge is missing."
    )
    page.goto(f"{live_server.url}/annotate/tasks/{task.pk}/")
    wait_drawn(page, task.pk)
    review = page.locator('[data-testid="notice-review"]')
    assert "The yak on the left edge is missing." in review.inner_text()
    # Nothing measured yet: a dash, not a made-up "0.0 Wh".
    assert page.locator('[data-testid="energy-tag"]').inner_text() == "Energy: —"
    page.wait_for_selector('[data-testid="progress-today"]:has-text("0 submitted today")')


def test_an_expired_lease_says_so_and_keeps_the_boxes(live_server, page, setup):
    from django.utils import timezone

    project, user, _ = setup
    task, model = start_labeling(page, live_server, project, user, W, H)
    Lease.objects.filter(task=task, annotator=user).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    draw_box(page, model, 100, 100, 300, 260)
    notice = page.locator('[data-testid="notice-blocked"]')
    notice.wait_for()
    assert "lease on this task expired" in notice.inner_text()
    assert page.locator('[data-testid="box-item"]').count() == 1
    draft = json.loads(page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')"))
    assert len(draft["boxes"]) == 1
    assert stored_boxes(task, user) == []
    # Discarding forgets the boxes and asks for the next task: the lapsed task itself comes
    # first (its slot is still free), as the server has it, without the discarded boxes.
    page.click('[data-testid="discard-draft"]')
    page.locator('[data-testid="box-item"]').wait_for(state="detached")
    wait_drawn(page, task.pk)
    assert page.evaluate(f"localStorage.getItem('plateau.draft.{user.pk}.{task.pk}')") is None
    assert Lease.objects.filter(task=task, annotator=user, released_at__isnull=True).count() == 1
