"""The task API from the attacker's side: who may see, write, assign and list."""

import pytest

from accounts.roles import Role
from labeling.assignment import task_lease_next
from labeling.models import Annotation, AnnotationHistory, Box, Lease
from labeling.projects import project_update
from tests.factories import add_member, api_client, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 10, "y": 20, "width": 30, "height": 12}


@pytest.fixture
def leased(project, annotator):
    task = make_task(project)
    task_lease_next(project=project, annotator=annotator)
    return task


def _writes(task):
    return (
        list(Annotation.objects.filter(task=task).values_list("version", "status")),
        Box.objects.filter(annotation__task=task).count(),
        AnnotationHistory.objects.count(),
        Lease.objects.filter(task=task).count(),
    )


def test_anonymous_callers_get_401(leased, project):
    client = api_client()
    for response in [
        client.post(f"/api/v1/projects/{project.pk}/tasks/next/"),
        client.get(f"/api/v1/tasks/{leased.pk}/"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 0}, format="json"),
        client.get(f"/api/v1/projects/{project.pk}/tasks/"),
    ]:
        assert response.status_code == 401


@pytest.mark.parametrize("who", ["outsider", "other_client"])
def test_members_of_other_projects_see_nothing(leased, project, who, request):
    user = request.getfixturevalue(who)
    before = _writes(leased)
    client = api_client(user)
    for response in [
        client.post(f"/api/v1/projects/{project.pk}/tasks/next/"),
        client.get(f"/api/v1/projects/{project.pk}/tasks/"),
        client.get(f"/api/v1/projects/{project.pk}/my-progress/"),
        client.get(f"/api/v1/tasks/{leased.pk}/"),
        client.get(f"/api/v1/tasks/{leased.pk}/annotation/"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [YAK], "version": 0}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/assign/", {"username": user.username}, format="json"),
    ]:
        assert response.status_code == 404, response.request
    assert _writes(leased) == before


def test_a_supervisor_of_another_project_sees_nothing(leased, other_project):
    boss = make_user()
    add_member(other_project, boss, Role.SUPERVISOR)
    response = api_client(boss).put(
        f"/api/v1/tasks/{leased.pk}/annotation/?annotator={leased.annotations.get().annotator_id}",
        {"boxes": [YAK], "version": 0}, format="json",
    )
    assert response.status_code == 404
    assert api_client(boss).post(f"/api/v1/tasks/{leased.pk}/assign/", {"username": "x"}, format="json").status_code == 404


def test_clients_read_tasks_but_never_annotate_or_assign(leased, project, client_user, annotator):
    before = _writes(leased)
    client = api_client(client_user)
    assert client.get(f"/api/v1/tasks/{leased.pk}/").status_code == 200
    assert client.get(f"/api/v1/projects/{project.pk}/tasks/").json()["count"] == 1
    for response in [
        client.post(f"/api/v1/projects/{project.pk}/tasks/next/"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [YAK], "version": 0}, format="json"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/?annotator={annotator.pk}", {"boxes": [YAK], "version": 0},
                   format="json"),
        client.get(f"/api/v1/tasks/{leased.pk}/annotation/?annotator={annotator.pk}"),
        client.post(f"/api/v1/tasks/{leased.pk}/submit/", {}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/skip/", {"reason": "x"}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/heartbeat/", {}, format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/assign/", {"username": annotator.username}, format="json"),
    ]:
        assert response.status_code == 403, response.request
        assert response.json()["code"] == "permission_denied"
    assert _writes(leased) == before


def test_annotators_cannot_read_or_write_other_annotators_work(leased, project, annotator):
    colleague = make_user()
    add_member(project, colleague, Role.ANNOTATOR)
    shared = make_task(project)
    project_update(project=project, overlap=2)
    # The colleague works on the same task, so it is visible to both.
    task_lease_next(project=project, annotator=colleague)
    assert Lease.objects.filter(task=leased, annotator=colleague).exists()
    before = _writes(leased)
    client = api_client(colleague)
    for response in [
        client.get(f"/api/v1/tasks/{leased.pk}/annotation/?annotator={annotator.pk}"),
        client.put(f"/api/v1/tasks/{leased.pk}/annotation/?annotator={annotator.pk}", {"boxes": [], "version": 0},
                   format="json"),
        client.post(f"/api/v1/tasks/{leased.pk}/assign/", {"username": colleague.username}, format="json"),
    ]:
        assert response.status_code == 403, response.request
    assert _writes(leased) == before
    # Listing shows each annotator only their own tasks.
    listed = client.get(f"/api/v1/projects/{project.pk}/tasks/").json()
    assert [t["id"] for t in listed["results"]] == [leased.pk] and listed["count"] == 1
    assert shared.pk not in [t["id"] for t in api_client(annotator).get(f"/api/v1/projects/{project.pk}/tasks/")
                             .json()["results"]]


def test_supervisors_read_and_fix_an_annotators_work_without_a_lease(leased, project, supervisor, annotator):
    client = api_client(supervisor)
    assert client.post(f"/api/v1/projects/{project.pk}/tasks/next/").status_code == 403
    got = client.get(f"/api/v1/tasks/{leased.pk}/annotation/?annotator={annotator.pk}")
    assert got.status_code == 200 and got.json()["annotator"] == annotator.pk
    fixed = client.put(f"/api/v1/tasks/{leased.pk}/annotation/?annotator={annotator.pk}",
                       {"boxes": [YAK], "version": 0}, format="json")
    assert fixed.status_code == 200 and fixed.json()["version"] == 1
    history = AnnotationHistory.objects.get(annotation__task=leased)
    assert (history.action, history.actor_id) == ("fix", supervisor.pk)
    # The annotator's next save from the old page is stale.
    stale = api_client(annotator).put(f"/api/v1/tasks/{leased.pk}/annotation/", {"boxes": [], "version": 0},
                                      format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 1


def test_supervisor_assigns_by_username_and_the_annotator_gets_it_next(project, supervisor, annotator):
    make_task(project, priority=9)
    chosen = make_task(project)
    response = api_client(supervisor).post(f"/api/v1/tasks/{chosen.pk}/assign/", {"username": annotator.username},
                                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["lease"]["assigned"] is True
    got = api_client(annotator).post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    assert got["id"] == chosen.pk and got["lease"]["assigned"] is True
    unknown = api_client(supervisor).post(f"/api/v1/tasks/{chosen.pk}/assign/", {"username": "nobody"},
                                          format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "not_an_annotator"


def test_gold_is_never_revealed_to_annotators(project, annotator):
    project.gold_rate = 1.0
    project.save()
    gold = make_task(project, is_gold=True, gold_boxes=[YAK])
    body = api_client(annotator).post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    assert body["id"] == gold.pk
    text = str(body) + str(api_client(annotator).get(f"/api/v1/tasks/{gold.pk}/").json()) + str(
        api_client(annotator).get(f"/api/v1/projects/{project.pk}/tasks/").json())
    assert "gold" not in text


def test_project_task_list_filters_by_status_and_pages(project, supervisor):
    for _ in range(3):
        make_task(project)
    make_task(project, status="accepted")
    client = api_client(supervisor)
    page = client.get(f"/api/v1/projects/{project.pk}/tasks/?status=open&limit=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    bad = client.get(f"/api/v1/projects/{project.pk}/tasks/?status=everything")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_status"


def test_task_list_runs_a_fixed_number_of_queries(project, supervisor, django_assert_max_num_queries):
    for _ in range(3):
        make_task(project)
    client = api_client(supervisor)
    # One of them reads the page's predictions, whatever the page size.
    with django_assert_max_num_queries(10) as small:
        client.get(f"/api/v1/projects/{project.pk}/tasks/")
    for _ in range(20):
        make_task(project)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(f"/api/v1/projects/{project.pk}/tasks/").json()["results"]) == 23
