import pytest

from labeling.models import Membership, Project
from tests.factories import api_client, make_task, make_user, same_organisation

pytestmark = pytest.mark.django_db


def test_members_see_their_projects_only(project, other_project, annotator, client_user, outsider):
    for user, expected in [(annotator, [project.pk]), (client_user, [project.pk]), (outsider, [other_project.pk])]:
        body = api_client(user).get("/api/v1/projects/").json()
        assert [p["id"] for p in body["results"]] == expected
        assert body["count"] == len(expected)


def test_admin_sees_every_project(admin_user, project, other_project):
    body = api_client(admin_user).get("/api/v1/projects/").json()
    assert {p["id"] for p in body["results"]} == {project.pk, other_project.pk}


def test_project_detail_shows_labels_role_and_progress(project, supervisor):
    make_task(project)
    make_task(project, status="accepted")
    body = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/").json()
    assert body["role"] == "supervisor"
    assert [label["name"] for label in body["labels"]] == ["yak", "snow_leopard", "tibetan_antelope"]
    assert body["progress"] == {"tasks": 2, "done": 1, "in_review": 0, "accepted": 1,
                                "gold": 0, "regular": 2, "to_label": 1, "waiting": 0, "checking": 0}


@pytest.mark.parametrize("who", ["outsider", "other_client"])
def test_other_projects_are_invisible_not_forbidden(project, who, request):
    user = request.getfixturevalue(who)
    response = api_client(user).get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_forged_ids_are_404(supervisor):
    client = api_client(supervisor)
    for pid in ["999999", "0", "99999999999999999999999"]:
        assert client.get(f"/api/v1/projects/{pid}/").status_code == 404


def test_supervisor_creates_project_with_labels_and_supervises_it(supervisor):
    response = api_client(supervisor).post(
        "/api/v1/projects/",
        {"name": "Kekexili antelope count", "overlap": 3, "labels": [{"name": "tibetan_antelope", "hotkey": 1}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "kekexili-antelope-count" and body["overlap"] == 3
    assert body["role"] == "supervisor"
    assert body["labels"][0]["name"] == "tibetan_antelope"


@pytest.mark.parametrize("who", ["annotator", "client_user"])
def test_annotators_and_clients_cannot_create_projects(who, request):
    user = request.getfixturevalue(who)
    before = Project.objects.count()
    response = api_client(user).post("/api/v1/projects/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert Project.objects.count() == before


@pytest.mark.parametrize(
    "payload, field",
    [({"overlap": 0}, "overlap"), ({"gold_rate": 1.5}, "gold_rate"), ({"owner": 3}, "owner"), ({"overlap": "many"}, "overlap")],
)
def test_bad_project_settings_are_refused_and_change_nothing(project, supervisor, payload, field):
    response = api_client(supervisor).patch(f"/api/v1/projects/{project.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    project.refresh_from_db()
    assert project.overlap == 1 and project.gold_rate == 0.1


def test_supervisor_updates_settings(project, supervisor):
    response = api_client(supervisor).patch(f"/api/v1/projects/{project.pk}/", {"overlap": 3, "lease_seconds": 600}, format="json")
    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.overlap, project.lease_seconds) == (3, 600)


@pytest.mark.parametrize("who", ["annotator", "client_user"])
def test_annotators_and_clients_cannot_change_projects(project, who, request):
    response = api_client(request.getfixturevalue(who)).patch(f"/api/v1/projects/{project.pk}/", {"overlap": 5}, format="json")
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.overlap == 1


def test_supervisor_adds_and_lists_members(project, supervisor):
    same_organisation(supervisor, make_user("dolma"))
    client = api_client(supervisor)
    added = client.post(f"/api/v1/projects/{project.pk}/members/", {"username": "dolma", "role": "annotator"}, format="json")
    assert added.status_code == 201
    changed = client.post(f"/api/v1/projects/{project.pk}/members/", {"username": "dolma", "role": "client"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "client"
    listed = client.get(f"/api/v1/projects/{project.pk}/members/").json()
    assert ("dolma", "client") in [(m["username"], m["role"]) for m in listed]


def test_member_errors(project, supervisor):
    client = api_client(supervisor)
    unknown_user = client.post(f"/api/v1/projects/{project.pk}/members/", {"username": "ghost", "role": "annotator"}, format="json")
    assert unknown_user.status_code == 404 and unknown_user.json()["code"] == "unknown_user"
    same_organisation(supervisor, make_user("tashi"))
    bad_role = client.post(f"/api/v1/projects/{project.pk}/members/", {"username": "tashi", "role": "owner"}, format="json")
    assert bad_role.status_code == 400 and "role" in bad_role.json()["errors"]
    assert not Membership.objects.filter(user__username="tashi").exists()


@pytest.mark.parametrize("who, status", [("annotator", 403), ("client_user", 403), ("outsider", 404)])
def test_only_supervisors_manage_members(project, who, status, request):
    user = request.getfixturevalue(who)
    make_user("pema")
    client = api_client(user)
    assert client.get(f"/api/v1/projects/{project.pk}/members/").status_code == status
    response = client.post(f"/api/v1/projects/{project.pk}/members/", {"username": "pema", "role": "supervisor"}, format="json")
    assert response.status_code == status
    assert not Membership.objects.filter(user__username="pema").exists()


def test_labels_endpoint(project, supervisor, annotator):
    created = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/labels/", {"name": "herder_tent", "hotkey": 4}, format="json")
    assert created.status_code == 201
    dup = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/labels/", {"name": "yak"}, format="json")
    assert dup.status_code == 409
    assert api_client(annotator).post(f"/api/v1/projects/{project.pk}/labels/", {"name": "x"}, format="json").status_code == 403
    names = [label["name"] for label in api_client(annotator).get(f"/api/v1/projects/{project.pk}/labels/").json()]
    assert names[-1] == "herder_tent"


def test_image_bytes_only_for_people_who_may_see_the_task(project, supervisor, client_user, annotator, outsider):
    task = make_task(project)
    url = f"/api/v1/images/{task.image_id}/file/"
    assert api_client(supervisor).get(url).status_code == 200
    assert api_client(client_user).get(url).status_code == 200
    # An annotator sees only tasks leased or assigned to them.
    assert api_client(annotator).get(url).status_code == 404
    assert api_client(outsider).get(url).status_code == 404
    assert api_client().get(url).status_code == 401
