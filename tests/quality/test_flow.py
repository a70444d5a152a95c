"""The whole loop through the API: submit → scored → review → reject → rework → accept."""

import pytest

from labeling.models import QualityReport, Task
from tests.factories import api_client, make_task

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 100, "y": 100, "width": 40, "height": 30}
TWIN = {"label": "yak", "x": 101, "y": 100, "width": 40, "height": 30}


def work(client, task_id, boxes, capture):
    """Save the boxes on the caller's current version and submit, running the after-commit job."""
    version = client.get(f"/api/v1/tasks/{task_id}/annotation/").json()["version"]
    saved = client.put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": boxes, "version": version}, format="json")
    assert saved.status_code == 200, saved.content
    with capture(execute=True):
        submitted = client.post(f"/api/v1/tasks/{task_id}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.content
    return submitted.json()


def test_submit_is_scored_and_a_rejection_goes_back_to_the_same_annotator(
    project, annotator, supervisor, django_capture_on_commit_callbacks
):
    task = make_task(project)
    mine, boss = api_client(annotator), api_client(supervisor)
    assert mine.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"] == task.pk
    work(mine, task.pk, [YAK, TWIN], django_capture_on_commit_callbacks)

    (report,) = QualityReport.objects.filter(annotation__task=task)
    assert report.state == "done" and report.annotation_version == 2
    assert [f["code"] for f in report.flags] == ["duplicate_boxes"]
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW

    item = boss.get(f"/api/v1/projects/{project.pk}/review-queue/").json()["results"][0]
    assert item["task"]["id"] == task.pk and item["flags"] == ["duplicate_boxes"]
    rejected = boss.post(f"/api/v1/tasks/{task.pk}/review/",
                         {"decision": "reject", "comment": "One yak, drawn twice."}, format="json")
    assert rejected.status_code == 200, rejected.content

    # The annotator gets the same task back first, with the comment.
    again = mine.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    assert again["id"] == task.pk and again["lease"]["assigned"] is True
    back = mine.get(f"/api/v1/tasks/{task.pk}/annotation/").json()
    assert back["status"] == "rejected" and back["review_comment"] == "One yak, drawn twice."
    work(mine, task.pk, [YAK], django_capture_on_commit_callbacks)

    latest = QualityReport.objects.filter(annotation__task=task, state="done").order_by("-annotation_version")[0]
    assert latest.annotation_version > report.annotation_version
    assert latest.flags == [] and latest.score == 1.0
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW
    accepted = boss.post(f"/api/v1/tasks/{task.pk}/review/", {"decision": "accept"}, format="json")
    assert accepted.status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.ACCEPTED
    assert list(task.reviews.values_list("decision", "reviewer__username").order_by("created_at", "id")) == [
        ("reject", "supervisor"), ("accept", "supervisor")]


def test_failed_gold_waits_in_review_then_goes_back_to_the_pool(
    project, annotator, supervisor, django_capture_on_commit_callbacks
):
    project.gold_rate = 1.0
    project.save()
    gold = [YAK, {"label": "snow_leopard", "x": 400, "y": 300, "width": 60, "height": 50}]
    task = make_task(project, is_gold=True, gold_boxes=gold)
    mine, boss = api_client(annotator), api_client(supervisor)
    assert mine.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"] == task.pk
    work(mine, task.pk, [YAK], django_capture_on_commit_callbacks)
    report = QualityReport.objects.get(annotation__task=task)
    assert report.metrics["gold_failed"] is True
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW
    item = boss.get(f"/api/v1/projects/{project.pk}/review-queue/?flag=gold_failed").json()["results"][0]
    assert item["gold_boxes"] == gold
    assert boss.post(f"/api/v1/tasks/{task.pk}/review/", {"decision": "accept"}, format="json").status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN  # a yardstick stays in the pool
