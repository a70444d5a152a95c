"""The supervisors' Models page: connect a server, start runs, read each version's quality."""

import pytest
from django.test import Client

from labeling.models import Annotation, Box, MLBackend, ModelRun, Prediction
from tests.factories import make_task
from tests.labeling.mlbackends.fake_backend import FakeBackend

pytestmark = pytest.mark.django_db


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_connect_refuses_private_urls_with_a_message(project, supervisor):
    client = page_client(supervisor)
    response = client.post(f"/annotate/projects/{project.pk}/models/",
                           {"action": "connect", "name": "evil", "url": "http://169.254.169.254/"}, follow=True)
    assert response.status_code == 200 and "private or reserved" in response.content.decode()
    assert not MLBackend.objects.exists()


def test_connect_and_predict_from_the_page_then_read_quality(project, supervisor, annotator, settings,
                                                             django_capture_on_commit_callbacks):
    settings.ML_BACKEND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    task = make_task(project)
    client = page_client(supervisor)
    with FakeBackend() as fake:
        fake.answers["/setup"] = [(200, {"model_version": "yolo-1"})]
        fake.answers["/predict"] = [(200, {"results": [{"result": [
            {"type": "rectanglelabels", "value": {"x": 10, "y": 10, "width": 10, "height": 10,
                                                  "rectanglelabels": ["yak"]}, "score": 0.9}]}]})]
        client.post(f"/annotate/projects/{project.pk}/models/", {"action": "connect", "name": "yolo", "url": fake.url})
        backend = MLBackend.objects.get()
        assert backend.state == "connected"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/annotate/projects/{project.pk}/models/", {"action": "predict", "backend": backend.pk})
    assert ModelRun.objects.get().state == "done" and Prediction.objects.get(task=task).model_version == "yolo-1"
    # The annotator's accepted work matches the prediction exactly: AP 1.0.
    annotation = Annotation.objects.create(task=task, annotator=annotator, status="accepted")
    Box.objects.create(annotation=annotation, label=project.labels.get(name="yak"), x=64, y=48, width=64, height=48)
    html = client.get(f"/annotate/projects/{project.pk}/models/").content.decode()
    assert 'data-chart="Model quality on accepted work it had not seen"' in html
    assert '<tr data-version="yolo-1">' in html and "<td>1.0</td>" in html
    assert "yolo" in html and "connected" in html.lower()


def test_annotators_and_clients_may_not_open_it(project, annotator, client_user):
    for user in (annotator, client_user):
        assert page_client(user).get(f"/annotate/projects/{project.pk}/models/").status_code == 403
        assert page_client(user).post(f"/annotate/projects/{project.pk}/models/",
                                      {"action": "connect", "name": "x", "url": "http://example.org"}).status_code == 403
    assert not MLBackend.objects.exists()
