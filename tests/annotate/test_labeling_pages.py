"""The labeling pages: who may open them, and what they hand the box tool."""

import json
import re
from pathlib import Path

import pytest

from accounts.roles import Role
from labeling.models import Lease
from tests.factories import PASSWORD, add_member, make_task, make_user

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _tool_config(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="tool-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "tool config missing"
    return json.loads(match.group(1))


def test_annotator_gets_the_tool_for_their_project(client, project, annotator):
    _login(client, annotator)
    response = client.get(f"/annotate/projects/{project.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="annotation-stage"' in html
    assert "annotate/tool/app.js" in html and 'type="module"' in html
    config = _tool_config(response)
    assert config["projectId"] == project.pk and config["taskId"] is None
    assert config["userId"] == annotator.pk


def test_the_page_preloads_every_module_the_tool_imports(client, project, annotator):
    """A module left out of the list still loads, but only once its importer has arrived."""
    tool_dir = Path(__file__).resolve().parents[2] / "annotate" / "static" / "annotate" / "tool"
    imported = set()
    for script in tool_dir.glob("*.js"):
        imported |= set(re.findall(r'from "\./([\w-]+\.js)"', script.read_text()))
    _login(client, annotator)
    html = client.get(f"/annotate/projects/{project.pk}/").content.decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/annotate/tool/([\w-]+\.js)">', html))
    assert imported and imported <= preloaded, sorted(imported - preloaded)


def test_annotator_of_another_project_gets_404(client, project, outsider):
    _login(client, outsider)
    assert client.get(f"/annotate/projects/{project.pk}/").status_code == 404
    task = make_task(project)
    assert client.get(f"/annotate/tasks/{task.pk}/").status_code == 404


def test_unknown_ids_are_404(client, annotator):
    _login(client, annotator)
    assert client.get("/annotate/projects/999999/").status_code == 404
    assert client.get("/annotate/tasks/999999/").status_code == 404


def test_clients_may_not_label(client, project, client_user):
    _login(client, client_user)
    assert client.get(f"/annotate/projects/{project.pk}/").status_code == 403


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(f"/annotate/projects/{project.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_task_page_needs_a_lease_or_own_work(client, project, annotator):
    task = make_task(project)
    _login(client, annotator)
    # Another annotator's task of the same project is invisible.
    assert client.get(f"/annotate/tasks/{task.pk}/").status_code == 404
    from django.utils import timezone

    Lease.objects.create(task=task, annotator=annotator, expires_at=timezone.now() + timezone.timedelta(minutes=5))
    response = client.get(f"/annotate/tasks/{task.pk}/")
    assert response.status_code == 200
    assert _tool_config(response)["taskId"] == task.pk


def test_home_cards_link_each_role_to_its_page(client, project):
    annotator = make_user("ann")
    supervisor = make_user("sup")
    customer = make_user("cust")
    add_member(project, annotator, Role.ANNOTATOR)
    add_member(project, supervisor, Role.SUPERVISOR)
    add_member(project, customer, Role.CLIENT)
    expected = {
        annotator: f"/annotate/projects/{project.pk}/",
        supervisor: f"/annotate/projects/{project.pk}/review/",
        customer: f"/annotate/projects/{project.pk}/datasets/",
    }
    for user, href in expected.items():
        client.logout()
        _login(client, user)
        html = client.get("/").content.decode()
        assert f'href="{href}"' in html, user.username
        # Supervisors also reach the datasets; nobody else gets the labeling or review page.
        others = set(expected.values()) - {href} - ({expected[customer]} if user == supervisor else set())
        assert not any(f'href="{o}"' in html for o in others), user.username


@pytest.mark.django_db
def test_home_links_every_page_of_the_role_and_each_link_opens(client, project, supervisor, client_user):
    for user, expected in [
        (supervisor, ["review", "stats", "images", "map", "datasets", "energy"]),
        (client_user, ["datasets", "energy"]),
    ]:
        client.force_login(user)
        page = client.get("/").content.decode()
        for area in expected:
            href = f"/annotate/projects/{project.pk}/{area}/"
            assert href in page
            assert client.get(href).status_code == 200, href
