"""The dataset page for clients and supervisors."""

import pytest
from django.test import Client

from labeling.export import jobs
from tests.factories import PASSWORD, make_user
from tests.labeling.export.helpers import bulk_dataset

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_client_sees_counts_versions_and_download_links(project, annotator, client_user,
                                                        django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=4)
    bulk_dataset(project, annotator, images=2, task_status="open", annotation_status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = jobs.export_request(project=project, user=client_user)
    export.refresh_from_db()

    page = browser(client_user).get(f"/annotate/projects/{project.pk}/datasets/")

    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong data-testid="accepted-count">4</strong>' in html
    assert 'data-testid="export-form"' in html
    assert f'href="/api/v1/exports/{export.pk}/download/"' in html
    assert f"{project.slug}-v1.json" in html and export.sha256[:12] in html


def test_other_people_get_404_or_403_and_anonymous_goes_to_login(project, annotator, other_client):
    url = f"/annotate/projects/{project.pk}/datasets/"
    assert browser(other_client).get(url).status_code == 404
    assert browser(make_user("stranger")).get(url).status_code == 404
    assert browser(annotator).get(url).status_code == 403
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
