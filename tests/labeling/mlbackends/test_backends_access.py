"""Who may connect model servers, and which URLs the platform refuses to call (SSRF)."""

import pytest

from labeling.models import MLBackend
from tests.factories import api_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9090", "http://localhost:9090", "http://10.1.2.3/", "http://192.168.0.5",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]:9090", "http://0.0.0.0:9090",
    "file:///etc/passwd", "gopher://127.0.0.1:6379/", "ftp://example.org/", "http://user:pw@example.org/",
    "not a url", "",
])
def test_private_addresses_and_other_schemes_are_refused(project, supervisor, url):
    response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/ml-backends/",
                                           {"name": "evil", "url": url}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] in ("url_refused", "url_unresolved", "invalid", "blank")
    assert not MLBackend.objects.exists()


def test_an_admin_setting_allows_a_private_network(project, supervisor, settings):
    settings.ML_BACKEND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/ml-backends/",
                                           {"name": "local", "url": "http://127.0.0.1:9/"}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "error"  # allowed, but nothing listens
    assert MLBackend.objects.get().url == "http://127.0.0.1:9"
    # Still not 169.254/16 nor 10/8: only the listed network.
    response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/ml-backends/",
                                           {"name": "meta", "url": "http://169.254.169.254/"}, format="json")
    assert response.status_code == 400


def test_annotators_and_clients_are_refused_outsiders_see_nothing(project, annotator, client_user, outsider,
                                                                  supervisor, settings):
    settings.ML_BACKEND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    backend = MLBackend.objects.create(project=project, name="m", url="http://127.0.0.1:9", auth_header="Token x")
    base = f"/api/v1/projects/{project.pk}"
    paths = ["/ml-backends/", f"/ml-backends/{backend.pk}/", "/model-runs/", "/model-quality/"]
    for user, status in ((annotator, 403), (client_user, 403), (outsider, 404)):
        client = api_client(user)
        for path in paths:
            assert client.get(base + path).status_code == status, (user, path)
        assert client.post(base + "/ml-backends/", {"name": "x", "url": "http://127.0.0.1:1"},
                           format="json").status_code == status
        assert client.post(base + "/predictions/run/", {"backend": backend.pk}, format="json").status_code == status
        assert client.delete(base + f"/ml-backends/{backend.pk}/").status_code == status
    assert MLBackend.objects.count() == 1
    listed = api_client(supervisor).get(base + "/ml-backends/").json()
    assert listed[0]["has_auth_header"] is True and "auth_header" not in listed[0]


def test_a_backend_of_another_project_is_not_found(project, other_project, supervisor):
    theirs = MLBackend.objects.create(project=other_project, name="m", url="http://example.org")
    client = api_client(supervisor)
    assert client.get(f"/api/v1/projects/{project.pk}/ml-backends/{theirs.pk}/").status_code == 404
    response = client.post(f"/api/v1/projects/{project.pk}/predictions/run/", {"backend": theirs.pk}, format="json")
    assert response.status_code == 404
