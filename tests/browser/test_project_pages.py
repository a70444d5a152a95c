"""A supervisor runs a project from the browser: create it, add people, upload, browse and assign tasks."""

import pytest

from accounts.roles import Role
from labeling.models import Annotation, Lease, Project
from tests.browser.helpers import ViewModel, drag, login, make_scene_task, scene_png, wait_drawn
from tests.factories import add_member, make_project, make_user, same_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def test_a_supervisor_sets_up_a_project_and_an_annotator_labels_in_it(live_server, page):
    base = live_server.url
    supervisor, annotator, client = make_user("ranger"), make_user("herder"), make_user("client_park")
    same_organisation(supervisor, annotator, client)
    add_member(make_project("Last year's survey"), supervisor, Role.SUPERVISOR)

    # New project: name, rules, three labels.
    login(page, base, "ranger")
    page.get_by_test_id("new-project-link").click()
    page.get_by_label("Name", exact=True).fill("Yushu grasslands")
    page.get_by_label("Description").fill("Yak census for the county")
    page.get_by_label("Lease length (seconds)").fill("10")
    rows = page.locator('[data-testid="label-rows"] > li')
    for index, (name, key) in enumerate([("yak", "1"), ("tent", "2"), ("herder", "3")]):
        rows.nth(index).get_by_label("Label name").fill(name)
        rows.nth(index).get_by_label("Key").select_option(key)
    page.get_by_test_id("create-project").click()
    # A lease under 30 s is refused next to its field; the labels typed stay.
    error = page.locator('[data-field="lease_seconds"] [data-testid="field-error"]')
    assert "30 seconds" in error.inner_text()
    assert rows.nth(2).get_by_label("Label name").input_value() == "herder"
    page.get_by_label("Lease length (seconds)").fill("600")
    page.get_by_test_id("create-project").click()
    page.wait_for_url("**/settings/")
    project = Project.objects.get(name="Yushu grasslands")
    assert list(project.labels.values_list("name", flat=True)) == ["yak", "tent", "herder"]

    # People: an annotator and a client, by username, with the keyboard.
    for username, role in (("herder", "annotator"), ("client_park", "client")):
        page.get_by_label("Role", exact=True).select_option(role)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Username").press("Enter")
        page.wait_for_selector(f'[data-member="{username}"]')
    page.get_by_label("Username").fill("nobody_here")
    page.get_by_role("button", name="Add", exact=True).click()
    assert "No user of your organisation" in page.locator('[data-field="username"]').inner_text()
    assert dict(project.memberships.values_list("user__username", "role")) == {
        "ranger": "supervisor", "herder": "annotator", "client_park": "client"}

    # A setting changed here applies to the next lease.
    page.get_by_label("Lease length (seconds)").fill("240")
    page.get_by_role("button", name="Save rules").click()
    page.wait_for_selector('[data-testid="messages"] >> text=Rules saved')

    # The first batch, through the upload page linked from the settings.
    page.get_by_test_id("upload-link").click()
    page.get_by_test_id("upload-input").set_input_files([
        {"name": f"scene{i}.png", "mimeType": "image/png", "buffer": scene_png(800, 600, seed=i)} for i in range(2)])
    page.wait_for_selector('[data-count="created"]:has-text("2")')
    _sign_out(page)

    # The annotator labels in it.
    login(page, base, "herder")
    page.locator(f'[data-project-id="{project.pk}"] [data-testid="open-labeling"]').click()
    wait_drawn(page)
    lease = Lease.objects.get(annotator=annotator, released_at__isnull=True)
    assert 239 <= (lease.expires_at - lease.created_at).total_seconds() <= 241
    model = ViewModel(page.locator('[data-testid="annotation-stage"]').bounding_box(), 800, 600)
    page.keyboard.press("2")
    drag(page, model.to_page(100, 100), model.to_page(300, 260))
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="progress-today"]:has-text("1 submitted today")')
    annotation = Annotation.objects.get(task=lease.task, annotator=annotator)
    assert annotation.status == "submitted"
    assert [box.label.name for box in annotation.boxes.all()] == ["tent"]


def test_the_task_browser_filters_sorts_and_assigns_in_bulk(live_server, page):
    base = live_server.url
    project = make_project("Qinghai Lake survey")
    supervisor, annotator = make_user("ranger"), make_user("herder")
    add_member(project, supervisor, Role.SUPERVISOR)
    add_member(project, annotator, Role.ANNOTATOR)
    tasks = [make_scene_task(project, width=400, height=300, seed=i, is_gold=i == 1) for i in range(4)]
    login(page, base, "ranger")
    page.goto(f"{base}/annotate/projects/{project.pk}/tasks/")
    rows = page.locator('[data-testid="task-table"] tbody tr[data-task-id]')
    assert rows.count() == 4

    page.get_by_label("Gold").select_option("yes")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**gold=yes**")
    assert rows.count() == 1 and rows.first.get_attribute("data-task-id") == str(tasks[1].pk)

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Sort by").select_option("-id")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**sort=-id**")
    assert [rows.nth(i).get_attribute("data-task-id") for i in range(4)] == [str(t.pk) for t in reversed(tasks)]

    for task in tasks[2:]:
        page.get_by_label(f"Select task {task.pk}").check()
    page.get_by_label("Action").select_option("assign")
    page.locator('[data-testid="bulk-actions"]').get_by_label("Annotator").select_option(str(annotator.pk))
    page.get_by_test_id("bulk-apply").click()
    page.wait_for_selector('[data-testid="messages"] >> text=2 tasks')
    assert "sort=-id" in page.url  # back on the same view
    assert set(Lease.objects.filter(annotator=annotator, assigned_by=supervisor).values_list("task_id", flat=True)) \
        == {tasks[2].pk, tasks[3].pk}


@pytest.mark.parametrize("path", ["settings/", "tasks/", "overview/"])
def test_annotators_and_clients_are_refused_and_outsiders_see_nothing(live_server, page, path):
    project, other = make_project("Qinghai Lake survey"), make_project("Other survey")
    for username, role, where in (("herder", Role.ANNOTATOR, project), ("client_park", Role.CLIENT, project),
                                  ("stranger", Role.SUPERVISOR, other)):
        add_member(where, make_user(username), role)
    for username, status in (("herder", 403), ("client_park", 403), ("stranger", 404)):
        login(page, live_server.url, username)
        response = page.goto(f"{live_server.url}/annotate/projects/{project.pk}/{path}")
        assert response.status == status, username
        assert "Qinghai" not in page.content() or status == 403
        _sign_out(page)
