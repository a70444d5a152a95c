"""The box tool in real Chromium against a live server: geometry, editing, keys."""

import math

import pytest

from accounts.roles import Role
from tests.browser.helpers import (
    STAGE,
    ViewModel,
    assert_close,
    drag,
    expected_box,
    login,
    make_scene_task,
    open_labeling,
    stored_boxes,
    wait_saved,
)
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGE_W, IMAGE_H = 1600, 1200


@pytest.fixture
def setup(live_server):
    project = make_project("Qinghai Lake survey")
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    task = make_scene_task(project, width=IMAGE_W, height=IMAGE_H)
    return project, user, task


@pytest.mark.parametrize("dpr", [1, 2])
def test_boxes_are_stored_in_image_pixels_at_any_zoom_pan_window_and_pixel_ratio(live_server, browser, setup, dpr):
    project, user, task = setup
    context = browser.new_context(viewport={"width": 1100, "height": 760}, device_scale_factor=dpr)
    page = context.new_page()
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    model = ViewModel(page.locator(STAGE).bounding_box(), IMAGE_W, IMAGE_H)
    expected = []

    # 1. At "fit".
    a, b = model.to_page(200, 150), model.to_page(520, 400)
    drag(page, a, b)
    expected.append(expected_box(model, a, b))

    # 2. Zoomed in with the wheel around the cursor, then with "+".
    cursor = model.to_page(900, 700)
    page.mouse.move(*cursor)
    # Chromium scales synthetic wheel deltas by the pixel ratio: use what the page got.
    page.evaluate("""window.__wheel = []; document.querySelector('%s')
        .addEventListener('wheel', (e) => window.__wheel.push(e.deltaY))""" % STAGE)
    page.mouse.wheel(0, -300)
    page.wait_for_function("window.__wheel.length === 1")
    delta = page.evaluate("window.__wheel[0]")
    assert delta < 0
    model.zoom_at(*cursor, math.exp(-delta * 0.0015))
    page.keyboard.press("+")
    model.zoom_centre(1.25)
    assert page.evaluate("window.__plateauTool.stage.vp.scale") == pytest.approx(model.scale, rel=1e-6)
    a, b = model.to_page(880, 690), model.to_page(960, 740)
    drag(page, a, b)
    expected.append(expected_box(model, a, b))

    # 3. After a pan with space+drag (the drag starts on a box: panning wins).
    page.keyboard.down(" ")
    drag(page, (a[0] + 5, a[1] + 5), (a[0] - 145, a[1] - 95))
    page.keyboard.up(" ")
    model.pan(-150, -100)
    a, b = model.to_page(1000, 760), model.to_page(1050, 800)
    drag(page, b, a)  # drawn from the bottom-right corner
    expected.append(expected_box(model, a, b))

    # 4. Dragged past the image's edge: clamped to the image.
    page.keyboard.press("f")
    model = ViewModel(page.locator(STAGE).bounding_box(), IMAGE_W, IMAGE_H)
    a = model.to_page(1500, 1100)
    beyond = model.to_page(1700, 1300)
    drag(page, a, beyond)
    x0, y0 = model.to_image(*a)
    expected.append((x0, y0, IMAGE_W - x0, IMAGE_H - y0))

    # 5. After the window shrinks (the fitted view follows it).
    page.set_viewport_size({"width": 820, "height": 600})
    page.wait_for_function("window.__plateauTool.stage.viewW < 700")
    model = ViewModel(page.locator(STAGE).bounding_box(), IMAGE_W, IMAGE_H)
    a, b = model.to_page(60, 900), model.to_page(260, 1000)
    drag(page, a, b)
    expected.append(expected_box(model, a, b))

    wait_saved(page)
    boxes = stored_boxes(task, user)
    assert [label for label, *_ in boxes] == ["yak"] * 5
    for (_, *stored), want in zip(boxes, expected):
        assert_close(tuple(stored), want)
    context.close()


def test_move_resize_delete_undo_redo(live_server, page, setup):
    project, user, task = setup
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    model = ViewModel(page.locator(STAGE).bounding_box(), IMAGE_W, IMAGE_H)
    drag(page, model.to_page(400, 300), model.to_page(800, 600))
    wait_saved(page)
    (_, x, y, w, h), = stored_boxes(task, user)

    # Move: drag from inside the (selected) box.
    start = model.to_page(600, 450)
    end = (start[0] + 50, start[1] + 30)
    drag(page, start, end)
    dx, dy = 50 / model.scale, 30 / model.scale
    wait_saved(page)
    assert_close(stored_boxes(task, user)[0][1:], (x + dx, y + dy, w, h))
    moved = stored_boxes(task, user)[0][1:]

    # Resize with the south-east handle.
    se = model.to_page(moved[0] + moved[2], moved[1] + moved[3])
    drag(page, se, (se[0] + 40, se[1] + 20))
    wait_saved(page)
    assert_close(stored_boxes(task, user)[0][1:], (moved[0], moved[1], moved[2] + 40 / model.scale, moved[3] + 20 / model.scale))
    resized = stored_boxes(task, user)[0][1:]

    # Delete, undo, redo, undo.
    page.keyboard.press("Delete")
    wait_saved(page)
    assert stored_boxes(task, user) == []
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert_close(stored_boxes(task, user)[0][1:], resized, tol=0.01)
    page.keyboard.press("Control+Shift+z")
    wait_saved(page)
    assert stored_boxes(task, user) == []
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")  # undoes the resize as well
    wait_saved(page)
    assert_close(stored_boxes(task, user)[0][1:], moved, tol=0.01)
    assert page.locator('[data-testid="box-item"]').count() == 1


def test_label_hotkeys_relabel_the_selected_box(live_server, page, setup):
    project, user, task = setup
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    model = ViewModel(page.locator(STAGE).bounding_box(), IMAGE_W, IMAGE_H)
    page.keyboard.press("2")
    drag(page, model.to_page(100, 100), model.to_page(300, 300))
    drag(page, model.to_page(500, 500), model.to_page(700, 700))
    wait_saved(page)
    assert [b[0] for b in stored_boxes(task, user)] == ["snow_leopard", "snow_leopard"]
    # The second box is selected: 3 relabels it (and only it).
    page.keyboard.press("3")
    wait_saved(page)
    assert [b[0] for b in stored_boxes(task, user)] == ["snow_leopard", "tibetan_antelope"]
    # Clicking the first box selects it; 1 relabels it.
    page.mouse.click(*model.to_page(200, 200))
    page.keyboard.press("1")
    wait_saved(page)
    assert [b[0] for b in stored_boxes(task, user)] == ["yak", "tibetan_antelope"]
    # The side list shows the labels and hides a box on request.
    items = page.locator('[data-testid="box-item"]')
    assert items.nth(0).locator("select").input_value() == "yak"
    items.nth(1).locator('[data-testid="box-toggle"]').click()
    assert "hidden-box" in items.nth(1).get_attribute("class")
    # "?" shows the help overlay; Escape closes it.
    page.keyboard.press("?")
    assert page.locator('[data-testid="help-overlay"]').is_visible()
    page.keyboard.press("Escape")
    assert not page.locator('[data-testid="help-overlay"]').is_visible()
