"""The platform as a Label Studio ML backend client: requests as LS sends them, answers as LS backends give them.

The recorded answers follow label-studio-ml 2.0.x (HumanSignal/label-studio-ml-backend,
``label_studio_ml/api.py``; regions as its YOLO example builds them, without
original_width/height) and 1.0.9 (``model_version`` beside ``results``).
"""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from labeling.models import MLBackend, ModelRun, Prediction
from tests.factories import api_client, make_task
from tests.labeling.mlbackends.fake_backend import FakeBackend

pytestmark = pytest.mark.django_db


def region(label, x, y, w, h, score=0.9, **extra):
    # Exactly what LS's YOLO example returns for a RectangleLabels control.
    return {"from_name": "label", "to_name": "image", "type": "rectanglelabels",
            "value": {"rectanglelabels": [label], "x": x, "y": y, "width": w, "height": h}, "score": score, **extra}


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.ML_BACKEND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ML_BACKEND_RETRIES = 1


@pytest.fixture(autouse=True)
def _jobs_run(django_capture_on_commit_callbacks):
    """Run jobs queued on commit (eager Celery), as they would after a real commit."""
    global _commit
    _commit = django_capture_on_commit_callbacks


@pytest.fixture
def fake():
    with FakeBackend() as server:
        server.answers["/setup"] = [(200, {"model_version": "yolov8m-2026"})]
        yield server


def connect(supervisor, project, fake, **extra):
    response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/ml-backends/",
                                           {"name": "yolo", "url": fake.url, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def run(supervisor, project, backend_id, tasks="all"):
    with _commit(execute=True):
        response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/predictions/run/",
                                               {"backend": backend_id, "tasks": tasks}, format="json")
    assert response.status_code == 202, response.json()
    return ModelRun.objects.get(pk=response.json()["id"])


def test_connect_checks_health_and_sends_setup_like_label_studio(project, supervisor, fake):
    body = connect(supervisor, project, fake, auth_header="Token s3cret")
    assert body["state"] == "connected" and body["model_version"] == "yolov8m-2026"
    assert body["has_auth_header"] is True and "s3cret" not in str(body)
    health, setup = fake.calls("/health")[0], fake.calls("/setup")[0]
    assert health["method"] == "GET" and health["headers"]["Authorization"] == "Token s3cret"
    assert setup["json"]["project"] == f"{project.pk}.{int(project.created_at.timestamp())}"
    config = ET.fromstring(setup["json"]["schema"])
    control = config.find("RectangleLabels")
    assert config.find("Image").get("value") == "$image" and control.get("toName") == "image"
    assert [label.get("value") for label in control] == list(project.labels.order_by("id").values_list("name", flat=True))


def test_predict_request_and_2x_answer_become_predictions_in_pixels(project, supervisor, fake, settings):
    tasks = [make_task(project, width=640, height=480) for _ in range(3)]
    settings.ML_PREDICT_BATCH = 2
    fake.answers["/predict"] = [
        (200, {"results": [{"result": [region("yak", 10, 20, 25, 50, score=0.8)], "score": 0.8,
                            "model_version": "yolov8m-2026"},
                           {"result": [], "score": None, "model_version": "yolov8m-2026"}]}),
        (200, {"results": [{"result": [region("snow_leopard", 0, 0, 100, 100, score=0.3,
                                              original_width=640, original_height=480)],
                            "model_version": "yolov8m-2026"}]}),
    ]
    backend = connect(supervisor, project, fake)
    model_run = run(supervisor, project, backend["id"])
    model_run.refresh_from_db()
    assert model_run.state == "done" and model_run.done == 3 and model_run.errors == []
    first = fake.calls("/predict")[0]["json"]
    assert set(first) == {"tasks", "project", "label_config", "params"} and first["params"] == {"context": None}
    assert [t["id"] for t in first["tasks"]] == [tasks[0].pk, tasks[1].pk]
    assert set(first["tasks"][0]) == {"id", "data"} and set(first["tasks"][0]["data"]) == {"image"}
    prediction = Prediction.objects.get(task=tasks[0])
    assert prediction.model_version == "yolov8m-2026" and prediction.source == "backend" and prediction.score == 0.8
    assert prediction.boxes == [{"label": "yak", "x": 64.0, "y": 96.0, "width": 160.0, "height": 240.0, "score": 0.8}]
    assert Prediction.objects.get(task=tasks[1]).boxes == []
    assert Prediction.objects.get(task=tasks[2]).boxes[0]["width"] == 640.0
    # Energy of the backend's busy time is attributed to each task it served, as inference.
    from energy.models import LedgerEntry

    entries = LedgerEntry.objects.filter(job_kind="inference", job_id=f"modelrun-{model_run.pk}")
    assert sorted(entries.values_list("task_id", flat=True)) == sorted(t.pk for t in tasks)


def test_label_studio_1_0_answer_with_version_beside_results(project, supervisor, fake):
    task = make_task(project)
    fake.answers["/predict"] = [(200, {"results": [{"result": [region("yak", 1, 1, 2, 2)], "score": 0.5}],
                                       "model_version": "old-style-v3"})]
    run(supervisor, project, connect(supervisor, project, fake)["id"])
    assert Prediction.objects.get(task=task).model_version == "old-style-v3"


def test_signed_image_link_opens_that_image_only_and_expires(project, supervisor, fake, settings):
    task, other = make_task(project), make_task(project)
    fake.answers["/predict"] = [(200, {"results": [{"result": []}]})]
    run(supervisor, project, connect(supervisor, project, fake)["id"], tasks=[task.pk])
    url = fake.calls("/predict")[0]["json"]["tasks"][0]["data"]["image"]
    path = url.removeprefix(settings.ML_BACKEND_PUBLIC_URL)
    anonymous = Client()
    fetched = anonymous.get(path)
    assert fetched.status_code == 200 and b"".join(fetched.streaming_content) == task.image.file.open("rb").read()
    assert anonymous.get(path.replace(f"/{task.image_id}/", f"/{other.image_id}/")).status_code == 404
    assert anonymous.get(path[:-3] + "abc/").status_code == 404
    settings.ML_IMAGE_LINK_SECONDS = -1
    assert anonymous.get(path).status_code == 404


BAD_RESULTS = [
    ("percent_out_of_range", region("yak", 10, 10, 120, 10)),
    ("box_outside_image", region("yak", 90, 10, 20, 10)),
    ("unknown_label", region("giraffe", 10, 10, 10, 10)),
    ("bad_result", {"type": "rectanglelabels", "value": {"x": "ten"}}),
    ("bad_score", region("yak", 1, 1, 2, 2, score=7)),
    ("size_mismatch", region("yak", 1, 1, 2, 2, original_width=999, original_height=480)),
]


def test_each_bad_result_is_a_per_task_error_and_stores_nothing_for_that_task(project, supervisor, fake):
    tasks = [make_task(project) for _ in range(len(BAD_RESULTS) + 1)]
    good = {"result": [region("yak", 1, 1, 2, 2)], "model_version": "v1"}
    fake.answers["/predict"] = [(200, {"results": [{"result": [bad], "model_version": "v1"}
                                                   for _, bad in BAD_RESULTS] + [good]})]
    model_run = run(supervisor, project, connect(supervisor, project, fake)["id"])
    model_run.refresh_from_db()
    assert model_run.state == "done"
    assert [(e["task"], e["code"]) for e in model_run.errors] == [
        (task.pk, code) for task, (code, _) in zip(tasks, BAD_RESULTS)]
    assert list(Prediction.objects.values_list("task_id", flat=True)) == [tasks[-1].pk]


@pytest.mark.parametrize("answer,code", [
    ((200, b"{not json"), "backend_malformed"),
    ((500, {"error": "boom"}), "backend_http_error"),
    ((200, {"results": []}), "backend_malformed"),  # fewer results than tasks
    ((200, ["not", "an", "object"]), "backend_malformed"),
])
def test_a_broken_answer_fails_the_batch_tasks_with_its_code(project, supervisor, fake, answer, code):
    task = make_task(project)
    fake.answers["/predict"] = [answer]
    model_run = run(supervisor, project, connect(supervisor, project, fake)["id"])
    model_run.refresh_from_db()
    assert model_run.state == "failed" and model_run.errors == [
        {"task": task.pk, "code": code, "message": model_run.errors[0]["message"]}]
    assert not Prediction.objects.exists()
    # The task is still labeled normally: it stays open and has no predictions to show.
    assert api_client(supervisor).get(f"/api/v1/tasks/{task.pk}/").json()["predictions"] == []


def test_a_slow_backend_times_out_is_retried_then_recorded(project, supervisor, fake, settings):
    task = make_task(project)
    backend = connect(supervisor, project, fake)
    MLBackend.objects.filter(pk=backend["id"]).update(timeout_seconds=0.3)
    fake.release.clear()
    fake.answers["/predict"] = [(200, "HANG")]
    model_run = run(supervisor, project, backend["id"])
    model_run.refresh_from_db()
    assert len(fake.calls("/predict")) == 1 + settings.ML_BACKEND_RETRIES
    assert [e["code"] for e in model_run.errors] == ["backend_timeout"] and model_run.errors[0]["task"] == task.pk
    assert not Prediction.objects.exists()


def test_a_backend_that_recovers_after_a_timeout_stores_its_answer(project, supervisor, fake):
    task = make_task(project)
    backend = connect(supervisor, project, fake)
    MLBackend.objects.filter(pk=backend["id"]).update(timeout_seconds=0.3)
    fake.release.clear()
    fake.answers["/predict"] = [(200, "HANG"), (200, {"results": [{"result": [], "model_version": "v2"}]})]
    model_run = run(supervisor, project, backend["id"])
    model_run.refresh_from_db()
    assert model_run.state == "done" and model_run.errors == []
    assert Prediction.objects.get(task=task).model_version == "v2"


def test_a_backend_that_is_down_shows_as_error_and_runs_record_it(project, supervisor):
    with FakeBackend() as gone:
        url = gone.url
    response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/ml-backends/",
                                           {"name": "down", "url": url}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "error"
    assert "backend_unreachable" in response.json()["last_error"]
    task = make_task(project)
    model_run = run(supervisor, project, response.json()["id"])
    model_run.refresh_from_db()
    assert model_run.errors[0]["task"] == task.pk and model_run.errors[0]["code"] == "backend_unreachable"


def test_training_sends_accepted_annotations_as_label_studio_does(project, supervisor, annotator, fake):
    from labeling.models import Annotation, Box

    task, gold, open_task = make_task(project, width=200, height=100), make_task(project, is_gold=True), make_task(project)
    yak = project.labels.get(name="yak")
    for t in (task, gold, open_task):
        annotation = Annotation.objects.create(task=t, annotator=annotator,
                                               status="accepted" if t is not open_task else "submitted")
        Box.objects.create(annotation=annotation, label=yak, x=20, y=10, width=50, height=40)
    fake.answers["/setup"] = [(200, {"model_version": "before"}), (200, {"model_version": "after-training"})]
    fake.answers["/webhook"] = [(201, {"result": {}, "status": "ok"})]
    backend = connect(supervisor, project, fake)
    with _commit(execute=True):
        response = api_client(supervisor).post(f"/api/v1/projects/{project.pk}/predictions/train/",
                                               {"backend": backend["id"]}, format="json")
    assert response.status_code == 202, response.json()
    model_run = ModelRun.objects.get(pk=response.json()["id"])
    assert model_run.state == "done" and model_run.model_version == "after-training"
    assert model_run.task_ids == [task.pk]  # gold and unaccepted work are never sent
    event = fake.calls("/webhook")[0]["json"]
    assert event["action"] == "START_TRAINING" and event["project"]["id"] == project.pk
    assert "RectangleLabels" in event["project"]["label_config"]
    [sent] = event["annotations"]
    assert sent["task"]["id"] == task.pk and sent["task"]["data"]["image"].startswith("http")
    [result] = sent["result"]
    assert result["type"] == "rectanglelabels" and result["original_width"] == 200
    assert result["value"] | {} == {"x": 10.0, "y": 10.0, "width": 25.0, "height": 40.0, "rotation": 0,
                                    "rectanglelabels": ["yak"]}
    assert MLBackend.objects.get(pk=backend["id"]).model_version == "after-training"
