"""The audit trail: membership and role changes are recorded and shown only to those entitled."""

import pytest
from django.contrib.admin.sites import site

from accounts.audit import Action, audit_record
from accounts.models import AuditEvent
from tests.factories import api_client, make_task, make_user, same_organisation

pytestmark = pytest.mark.django_db


def _add(actor, project, username, role):
    return api_client(actor).post(
        f"/api/v1/projects/{project.pk}/members/", {"username": username, "role": role}, format="json"
    )


def test_adding_and_promoting_a_member_is_recorded_with_actor_and_previous_role(project, supervisor):
    same_organisation(supervisor, make_user("tenzin"))
    assert _add(supervisor, project, "tenzin", "annotator").status_code == 201
    assert _add(supervisor, project, "tenzin", "supervisor").status_code == 200
    assert _add(supervisor, project, "tenzin", "supervisor").status_code == 200  # no change, no event

    body = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/audit/").json()
    assert body["count"] == 2
    newest, oldest = body["results"]
    assert oldest["action"] == "membership.add" and oldest["details"]["role"] == "annotator"
    assert newest["action"] == "membership.role_change"
    assert newest["details"] == {"username": "tenzin", "role": "supervisor", "previous_role": "annotator"}
    assert newest["actor_name"] == "supervisor" and newest["actor_id"] == supervisor.pk
    assert newest["project_id"] == project.pk


def test_refused_membership_change_leaves_no_event(project, supervisor):
    response = _add(supervisor, project, "nobody-here", "annotator")
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_user_creation_and_project_creation_are_recorded(admin_user):
    api_client(admin_user).post("/api/v1/users/", {"username": "dolma", "password": "yak-herder-2026!"}, format="json")
    created = api_client(admin_user).post("/api/v1/projects/", {"name": "Amdo"}, format="json").json()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name"))
    assert actions == [("user.create", "admin"), ("project.create", "admin")]
    assert AuditEvent.objects.get(action="project.create").project_id == created["id"]


@pytest.mark.parametrize("who,status", [("annotator", 403), ("client_user", 403), ("outsider", 404), ("other_client", 404)])
def test_project_audit_is_hidden_from_everyone_but_supervisors_and_admins(project, who, status, request):
    audit_record(actor=None, action=Action.MEMBER_ADD, project_id=project.pk, details={"secret": "x"})
    response = api_client(request.getfixturevalue(who)).get(f"/api/v1/projects/{project.pk}/audit/")
    assert response.status_code == status
    assert "secret" not in response.content.decode()


def test_supervisor_sees_only_their_projects_events(project, other_project, supervisor):
    audit_record(actor=None, action=Action.MEMBER_ADD, project_id=other_project.pk)
    assert api_client(supervisor).get(f"/api/v1/projects/{project.pk}/audit/").json()["count"] == 0
    assert api_client(supervisor).get(f"/api/v1/projects/{other_project.pk}/audit/").status_code == 404
    assert api_client(supervisor).get("/api/v1/audit/").status_code == 403


def test_admin_reads_everything_and_filters(project, other_project, admin_user):
    audit_record(actor=admin_user, action=Action.MEMBER_ADD, project_id=project.pk)
    audit_record(actor=admin_user, action=Action.EXPORT_DOWNLOAD, project_id=other_project.pk, target_type="export", target_id=7)
    client = api_client(admin_user)
    assert client.get("/api/v1/audit/").json()["count"] == 2
    assert client.get(f"/api/v1/audit/?project={other_project.pk}").json()["results"][0]["target_id"] == "7"
    assert client.get("/api/v1/audit/?action=membership.add").json()["count"] == 1
    bad = client.get("/api/v1/audit/?since=yesterday")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_since"
    assert client.get("/api/v1/audit/?project=abc").status_code == 400


def test_audit_is_read_only_in_the_django_admin(admin_user, rf):
    model_admin = site._registry[AuditEvent]
    request = rf.get("/admin/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_admin_changelist_renders(admin_user, client):
    audit_record(actor=admin_user, action=Action.MEMBER_ADD, project_id=1)
    client.force_login(admin_user)
    response = client.get("/admin/accounts/auditevent/")
    assert response.status_code == 200 and b"membership.add" in response.content


def _image_urls(task) -> dict[str, str]:
    base = f"/api/v1/images/{task.image_id}"
    return {"file": f"{base}/file/", "display": f"{base}/display/", "thumbnail": f"{base}/thumbnail/"}


def test_original_download_is_one_event_the_supervisor_reads(project, supervisor, client_user):
    task = make_task(project)
    urls = _image_urls(task)
    client = api_client(client_user)
    assert client.get(urls["file"]).status_code == 200
    # What the tool fetches all day long is not a download.
    assert client.get(urls["display"]).status_code == 200
    assert client.get(urls["thumbnail"]).status_code == 200
    assert client.head(urls["file"]).status_code == 200

    body = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/audit/").json()
    assert body["count"] == 1
    event = body["results"][0]
    assert event["action"] == "image.download"
    assert event["actor_name"] == "client" and event["actor_id"] == client_user.pk
    assert event["project_id"] == project.pk
    assert event["target_type"] == "image" and event["target_id"] == str(task.image_id)
    assert event["at"]


def test_refused_original_download_records_nothing(project, other_project, outsider, annotator):
    task = make_task(project)
    url = _image_urls(task)["file"]
    # Another project's annotator, and this project's annotator without the task.
    for attacker in (outsider, annotator):
        response = api_client(attacker).get(url)
        assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="image.download").exists()
