"""Gold as a first-class part of the data, and a review queue supervisors understand (API)."""

import io
import json

import pytest

from labeling.export.writer import write_export
from labeling.models import Annotation, Task
from tests.factories import api_client, make_task
from tests.quality.helpers import YAKS, annotators, submit

pytestmark = pytest.mark.django_db

GOLD = [{"label": "yak", "x": 100.0, "y": 100.0, "width": 40.0, "height": 30.0}]


def _coco(project, **options) -> dict:
    out = io.BytesIO()
    write_export(out=out, project=project, fmt="coco", **options)
    return json.loads(out.getvalue())


def test_supervisors_mark_list_and_unmark_gold(project, supervisor):
    boss = api_client(supervisor)
    task = make_task(project, status=Task.Status.ACCEPTED)
    (a,) = annotators(project, 1)
    submit(task, a, YAKS[:1], status=Annotation.Status.ACCEPTED)
    marked = boss.post(f"/api/v1/tasks/{task.pk}/gold/", {}, format="json")
    assert marked.status_code == 200, marked.json()
    assert marked.json()["gold_boxes"] == GOLD and marked.json()["status"] == "open"  # back in the pool
    listed = boss.get(f"/api/v1/projects/{project.pk}/gold/").json()["results"]
    assert [(g["task"], g["gold_boxes"], g["attempts"]) for g in listed] == [(task.pk, GOLD, 1)]
    unmarked = boss.delete(f"/api/v1/tasks/{task.pk}/gold/")
    assert unmarked.status_code == 200 and unmarked.json()["status"] == "accepted"
    assert boss.get(f"/api/v1/projects/{project.pk}/gold/").json()["results"] == []
    again = boss.delete(f"/api/v1/tasks/{task.pk}/gold/")
    assert again.status_code == 409 and again.json()["code"] == "not_gold"


def test_marking_gold_needs_a_verified_answer_and_the_project_s_own_task(project, other_project, supervisor):
    boss = api_client(supervisor)
    task = make_task(project)
    foreign = make_task(other_project, status=Task.Status.ACCEPTED)
    refused = boss.post(f"/api/v1/tasks/{task.pk}/gold/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "no_verified_boxes"
    bad = boss.post(f"/api/v1/tasks/{task.pk}/gold/", {"boxes": [{"label": "dragon", "x": 1, "y": 1,
                                                                  "width": 5, "height": 5}]}, format="json")
    assert bad.status_code == 400
    other = boss.post(f"/api/v1/tasks/{foreign.pk}/gold/", {"boxes": GOLD}, format="json")
    assert other.status_code == 404
    assert not Task.objects.filter(is_gold=True).exists()
    assert Task.objects.get(pk=foreign.pk).status == Task.Status.ACCEPTED
    ok = boss.post(f"/api/v1/tasks/{task.pk}/gold/", {"boxes": GOLD}, format="json")
    assert ok.status_code == 200 and Task.objects.get(pk=task.pk).gold_boxes == GOLD


def test_a_gold_submission_is_scored_reviewed_and_leaves_the_task_a_gold_yardstick(
        project, supervisor, django_capture_on_commit_callbacks):
    project.gold_rate = 1.0
    project.save()
    task = make_task(project, is_gold=True, gold_boxes=GOLD)
    (a,) = annotators(project, 1)
    client = api_client(a)
    assert client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"] == task.pk
    client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [], "version": 0}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW  # failed gold: a supervisor looks at it
    boss = api_client(supervisor)
    results = boss.get(f"/api/v1/projects/{project.pk}/gold/results/").json()["results"]
    assert results[0]["annotator"]["username"] == a.username and results[0]["passed"] == 0
    assert results[0]["attempts"][0]["f1"] == 0.0
    mine = task.annotations.get()
    assert boss.post(f"/api/v1/tasks/{task.pk}/review/", {"decision": "accept", "annotation": mine.pk},
                     format="json").status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN and task.is_gold  # back in the pool for the others
    counts = boss.get(f"/api/v1/projects/{project.pk}/").json()["progress"]
    assert counts["gold"] == 1 and counts["to_label"] == 0 and counts["done"] == 0
    # The dataset carries the gold answer, not the (accepted) empty attempt.
    coco = _coco(project)
    (image,) = coco["images"]
    assert image["plateau"]["gold"] is True and coco["info"]["plateau"]["gold_images"] == 1
    (box,) = coco["annotations"]
    assert box["bbox"] == [100.0, 100.0, 40.0, 30.0] and box["plateau"]["review_status"] == "gold"
    assert _coco(project, include_gold=False)["images"] == []


def test_exports_carry_gold_by_default_and_the_flag_turns_it_off_over_the_api(
        project, supervisor, django_capture_on_commit_callbacks):
    make_task(project, is_gold=True, gold_boxes=GOLD)
    boss = api_client(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        on = boss.post(f"/api/v1/projects/{project.pk}/exports/", {"format": "coco"}, format="json")
        off = boss.post(f"/api/v1/projects/{project.pk}/exports/", {"format": "coco", "include_gold": False},
                        format="json")
    assert on.status_code == off.status_code == 202
    assert on.json()["include_gold"] is True and off.json()["include_gold"] is False
    counts = {e["include_gold"]: e["image_count"] for e in boss.get(
        f"/api/v1/projects/{project.pk}/exports/").json()}
    assert counts == {True: 1, False: 0}


def test_the_queue_shows_waiting_tasks_and_a_supervisor_reviews_one_early(project, supervisor):
    project.overlap = 2
    project.save()
    a, b = annotators(project, 2)
    waiting = make_task(project)
    submit(waiting, a, YAKS)
    untouched = make_task(project)
    boss = api_client(supervisor)
    body = boss.get(f"/api/v1/projects/{project.pk}/review-queue/waiting/").json()
    assert [(w["task"]["id"], w["submitted"], w["overlap"], w["annotators"]) for w in body["results"]] == [
        (waiting.pk, 1, 2, [a.username])]
    assert body["counts"]["waiting"] == 1 and body["counts"]["to_label"] == 1 and body["counts"]["in_review"] == 0
    refused = boss.post(f"/api/v1/tasks/{untouched.pk}/review-early/")
    assert refused.status_code == 409 and refused.json()["code"] == "not_waiting"
    assert Task.objects.get(pk=untouched.pk).status == Task.Status.OPEN
    early = boss.post(f"/api/v1/tasks/{waiting.pk}/review-early/")
    assert early.status_code == 200 and early.json()["status"] == "review"
    queue = boss.get(f"/api/v1/projects/{project.pk}/review-queue/").json()
    assert [item["task"]["id"] for item in queue["results"]] == [waiting.pk]
    mine = waiting.annotations.get()
    assert boss.post(f"/api/v1/tasks/{waiting.pk}/review/", {"decision": "accept", "annotation": mine.pk},
                     format="json").status_code == 200
    after = boss.get(f"/api/v1/projects/{project.pk}/review-queue/waiting/").json()["counts"]
    assert after["accepted"] == 1 and after["waiting"] == 0 and after["in_review"] == 0


def test_raising_overlap_sends_tasks_in_review_back_to_the_pool(project, supervisor):
    project.overlap = 2
    project.save()
    a, b, c = annotators(project, 3)
    task = make_task(project, status=Task.Status.REVIEW)
    submit(task, a, YAKS)
    submit(task, b, YAKS)
    response = api_client(supervisor).patch(f"/api/v1/projects/{project.pk}/", {"overlap": 3}, format="json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN and task.submitted_count == 2
    # The extra annotator gets it, and the task closes again on their submit.
    client = api_client(c)
    assert client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()["id"] == task.pk
    assert client.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200
    assert Task.objects.get(pk=task.pk).status in (Task.Status.SUBMITTED, Task.Status.REVIEW)
