"""Predictions as annotators, supervisors and clients meet them: import, task payloads, from_prediction."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import Prediction, PredictionUse
from tests.factories import api_client, make_task

pytestmark = pytest.mark.django_db


def coco(task, annotations):
    return {"images": [{"id": 1, "file_name": task.image.original_name, "width": 640, "height": 480}],
            "annotations": [{"id": n, "image_id": 1, "category_id": 1, "bbox": bbox, **extra}
                            for n, (bbox, extra) in enumerate(annotations, start=1)],
            "categories": [{"id": 1, "name": "yak"}]}


def upload(client, project, document, name="detector-v1.json", **fields):
    return client.post(f"/api/v1/projects/{project.pk}/coco-import/",
                       {"file": SimpleUploadedFile(name, json.dumps(document).encode(), "application/json"),
                        "mode": "pre_annotations", **fields}, format="multipart")


def lease(annotator, project):
    response = api_client(annotator).post(f"/api/v1/projects/{project.pk}/tasks/next/")
    assert response.status_code == 200
    return response.json()


def test_imported_predictions_reach_annotator_and_supervisor_newest_first_but_not_clients(
        project, supervisor, annotator, client_user):
    task = make_task(project)
    boss = api_client(supervisor)
    first = upload(boss, project, coco(task, [([10, 20, 30, 40], {"score": 0.9})]))
    assert first.status_code == 200, first.json()
    assert first.json()["model_version"] == "detector-v1.json"  # the file name by default
    second = upload(boss, project, coco(task, [([12, 22, 30, 40], {"score": 0.5}), ([100, 100, 20, 20], {})]),
                    model_version="yolo-2026-12")
    assert second.json()["model_version"] == "yolo-2026-12"

    leased = lease(annotator, project)
    assert [p["model_version"] for p in leased["predictions"]] == ["yolo-2026-12", "detector-v1.json"]
    newest = leased["predictions"][0]
    assert newest["boxes"] == [{"label": "yak", "x": 12.0, "y": 22.0, "width": 30.0, "height": 40.0, "score": 0.5},
                               {"label": "yak", "x": 100.0, "y": 100.0, "width": 20.0, "height": 20.0}]
    assert newest["score"] == 0.5 and leased["predictions"][1]["score"] == 0.9
    assert set(newest) == {"id", "model_version", "score", "boxes", "created_at"}
    assert api_client(annotator).get(f"/api/v1/tasks/{task.pk}/").json()["predictions"] == leased["predictions"]
    listed = boss.get(f"/api/v1/projects/{project.pk}/tasks/").json()["results"][0]
    assert listed["predictions"] == leased["predictions"]
    assert "predictions" not in api_client(client_user).get(f"/api/v1/tasks/{task.pk}/").json()
    assert "predictions" not in api_client(client_user).get(f"/api/v1/projects/{project.pk}/tasks/").json()["results"][0]


def test_importing_the_same_version_again_replaces_it(project, supervisor):
    task = make_task(project)
    for bbox in ([1, 1, 5, 5], [2, 2, 5, 5]):
        assert upload(api_client(supervisor), project, coco(task, [(bbox, {})]), model_version="v1").status_code == 200
    assert list(Prediction.objects.filter(task=task).values_list("boxes", flat=True)) == [
        [{"label": "yak", "x": 2.0, "y": 2.0, "width": 5.0, "height": 5.0}]]


@pytest.mark.parametrize("score", [1.5, -0.1, "0.5", True])
def test_a_bad_score_refuses_the_whole_file(project, supervisor, score):
    task = make_task(project)
    response = upload(api_client(supervisor), project, coco(task, [([1, 1, 5, 5], {}), ([1, 1, 5, 5], {"score": score})]))
    assert response.status_code == 400 and response.json()["code"] == "coco_invalid"
    assert response.json()["errors"][0]["code"] == "bad_score"
    assert not Prediction.objects.exists()


def test_annotators_cannot_import_predictions(project, annotator):
    response = upload(api_client(annotator), project, coco(make_task(project), [([1, 1, 5, 5], {})]))
    assert response.status_code == 403 and not Prediction.objects.exists()


def test_submit_records_what_changed_against_the_prediction(project, supervisor, annotator):
    task = make_task(project)
    upload(api_client(supervisor), project, coco(task, [([10, 10, 50, 50], {"score": 0.8}),
                                                       ([200, 200, 40, 40], {"score": 0.7}),
                                                       ([400, 300, 30, 30], {"score": 0.3})]))
    prediction = lease(annotator, project)["predictions"][0]
    boxes = [dict(b) for b in prediction["boxes"]]
    for box in boxes:
        box.pop("score")
    kept, moved = boxes[0], {**boxes[1], "x": 210.0}
    added = {"label": "snow_leopard", "x": 500, "y": 50, "width": 20, "height": 20}
    client = api_client(annotator)
    saved = client.put(f"/api/v1/tasks/{task.pk}/annotation/",
                       {"boxes": [kept, moved, added], "version": 0, "from_prediction": prediction["id"]},
                       format="json")
    assert saved.status_code == 200, saved.json()
    assert client.post(f"/api/v1/tasks/{task.pk}/submit/", {"active_seconds": 3}, format="json").status_code == 200
    outcome = PredictionUse.objects.get(annotation__task=task).outcome
    assert outcome | {"iou": None, "mean_iou": None} == {
        "predicted": 3, "submitted": 3, "kept": 1, "moved": 1, "added": 1, "deleted": 1,
        "iou": None, "mean_iou": None}
    assert outcome["iou"][0] == 1.0 and outcome["iou"][1] == 0.6 and outcome["iou"][2] is None


def test_from_prediction_of_another_task_changes_nothing(project, supervisor, annotator):
    mine, other = make_task(project), make_task(project)
    upload(api_client(supervisor), project, coco(other, [([1, 1, 5, 5], {})]))
    foreign = Prediction.objects.get(task=other)
    assert lease(annotator, project)["id"] == mine.pk
    for bad in (foreign.pk, 10**12, "1", 0):
        response = api_client(annotator).put(f"/api/v1/tasks/{mine.pk}/annotation/",
                                             {"boxes": [], "version": 0, "from_prediction": bad}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["code"] in ("unknown_prediction", "invalid", "min_value")
    body = api_client(annotator).get(f"/api/v1/tasks/{mine.pk}/annotation/").json()
    assert body["version"] == 0 and not PredictionUse.objects.exists()
