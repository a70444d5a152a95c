"""The box tool refuses to make what the server would refuse, draws where the
annotator drags in draw mode, relabels only what is selected, and keeps its
messages in one status area that never moves the image."""

import pytest
from django.utils import timezone

from accounts.roles import Role
from labeling.models import Lease
from tests.browser.helpers import (
    STAGE,
    ViewModel,
    drag,
    login,
    make_scene_task,
    open_labeling,
    stored_boxes,
    wait_drawn,
    wait_saved,
)
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

W, H = 1600, 1200
ITEMS = '[data-testid="box-item"]'


@pytest.fixture
def setup(live_server):
    project = make_project("Qinghai Lake survey")
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    task = make_scene_task(project, width=W, height=H)
    return project, user, task


def _start(page, live_server, project, user):
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    return ViewModel(page.locator(STAGE).bounding_box(), W, H)


def test_a_resize_past_the_opposite_corner_leaves_a_box_the_server_takes(live_server, page, setup):
    project, user, task = setup
    model = _start(page, live_server, project, user)
    drag(page, model.to_page(400, 300), model.to_page(800, 600))
    wait_saved(page)
    # Press just inside the south-east corner, drag far past the north-west one.
    se = model.to_page(800, 600)
    drag(page, (se[0] - 2, se[1] - 2), model.to_page(200, 100), steps=12)
    wait_saved(page)
    (_, x, y, w, h), = stored_boxes(task, user)
    assert (x, y) == pytest.approx((400, 300), abs=1) and w >= 1 and h >= 1
    assert page.locator('[data-testid="notice-blocked"]').count() == 0
    # The keyboard nudge cannot push it out of the image or shrink it either.
    for _ in range(5):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+s")
    wait_saved(page)
    (_, x, _, w, h), = stored_boxes(task, user)
    assert x >= 0 and w >= 1 and h >= 1


def test_draw_mode_draws_inside_a_box_where_a_plain_drag_moves_it(live_server, page, setup):
    project, user, task = setup
    model = _start(page, live_server, project, user)
    drag(page, model.to_page(300, 300), model.to_page(900, 800))
    wait_saved(page)
    # Without draw mode, a drag that starts inside the box moves it.
    drag(page, model.to_page(500, 500), model.to_page(550, 520))
    wait_saved(page)
    assert page.locator(ITEMS).count() == 1
    (_, x, y, _, _), = stored_boxes(task, user)
    assert x == pytest.approx(350, abs=2) and y == pytest.approx(320, abs=2)
    # N: draw mode; the same kind of drag, even starting on a handle, draws a new box.
    page.keyboard.press("n")
    assert page.locator('[data-testid="draw-mode"]').get_attribute("aria-pressed") == "true"
    drag(page, model.to_page(400, 400), model.to_page(600, 600))
    drag(page, model.to_page(950, 820), model.to_page(1100, 1000))  # starts on the south-east handle
    wait_saved(page)
    boxes = sorted(stored_boxes(task, user), key=lambda b: b[1])
    assert len(boxes) == 3
    assert boxes[1][1:] == pytest.approx((400, 400, 200, 200), abs=3)
    assert boxes[2][1:] == pytest.approx((950, 820, 150, 180), abs=3)
    # The toolbar button leaves draw mode; a drag inside a box moves it again.
    page.click('[data-testid="draw-mode"]')
    assert page.locator('[data-testid="draw-mode"]').get_attribute("aria-pressed") == "false"
    drag(page, model.to_page(500, 500), model.to_page(520, 500))
    wait_saved(page)
    assert len(stored_boxes(task, user)) == 3


def test_a_number_key_relabels_the_selected_box_only_and_sets_new_boxes_without_one(live_server, page, setup):
    project, user, task = setup
    model = _start(page, live_server, project, user)
    current = page.locator('[data-testid="current-label"]')
    page.keyboard.press("2")
    assert current.inner_text() == "snow_leopard"
    drag(page, model.to_page(100, 100), model.to_page(300, 300))
    # The new box is selected: 3 relabels it, and only it.
    page.keyboard.press("3")
    wait_saved(page)
    assert [b[0] for b in stored_boxes(task, user)] == ["tibetan_antelope"]
    assert current.inner_text() == "snow_leopard"
    # The box list's label dropdown shows the whole name (room for the text and the arrow).
    fits = page.locator(f"{ITEMS} select").first.evaluate("""s => {
        const ctx = document.createElement("canvas").getContext("2d");
        ctx.font = getComputedStyle(s).font;
        return ctx.measureText(s.value).width + 24 <= s.clientWidth;
    }""")
    assert fits
    # Selecting a box does not change the label of new boxes either.
    page.keyboard.press("Escape")
    drag(page, model.to_page(500, 500), model.to_page(700, 700))
    wait_saved(page)
    assert [b[0] for b in stored_boxes(task, user)] == ["tibetan_antelope", "snow_leopard"]
    page.keyboard.press("Tab")  # selects the first box (tibetan_antelope)
    page.keyboard.press("Escape")
    assert current.inner_text() == "snow_leopard"
    # With nothing selected, 1 changes what new boxes get and relabels nothing.
    page.keyboard.press("1")
    assert current.inner_text() == "yak"
    drag(page, model.to_page(900, 900), model.to_page(1000, 1000))
    wait_saved(page)
    assert [b[0] for b in stored_boxes(task, user)] == ["tibetan_antelope", "snow_leopard", "yak"]
    # "?" lists the rule, and "?" again closes the list.
    page.keyboard.press("?")
    help_overlay = page.locator('[data-testid="help-overlay"]')
    assert "relabel that box only" in help_overlay.inner_text()
    page.keyboard.press("?")
    assert not help_overlay.is_visible()


def test_a_submitted_task_looks_read_only_and_all_done_disables_the_toolbar(live_server, page, setup):
    project, user, task = setup
    model = _start(page, live_server, project, user)
    drag(page, model.to_page(100, 100), model.to_page(300, 300))
    page.keyboard.press("Control+Enter")
    done = page.locator('[data-testid="all-done"]')
    done.wait_for(state="visible")
    assert "What next" in done.inner_text()
    assert done.locator('[data-testid="back-to-projects"]').is_visible()
    for testid in ["submit", "skip", "draw-mode"]:
        assert page.locator(f'[data-testid="{testid}"]').is_disabled()
    assert page.locator('[data-testid="label-pick"]').first.is_disabled()
    # Without the mouse: Tab reaches the page's buttons and links, not the (gone) boxes.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('[data-testid=all-done]') !== null || "
                         "document.activeElement.tagName === 'A' || document.activeElement.tagName === 'BUTTON'")

    page.goto(f"{live_server.url}/annotate/tasks/{task.pk}/")
    wait_drawn(page, task.pk)
    assert page.locator('[data-testid="notice-readonly"]').is_visible()
    assert page.locator(ITEMS).count() == 1
    assert page.locator('[data-testid="box-delete"]').count() == 0
    assert page.locator(f"{ITEMS} select").is_disabled()
    assert all(page.locator('[data-testid="label-pick"]').nth(i).is_disabled() for i in range(3))
    for testid in ["submit", "skip", "draw-mode"]:
        assert page.locator(f'[data-testid="{testid}"]').is_disabled()
    # Keys change nothing either.
    page.keyboard.press("Tab")
    page.keyboard.press("Delete")
    page.keyboard.press("2")
    assert page.locator(ITEMS).count() == 1
    assert [b[0] for b in stored_boxes(task, user)] == ["yak"]


def test_a_lease_expiry_message_takes_the_status_area_without_moving_the_image(live_server, page, setup):
    project, user, task = setup
    model = _start(page, live_server, project, user)
    area = page.locator('[data-testid="status-area"]')
    area_before = area.bounding_box()
    stage_before = page.locator(STAGE).bounding_box()
    assert page.locator('[data-testid="notice-hint"]').inner_text().strip()
    Lease.objects.filter(task=task, annotator=user).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    drag(page, model.to_page(100, 100), model.to_page(300, 260))
    notice = page.locator('[data-testid="notice-blocked"]')
    notice.wait_for()
    # Meanwhile someone else took the freed slot, so taking the task back fails too.
    other = make_user()
    add_member(project, other, Role.ANNOTATOR)
    Lease.objects.create(task=task, annotator=other, expires_at=timezone.now() + timezone.timedelta(hours=1))
    # A second failure (the retry) replaces the message instead of stacking under it.
    page.click('[data-testid="retry-save"]')
    page.locator('[data-testid="notice-blocked-retry"]').wait_for()
    assert area.locator(".notice").count() == 1
    assert page.locator('[data-testid="notice-more"]').is_visible()
    assert area.bounding_box() == area_before
    assert page.locator(STAGE).bounding_box() == stage_before
    text = area.inner_text()
    assert "Discard" in text  # says what to do
    # The earlier message is one click away.
    page.click('[data-testid="notice-more"]')
    assert "lease on this task expired" in notice.inner_text()
    assert area.bounding_box() == area_before


def test_an_offline_submit_says_why_and_what_to_do(live_server, page, setup):
    project, user, task = setup
    model = _start(page, live_server, project, user)
    page.context.set_offline(True)
    drag(page, model.to_page(100, 100), model.to_page(300, 300))
    page.keyboard.press("Control+Enter")
    notice = page.locator('[data-testid="notice-submit"]')
    notice.wait_for()
    text = notice.inner_text()
    assert "no connection" in text and "submit again" in text.lower()
    assert "message above" not in text
    # Back online, "Submit again" submits.
    page.context.set_offline(False)
    page.click('[data-testid="submit-again"]')
    page.locator('[data-testid="all-done"]').wait_for(state="visible")
    assert len(stored_boxes(task, user)) == 1


def test_no_box_beyond_the_projects_limit_is_drawn(live_server, page, setup):
    project, user, task = setup
    project.max_boxes_per_image = 1
    project.save()
    model = _start(page, live_server, project, user)
    drag(page, model.to_page(100, 100), model.to_page(300, 300))
    wait_saved(page)
    drag(page, model.to_page(500, 500), model.to_page(700, 700))
    assert "at most 1 box per image" in page.locator('[data-testid="notice-max-boxes"]').inner_text()
    assert page.locator(ITEMS).count() == 1 and len(stored_boxes(task, user)) == 1
    assert page.locator('[data-testid="notice-blocked"]').count() == 0
