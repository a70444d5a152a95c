"""The box tool without a mouse: B adds a box, arrows move it, Alt+arrows size it, Ctrl+Z undoes, G leaves."""

import pytest

from accounts.roles import Role
from tests.browser.helpers import (
    STAGE, ViewModel, assert_close, login, make_scene_task, open_labeling, stored_boxes, wait_saved,
)
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGE_W, IMAGE_H = 1600, 1200


def press(page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_a_box_drawn_moved_and_resized_with_keys_alone_is_saved_in_image_pixels(live_server, page):
    project = make_project("Keyboard survey")
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    task = make_scene_task(project, width=IMAGE_W, height=IMAGE_H)
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    tool_url = page.url

    # "?" lists the two new keys.
    press(page, "?")
    keys = page.locator("[data-help] kbd").all_inner_texts()
    assert "B" in keys and "Alt+arrows (Shift: ×10)" in keys
    press(page, "Escape")

    # With nothing selected, 2 sets the label for new boxes; B adds one in the middle
    # of the view: at "fit" the whole image is in view, so a fifth of it, centred.
    press(page, "2")
    press(page, "b")
    wait_saved(page)
    assert stored_boxes(task, user) == [("snow_leopard", 640, 480, 320, 240)]

    # The new box is selected: arrows move it (Shift: by 10).
    press(page, "Shift+ArrowRight")
    press(page, "ArrowRight", 2)
    press(page, "ArrowDown")
    # Alt+arrows move its right / bottom edge (Alt+Shift: by 10).
    press(page, "Alt+ArrowRight", 2)
    press(page, "Alt+Shift+ArrowDown")
    # Shrinking stops at one image pixel: 322 - 32 × 10 = 2, then the 33rd press
    # gives 1, and the presses after it change nothing (and record no undo step).
    press(page, "Alt+Shift+ArrowLeft", 40)
    wait_saved(page)
    assert_close(stored_boxes(task, user)[0][1:], (652, 481, 1, 250), tol=0.01)
    # One undo step: back to the width before the last press that changed it.
    press(page, "Control+z")
    wait_saved(page)
    # Alt+Left did not take the browser back.
    assert page.url == tool_url

    # Zoomed in, "the middle of the view" is the middle of the part of the image shown.
    press(page, "Escape")
    press(page, "+", 2)
    model = ViewModel(page.locator(STAGE).bounding_box(), IMAGE_W, IMAGE_H)
    model.zoom_centre(1.25)
    model.zoom_centre(1.25)
    (x0, y0) = model.to_image(model.left, model.top)
    (x1, y1) = model.to_image(model.left + model.w, model.top + model.h)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(IMAGE_W, x1), min(IMAGE_H, y1)
    w, h = (x1 - x0) / 5, (y1 - y0) / 5
    press(page, "b")
    wait_saved(page)

    boxes = stored_boxes(task, user)
    assert [label for label, *_ in boxes] == ["snow_leopard", "snow_leopard"]
    assert_close(boxes[0][1:], (652, 481, 2, 250), tol=0.01)
    assert_close(boxes[1][1:], ((x0 + x1 - w) / 2, (y0 + y1 - h) / 2, w, h), tol=0.05)
    # The API says the same, in original-image pixels.
    api = page.request.get(f"{live_server.url}/api/v1/tasks/{task.pk}/annotation/").json()
    assert [(b["label"], b["x"], b["y"], b["width"], b["height"]) for b in api["boxes"]] == boxes

    # G reaches the page header (Tab walks it, Esc comes back); Enter on its first link leaves.
    press(page, "g")
    assert page.evaluate("document.activeElement.closest('.topbar') !== null")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.closest('.topbar') !== null")
    press(page, "Escape")
    assert page.evaluate("document.activeElement.dataset.testid") == "annotation-stage"
    press(page, "g")
    press(page, "Enter")
    page.wait_for_url(f"{live_server.url}/")
