"""COCO pre-annotations → shown in the tool → submitted unchanged → accepted → exported equal."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from labeling.export.coco import coco_chunks
from labeling.models import PredictionUse, Task
from tests.browser.helpers import STAGE, login, make_scene_task, open_labeling
from tests.factories import add_member, api_client, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_imported_pre_annotations_submitted_unchanged_export_equal(live_server, page):
    project = make_project("Round trip")
    annotator, boss = make_user("annotator1"), make_user("supervisor1")
    add_member(project, annotator, Role.ANNOTATOR)
    add_member(project, boss, Role.SUPERVISOR)
    task = make_scene_task(project, width=800, height=600, seed=3)
    document = {
        "images": [{"id": 7, "file_name": task.image.original_name, "width": 800, "height": 600}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [100.5, 200.25, 60, 40], "score": 0.91},
            {"id": 2, "image_id": 7, "category_id": 2, "bbox": [400, 100, 80.75, 50], "score": 0.42},
        ],
        "categories": [{"id": 1, "name": "yak"}, {"id": 2, "name": "snow_leopard"}],
    }
    supervisor = api_client(boss)
    response = supervisor.post(f"/api/v1/projects/{project.pk}/coco-import/", {
        "file": SimpleUploadedFile("detector.json", json.dumps(document).encode(), "application/json"),
        "mode": "pre_annotations", "model_version": "detector-7"}, format="multipart")
    assert response.status_code == 200, response.json()

    login(page, live_server.url, annotator.username)
    open_labeling(page, live_server.url, project.pk)
    assert page.locator('[data-testid="box-item"][data-predicted="true"]').count() == 2
    assert page.locator('[data-testid="prediction-version"] option').inner_text() == "detector-7 (0.67)"
    page.locator(STAGE).focus()
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="all-done"]:not([hidden])')

    use = PredictionUse.objects.get(annotation__task=task)
    assert use.outcome["kept"] == 2 and use.outcome["deleted"] == use.outcome["added"] == 0
    Task.objects.filter(pk=task.pk).update(status="review")
    assert supervisor.post(f"/api/v1/tasks/{task.pk}/review/", {"decision": "accept"},
                           format="json").status_code == 200
    exported = json.loads("".join(coco_chunks(project=project)))
    names = {c["id"]: c["name"] for c in exported["categories"]}
    assert sorted((names[a["category_id"]], *a["bbox"]) for a in exported["annotations"]) == [
        ("snow_leopard", 400.0, 100.0, 80.75, 50.0), ("yak", 100.5, 200.25, 60.0, 40.0)]
