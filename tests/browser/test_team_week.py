"""A team's week in Chromium: accept the chosen annotation, early review, a lapsed lease taken back,
My work and gold pages (with PLATEAU_SCREENSHOTS=1 their screenshots refresh docs/)."""

import pytest
from django.utils import timezone

from accounts.roles import Role
from labeling.models import Annotation, Lease, Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.browser.helpers import STAGE, doc_screenshot, login, make_scene_task, wait_drawn
from tests.factories import add_member, make_project, make_user
from tests.quality.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERD = [("yak", 100, 120, 60, 40), ("yak", 300, 200, 70, 45), ("snow_leopard", 520, 80, 90, 60)]


@pytest.fixture
def team(live_server):
    project = make_project("Qinghai Lake survey", overlap=2, gold_rate=0.1)
    boss = make_user("supervisor1")
    add_member(project, boss, Role.SUPERVISOR)
    people = []
    for name in ("annotator1", "annotator2"):
        user = make_user(name)
        add_member(project, user, Role.ANNOTATOR)
        people.append(user)
    return project, boss, people


def _shot(page, tmp_path, name):
    page.set_viewport_size({"width": 1440, "height": 900})
    doc_screenshot(page, tmp_path, name, full_page=True)


def test_accept_takes_the_chosen_annotation_and_the_queue_says_what_happens_next(live_server, page, team, tmp_path):
    project, boss, (a, b) = team
    disputed = make_scene_task(project, width=800, height=600, seed=1, status=Task.Status.SUBMITTED)
    good, empty = submit(disputed, a, HERD), submit(disputed, b, [])
    for annotation in (good, empty):
        quality_check_enqueue(annotation.pk)  # eager, autocommit: scored (both, against each other)
    half = make_scene_task(project, width=800, height=600, seed=2)
    submit(half, a, HERD[:2])
    login(page, live_server.url, boss.username)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/review/")
    item = page.locator(f"[data-testid=review-item][data-task='{disputed.pk}']")
    item.wait_for()
    waiting = page.locator(f"[data-testid=waiting-row][data-task='{half.pk}']")
    assert "1 of 2 submitted" in waiting.inner_text()
    count = page.locator("[data-testid=queue-count]")
    assert "1 task in review" in count.inner_text() and "1 waiting for more annotators" in count.inner_text()
    _shot(page, tmp_path, "review-queue.png")
    # Both were scored against each other: the same low agreement, whichever came first.
    assert item.locator("[data-flag=low_agreement]").count() == 2
    # Choose annotator1's boxes (the default is the worst scored) and accept.
    item.locator("[data-testid=decision-annotation]").select_option(str(good.pk))
    item.locator("[data-testid=decision-accept]").click()
    item.wait_for(state="detached")
    page.wait_for_function("document.querySelector('[data-testid=queue-count]').dataset.inReview === '0'")
    assert dict(Annotation.objects.filter(task=disputed).values_list("pk", "status")) == {
        good.pk: "accepted", empty.pk: "superseded"}
    empty_state = page.locator("[data-testid=queue-empty]")
    assert empty_state.is_visible() and "for more annotators" in empty_state.inner_text()
    # Review the half-done task early: it joins the queue at once.
    waiting.locator("[data-testid=review-early]").click()
    page.locator(f"[data-testid=review-item][data-task='{half.pk}']").wait_for()
    assert Task.objects.get(pk=half.pk).status == Task.Status.REVIEW
    assert not empty_state.is_visible()


def test_a_lapsed_lease_is_said_at_once_and_the_task_taken_back(live_server, page, team):
    project, boss, (a, b) = team
    project.gold_rate = 0
    project.save()
    task = make_scene_task(project, width=800, height=600, seed=3)
    draft = Annotation.objects.create(task=task, annotator=a, version=1)
    draft.boxes.create(label=project.labels.get(name="yak"), x=100, y=100, width=50, height=40)
    Lease.objects.create(task=task, annotator=a, expires_at=timezone.now() - timezone.timedelta(minutes=5))
    login(page, live_server.url, a.username)
    page.goto(f"{live_server.url}/annotate/tasks/{task.pk}/")
    notice = page.locator("[data-testid=notice-lapsed]")
    notice.wait_for()
    assert "lease on this task lapsed" in notice.inner_text()
    assert page.locator("[data-testid=save-state]").get_attribute("data-state") == "lapsed"
    wait_drawn(page, task.pk)
    assert page.locator("[data-testid=box-item]").count() == 1  # the saved boxes are there
    page.click("[data-testid=take-back]")
    page.locator("[data-testid=notice-taken-back]").wait_for()
    assert Lease.objects.filter(task=task, annotator=a, released_at__isnull=True,
                                expires_at__gt=timezone.now()).exists()
    assert page.locator(STAGE).is_visible()


def test_my_work_and_gold_pages(live_server, page, team, tmp_path):
    project, boss, (a, b) = team
    done = make_scene_task(project, seed=4, status=Task.Status.REVIEW)
    submit(done, a, HERD)
    lapsed = make_scene_task(project, seed=5)
    Annotation.objects.create(task=lapsed, annotator=a, version=2)
    Lease.objects.create(task=lapsed, annotator=a, expires_at=timezone.now() - timezone.timedelta(minutes=5))
    for other in (b, boss):
        Lease.objects.create(task=lapsed, annotator=other, expires_at=timezone.now() + timezone.timedelta(hours=1))
    gold = make_scene_task(project, seed=6, is_gold=True,
                           gold_boxes=[{"label": "yak", "x": 100, "y": 120, "width": 60, "height": 40}])
    tried = submit(gold, a, HERD[:1])
    quality_check_enqueue(tried.pk)
    login(page, live_server.url, a.username)
    page.click(f"[data-project-id='{project.pk}'] a[href='/annotate/projects/{project.pk}/my-work/']")
    row = page.locator(f"[data-testid=draft-row][data-task='{lapsed.pk}']")
    row.wait_for()
    assert row.get_attribute("data-state") == "slot_taken" and "slot" in row.inner_text()
    assert page.locator(f"[data-testid=submitted-row][data-task='{done.pk}']").count() == 1
    _shot(page, tmp_path, "my-work.png")
    page.context.clear_cookies()
    login(page, live_server.url, boss.username)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/gold/")
    page.locator(f"[data-testid=gold-row][data-task='{gold.pk}']").wait_for()
    result = page.locator(f"[data-testid=gold-result-row][data-annotator='{a.username}']")
    assert "1.00" in result.inner_text()
    # Mark the task in review gold through the page: refused (nothing accepted on it yet), said why.
    page.fill("[data-testid=gold-task-id]", str(done.pk))
    page.click("[data-testid=gold-mark] button")
    page.wait_for_function("document.querySelector('[data-testid=gold-status]').textContent.length > 0")
    assert "accept an annotation" in page.locator("[data-testid=gold-status]").inner_text()
    assert not Task.objects.get(pk=done.pk).is_gold
    _shot(page, tmp_path, "gold-tasks.png")
