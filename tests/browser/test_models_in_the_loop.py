"""The loop end to end over real HTTP: the reference backend runs as its own process on loopback.

Connect it, train it on accepted work, predict a batch, annotate from the
predictions in Chromium, accept, train again, predict again with a new model
version, and read that version's mAP on accepted work it never saw.
"""

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from accounts.roles import Role
from labeling.demo.scenes import render_scene
from labeling.models import Annotation, Box, Image, ModelRun, Prediction, PredictionUse, Task
from tests.browser.helpers import STAGE, login, open_labeling, wait_drawn
from tests.factories import add_member, api_client, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
W, H = 800, 600
LABELS = ("yak", "snow_leopard", "tibetan_antelope", "herder_tent", "person")


def demo_task(project, seed: int, **fields) -> tuple[Task, list[dict]]:
    """A task showing a demo scene, and the scene's true boxes."""
    scene = render_scene(seed, W, H)
    buf = io.BytesIO()
    scene.image.save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    image = Image(project=project, width=W, height=H, sha256=hashlib.sha256(data).hexdigest(), byte_size=len(data),
                  format="JPEG", original_name=f"scene{seed}.jpg")
    image.file.save(f"scene{seed}.jpg", ContentFile(data), save=False)
    image.save()
    boxes = [{"label": b.label, "x": b.x, "y": b.y, "width": b.width, "height": b.height} for b in scene.boxes]
    return Task.objects.create(project=project, image=image, **fields), boxes


def accept_as_work(task, annotator, boxes) -> None:
    """Accepted work of an annotator (the supervisor's accept, written directly)."""
    labels = {label.name: label for label in task.project.labels.all()}
    annotation = Annotation.objects.create(task=task, annotator=annotator, status="accepted")
    Box.objects.bulk_create(Box(annotation=annotation, label=labels[b["label"]], x=b["x"], y=b["y"],
                                width=b["width"], height=b["height"]) for b in boxes)
    Task.objects.filter(pk=task.pk).update(status="accepted")


@pytest.fixture
def reference_backend(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "mlbackend.server", "--port", "0", "--model-dir", str(tmp_path / "model")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()  # "mlbackend listening on http://127.0.0.1:PORT/"
        assert "listening on" in line, line
        yield line.rsplit(" ", 1)[-1].strip().rstrip("/")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_annotate_train_preannotate_with_the_reference_backend(live_server, page, settings, reference_backend):
    settings.ML_BACKEND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ML_BACKEND_PUBLIC_URL = live_server.url
    project = make_project("Loop survey", labels=LABELS)
    annotator, boss = make_user("annotator1"), make_user("supervisor1")
    add_member(project, annotator, Role.ANNOTATOR)
    add_member(project, boss, Role.SUPERVISOR)
    supervisor = api_client(boss)
    base = f"/api/v1/projects/{project.pk}"

    # Accepted work of earlier days, and today's tasks.
    for seed in (11, 12, 13):
        task, boxes = demo_task(project, seed)
        accept_as_work(task, annotator, boxes)
    to_label = [demo_task(project, seed, priority=10) for seed in (21, 22)]
    held_out = [demo_task(project, seed) for seed in (31, 32, 33)]

    connected = supervisor.post(f"{base}/ml-backends/", {"name": "reference", "url": reference_backend},
                                format="json").json()
    assert connected["state"] == "connected", connected
    assert connected["model_version"] == "reference-untrained"

    trained = supervisor.post(f"{base}/predictions/train/", {"backend": connected["id"]}, format="json").json()
    first = ModelRun.objects.get(pk=trained["id"])
    assert first.state == "done", first.detail
    assert first.model_version.startswith("reference-3tasks-")

    run = supervisor.post(f"{base}/predictions/run/", {"backend": connected["id"], "tasks": "open"},
                          format="json").json()
    batch = ModelRun.objects.get(pk=run["id"])
    assert batch.state == "done" and batch.errors == [] and batch.done == 5
    assert Prediction.objects.filter(model_version=first.model_version).count() == 5

    # The annotator opens the tool: the prediction's boxes are there, dashed, until accepted with A.
    login(page, live_server.url, annotator.username)
    open_labeling(page, live_server.url, project.pk)
    task_id = int(page.locator(STAGE).get_attribute("data-drawn-task-id"))
    predicted = Prediction.objects.get(task_id=task_id, model_version=first.model_version)
    assert predicted.boxes, "the model found nothing on this scene"
    items = page.locator('[data-testid="box-item"]')
    assert items.count() == len(predicted.boxes)
    assert page.locator('[data-testid="box-item"][data-predicted="true"]').count() == len(predicted.boxes)
    assert page.locator('[data-testid="prediction-version"] option').count() == 1
    page.locator(STAGE).focus()
    page.keyboard.press("a")
    page.wait_for_function("document.querySelectorAll('[data-predicted=\"true\"]').length === 0")
    page.keyboard.press("Control+Enter")
    wait_drawn(page, next(t.pk for t, _ in to_label if t.pk != task_id))
    use = PredictionUse.objects.get(annotation__task_id=task_id)
    assert use.prediction_id == predicted.pk and use.submitted_at is not None
    assert use.outcome["kept"] == len(predicted.boxes) and use.outcome["moved"] == use.outcome["added"] == 0
    submitted = Annotation.objects.get(task_id=task_id, annotator=annotator)
    assert submitted.boxes.count() == len(predicted.boxes)

    # The supervisor accepts it; the model trains again and predicts with a new version.
    Task.objects.filter(pk=task_id).update(status="review")
    review = supervisor.post(f"/api/v1/tasks/{task_id}/review/", {"decision": "accept"}, format="json")
    assert review.status_code == 200, review.json()
    second = ModelRun.objects.get(pk=supervisor.post(f"{base}/predictions/train/", {"backend": connected["id"]},
                                                     format="json").json()["id"])
    assert second.state == "done" and second.model_version.startswith("reference-4tasks-")
    assert sorted(second.task_ids) == sorted([*first.task_ids, task_id])
    run = supervisor.post(f"{base}/predictions/run/",
                          {"backend": connected["id"], "tasks": [t.pk for t, _ in held_out]}, format="json").json()
    assert ModelRun.objects.get(pk=run["id"]).state == "done"

    # The held-out scenes' work is accepted later: the new version is scored on it, unseen.
    for task, boxes in held_out:
        accept_as_work(task, annotator, boxes)
    quality = supervisor.get(f"{base}/model-quality/").json()
    by_version = {v["model_version"]: v for v in quality["versions"]}
    newest = by_version[second.model_version]
    assert newest["training_data_known"] and newest["tasks_seen_in_training"] == 4
    assert newest["evaluated_tasks"] == 3 and isinstance(newest["map50"], float) and 0 <= newest["map50"] <= 1
    assert by_version[first.model_version]["time"]["boxes_kept"] == len(predicted.boxes)
