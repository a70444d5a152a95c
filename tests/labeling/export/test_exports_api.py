"""The exports API, from the client's side and from the attacker's."""

import hashlib

import pytest

from labeling.models import Export
from tests.factories import api_client, make_user
from tests.labeling.export.helpers import bulk_dataset

pytestmark = pytest.mark.django_db


def post_export(client, project, body=None, capture=None):
    body = {"format": "coco", "status": "accepted"} if body is None else body
    if capture is None:
        return client.post(f"/api/v1/projects/{project.pk}/exports/", body, format="json")
    with capture(execute=True):
        return client.post(f"/api/v1/projects/{project.pk}/exports/", body, format="json")


def test_client_requests_follows_and_downloads_an_export(
        project, annotator, client_user, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=3, boxes_per_image=2)
    client = api_client(client_user)

    response = post_export(client, project, {
        "format": "coco", "status": "accepted", "include_images": False,
        "zero_based_categories": False, "deferrable": False}, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.json()
    body = response.json()
    assert {"id", "version", "state", "progress", "status", "sha256", "filename"} <= set(body)
    assert body["version"] == 1 and body["status"] == "accepted"
    detail = client.get(f"/api/v1/exports/{body['id']}/").json()
    assert detail["state"] == "done" and detail["progress"] == 100
    assert (detail["image_count"], detail["annotation_count"]) == (3, 6)
    listed = client.get(f"/api/v1/projects/{project.pk}/exports/").json()
    assert [e["id"] for e in listed] == [body["id"]]

    download = client.get(detail["download_url"])
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == detail["sha256"]
    assert download["ETag"] == f'"{detail["sha256"]}"'
    assert download["X-Checksum-SHA256"] == detail["sha256"]
    assert f'filename="{project.slug}-v1.json"' in download["Content-Disposition"]
    assert download["Content-Type"] == "application/json"
    again = client.get(detail["download_url"], HTTP_IF_NONE_MATCH=download["ETag"])
    assert again.status_code == 304


def test_supervisor_and_admin_may_export_too(project, supervisor, admin_user,
                                             django_capture_on_commit_callbacks):
    for user in (supervisor, admin_user):
        response = post_export(api_client(user), project, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 202
    assert sorted(Export.objects.values_list("version", flat=True)) == [1, 2]


def test_running_export_cannot_be_downloaded_yet(project, client_user):
    export = Export.objects.create(project=project, version=1, state="running", progress=40)
    response = api_client(client_user).get(f"/api/v1/exports/{export.pk}/download/")
    assert response.status_code == 409
    assert response.json()["code"] == "export_not_ready" and response.json()["progress"] == 40


def test_failed_and_expired_exports_are_not_offered(project, client_user):
    failed = Export.objects.create(project=project, version=1, state="failed", error="boom")
    expired = Export.objects.create(project=project, version=2, state="expired", sha256="ab" * 32)
    client = api_client(client_user)
    assert client.get(f"/api/v1/exports/{failed.pk}/download/").status_code == 409
    response = client.get(f"/api/v1/exports/{expired.pk}/download/")
    assert response.status_code == 410 and response.json()["code"] == "export_expired"
    assert client.get(f"/api/v1/exports/{expired.pk}/").json()["sha256"] == "ab" * 32


def test_client_of_another_project_sees_nothing(project, client_user, other_client, outsider,
                                                django_capture_on_commit_callbacks):
    response = post_export(api_client(client_user), project, capture=django_capture_on_commit_callbacks)
    export_id = response.json()["id"]
    for attacker in (other_client, outsider, make_user("nobody")):
        client = api_client(attacker)
        for method, url in [
            ("get", f"/api/v1/projects/{project.pk}/exports/"),
            ("post", f"/api/v1/projects/{project.pk}/exports/"),
            ("get", f"/api/v1/exports/{export_id}/"),
            ("get", f"/api/v1/exports/{export_id}/download/"),
        ]:
            answer = getattr(client, method)(url, {}, format="json") if method == "post" else client.get(url)
            assert answer.status_code == 404, (attacker, url)
            assert answer.json() == {"detail": "Not found.", "code": "not_found"}
    # A missing id looks exactly like someone else's.
    assert api_client(other_client).get("/api/v1/exports/999999/").json() == {
        "detail": "Not found.", "code": "not_found"}
    assert Export.objects.count() == 1


def test_annotators_may_not_export_and_anonymous_must_log_in(project, annotator, client_user,
                                                              django_capture_on_commit_callbacks):
    export_id = post_export(api_client(client_user), project,
                            capture=django_capture_on_commit_callbacks).json()["id"]
    client = api_client(annotator)
    assert post_export(client, project).status_code == 403
    assert client.get(f"/api/v1/exports/{export_id}/download/").status_code == 403
    assert client.get(f"/api/v1/projects/{project.pk}/exports/").status_code == 403
    assert api_client().get(f"/api/v1/exports/{export_id}/download/").status_code == 401
    assert Export.objects.count() == 1


@pytest.mark.parametrize("body, field", [
    ({"format": "tfrecord"}, "format"),
    ({"status": "rejected"}, "status"),
    ({"include_images": "maybe"}, "include_images"),
    ({"colour": "blue"}, "colour"),
    ({"deferrable": True, "deadline": "tomorrow"}, "deadline"),
])
def test_bad_requests_are_refused_and_create_nothing(project, client_user, body, field):
    response = post_export(api_client(client_user), project, body)
    assert response.status_code == 400
    assert field in response.json()["errors"] and response.json()["code"]
    assert Export.objects.count() == 0


def test_export_requests_and_downloads_are_in_the_audit_trail(
        project, annotator, client_user, supervisor, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=1, boxes_per_image=1)
    created = post_export(api_client(client_user), project, capture=django_capture_on_commit_callbacks).json()
    api_client(client_user).get(f"/api/v1/exports/{created['id']}/download/")
    trail = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/audit/").json()
    events = [(e["action"], e["actor_name"]) for e in trail["results"]]
    assert ("export.create", "client") in events
    assert ("export.download", "client") in events
