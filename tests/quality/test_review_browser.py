"""The review queue in real Chromium: everyone's boxes drawn, reject with a comment, fix by dragging."""

import pytest

from labeling.models import Annotation, Review, Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.factories import PASSWORD, make_task
from tests.quality.helpers import YAKS, annotators, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_reviews_in_the_browser(live_server, page, project, supervisor, tmp_path):
    project.overlap = 3
    project.save()
    a, b, c = annotators(project, 3)
    trio = make_task(project, status=Task.Status.SUBMITTED)
    dup = make_task(project, status=Task.Status.SUBMITTED)
    made = [submit(trio, a, YAKS), submit(trio, b, YAKS), submit(trio, c, [("yak", 5, 400, 30, 30)]),
            submit(dup, a, [("yak", 100, 100, 40, 30), ("yak", 101, 100, 40, 30)])]
    for annotation in made:
        quality_check_enqueue(annotation.pk)  # eager, autocommit: scored at once

    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/annotate/projects/{project.pk}/review/")
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    items = page.locator("[data-testid=review-item]")
    items.first.wait_for()
    assert items.count() == 2
    assert "2 tasks in review" in page.locator("[data-testid=queue-count]").inner_text()

    trio_item = page.locator(f"[data-testid=review-item][data-task='{trio.pk}']")
    colours = trio_item.evaluate(
        "n => [...n.querySelectorAll('g[data-annotation] rect.box')].map(r => r.getAttribute('stroke'))")
    assert len(colours) == 7 and len(set(colours)) == 3  # 3 + 3 + 1 boxes, one colour per annotator
    assert "agrees with the other annotators on 0%" in trio_item.inner_text()
    page.screenshot(path=str(tmp_path / "queue.png"))

    # Reject: refused without a comment, then sent back to the worst annotator (c).
    trio_item.locator("[data-testid=decision-reject]").click()
    assert "needs a comment" in page.locator("[data-testid=review-status]").inner_text()
    trio_item.locator("[data-testid=reject-comment]").fill("The yaks are at the top, not the corner.")
    trio_item.locator("[data-testid=decision-reject]").click()
    trio_item.wait_for(state="detached")
    rejected = Annotation.objects.get(task=trio, annotator=c)
    assert rejected.status == "rejected" and rejected.review_comment.startswith("The yaks")

    # Fix: remove the duplicate, drag the box 40 screen pixels right, set its width, save.
    dup_item = page.locator(f"[data-testid=review-item][data-task='{dup.pk}']")
    dup_item.locator("[data-testid=decision-fix]").click()
    dup_item.locator("button[aria-label='remove box']").nth(1).click()
    assert dup_item.locator("[data-testid=fix-box]").count() == 1
    box = dup_item.locator("[data-testid=fix-box][data-index='0']").bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 20, y0, steps=5)
    page.mouse.move(x0 + 40, y0, steps=5)
    page.mouse.up()
    moved_x = float(dup_item.locator("[data-testid=fix-x-0]").input_value())
    assert moved_x > 100
    dup_item.locator("[data-testid=fix-width-0]").fill("44")
    dup_item.locator("[data-testid=fix-width-0]").dispatch_event("change")
    dup_item.locator("[data-testid=fix-save]").click()
    dup_item.wait_for(state="detached")
    page.screenshot(path=str(tmp_path / "after.png"))

    fixed = Annotation.objects.get(task=dup)
    (stored,) = fixed.boxes.values_list("x", "width")
    assert fixed.status == "accepted" and stored[0] == pytest.approx(moved_x, abs=0.01) and stored[1] == 44
    assert Task.objects.get(pk=dup.pk).status == "accepted"
    assert sorted(Review.objects.values_list("decision", flat=True)) == ["fix", "reject"]


def test_coincident_boxes_of_two_annotators_stay_apart_and_toggle(live_server, page, project, supervisor):
    project.overlap = 2
    project.save()
    a, b = annotators(project, 2)
    # A large image shown small: without screen-pixel sizing, captions would be ~3 px tall.
    task = make_task(project, width=4000, height=3000, status=Task.Status.SUBMITTED)
    same = [("yak", 1000, 1000, 400, 300)]
    for annotation in (submit(task, a, same), submit(task, b, same)):
        quality_check_enqueue(annotation.pk)

    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/annotate/projects/{project.pk}/review/")
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    item = page.locator(f"[data-testid=review-item][data-task='{task.pk}']")
    item.wait_for()
    boxes = item.locator("[data-testid=review-box]")
    first, second = boxes.nth(0), boxes.nth(1)
    # Different dash patterns, and the second outline nested a few screen pixels outside the first.
    assert first.get_attribute("stroke-dasharray") != second.get_attribute("stroke-dasharray")
    inner, outer = first.bounding_box(), second.bounding_box()
    assert outer["x"] <= inner["x"] - 3 and outer["y"] <= inner["y"] - 3
    assert outer["width"] >= inner["width"] + 6
    # Captions readable: about 13 screen pixels high, and not on top of each other.
    captions = item.locator("[data-testid=review-caption]")
    heights = [captions.nth(i).bounding_box()["height"] for i in range(2)]
    assert all(12 <= h <= 22 for h in heights), heights
    c0, c1 = captions.nth(0).bounding_box(), captions.nth(1).bounding_box()
    assert abs(c0["y"] - c1["y"]) >= 12
    # One box is "1 box".
    first_row = item.locator("[data-testid=review-annotation]").first.inner_text()
    assert "1 box ·" in first_row and "1 boxes" not in first_row
    # Each annotator's boxes can be hidden and shown again.
    toggles = item.locator("[data-testid=annotator-toggle]")
    toggles.nth(1).uncheck()
    assert not second.is_visible() and first.is_visible()
    toggles.nth(1).check()
    assert second.is_visible()
