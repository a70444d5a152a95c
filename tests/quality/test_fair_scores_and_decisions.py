"""Scores fair to everyone on a task, and decisions that mean what they say (through the API)."""

import pytest

from labeling.models import Annotation, QualityReport, Review, Task
from tests.factories import api_client, make_task
from tests.quality.helpers import YAKS, annotators

pytestmark = pytest.mark.django_db

AGREEING = [{"label": label, "x": x, "y": y, "width": w, "height": h} for label, x, y, w, h in YAKS]
EMPTY: list[dict] = []


def work(project, user, boxes, capture):
    """``next``, save, submit, as the tool does; the quality job runs inline after commit."""
    client = api_client(user)
    task = client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    saved = client.put(f"/api/v1/tasks/{task['id']}/annotation/", {"boxes": boxes, "version": 0}, format="json")
    assert saved.status_code == 200, saved.json()
    with capture(execute=True):
        assert client.post(f"/api/v1/tasks/{task['id']}/submit/", {}, format="json").status_code == 200
    return Task.objects.get(pk=task["id"])


def current_report(annotation: Annotation) -> QualityReport:
    annotation.refresh_from_db()
    return QualityReport.objects.get(annotation=annotation, annotation_version=annotation.version)


@pytest.fixture
def disputed(project, django_capture_on_commit_callbacks):
    """Overlap 2: the first annotator draws the yaks, the second draws nothing."""
    project.overlap, project.gold_rate = 2, 0
    project.save()
    a, b = annotators(project, 2)
    make_task(project)
    task = work(project, a, AGREEING, django_capture_on_commit_callbacks)
    assert work(project, b, EMPTY, django_capture_on_commit_callbacks).pk == task.pk
    return task, a, b


def test_the_first_submitter_is_rescored_when_the_second_arrives(disputed):
    task, a, b = disputed
    first, second = (current_report(task.annotations.get(annotator=u)) for u in (a, b))
    assert first.state == second.state == "done"
    # Both compared with each other: the same agreement, the same red flag.
    assert first.metrics["agreement"]["agreement"] == second.metrics["agreement"]["agreement"] == 0.0
    assert "low_agreement" in [f["code"] for f in first.flags]
    assert "low_agreement" in [f["code"] for f in second.flags]
    assert QualityReport.objects.filter(annotation__task=task).count() == 2  # rescored in place
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW


def test_a_redo_after_rejection_rescores_everyone(disputed, supervisor, django_capture_on_commit_callbacks):
    task, a, b = disputed
    boss = api_client(supervisor)
    empty = task.annotations.get(annotator=b)
    rejected = boss.post(f"/api/v1/tasks/{task.pk}/review/",
                         {"decision": "reject", "annotation": empty.pk, "comment": "Three yaks there."},
                         format="json")
    assert rejected.status_code == 200
    redo = api_client(b)
    assert redo.post(f"/api/v1/projects/{task.project_id}/tasks/next/").json()["id"] == task.pk
    empty.refresh_from_db()
    assert redo.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": AGREEING, "version": empty.version},
                    format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert redo.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200
    first = current_report(task.annotations.get(annotator=a))
    second = current_report(task.annotations.get(annotator=b))
    assert first.metrics["agreement"]["agreement"] == second.metrics["agreement"]["agreement"] == 1.0
    assert first.flags == [] and second.flags == []


def test_stats_use_the_current_reports(disputed, supervisor):
    task, a, b = disputed
    stats = api_client(supervisor).get(f"/api/v1/projects/{task.project_id}/stats/").json()
    agreement = {row["username"]: row["totals"]["agreement"] for row in stats["annotators"]}
    assert agreement[a.username] == agreement[b.username] == 0.0


def test_accept_takes_the_chosen_annotation_and_supersedes_the_other(disputed, supervisor):
    task, a, b = disputed
    chosen = task.annotations.get(annotator=a)
    response = api_client(supervisor).post(f"/api/v1/tasks/{task.pk}/review/",
                                           {"decision": "accept", "annotation": chosen.pk}, format="json")
    assert response.status_code == 200 and response.json()["annotation"] == chosen.pk
    statuses = dict(task.annotations.values_list("annotator_id", "status"))
    assert statuses == {a.pk: "accepted", b.pk: "superseded"}
    # Not a rejection held against the other annotator.
    stats = api_client(supervisor).get(f"/api/v1/projects/{task.project_id}/stats/").json()
    assert all(row["totals"]["rejections"] == 0 for row in stats["annotators"])
    from labeling.export.items import choose, item_batches, selected_tasks

    class NoEnergy:
        def tags_for(self, ids):
            return {}

    (items,) = item_batches(selected_tasks(task.project, "accepted"), 10, NoEnergy())
    assert [item.chosen[1] for item in items] == [chosen.pk] and len(items[0].boxes) == 3
    assert choose([]) is None


def test_accept_all_is_explicit(disputed, supervisor):
    task, a, b = disputed
    response = api_client(supervisor).post(f"/api/v1/tasks/{task.pk}/review/",
                                           {"decision": "accept", "accept_all": True}, format="json")
    assert response.status_code == 200
    assert set(task.annotations.values_list("status", flat=True)) == {"accepted"}


def test_accepting_an_annotation_of_another_task_changes_nothing(disputed, supervisor, project):
    task, a, b = disputed
    other = make_task(project, status=Task.Status.REVIEW)
    foreign = Annotation.objects.create(task=other, annotator=a, status="submitted", version=1)
    before = sorted(Annotation.objects.values_list("pk", "status", "version"))
    response = api_client(supervisor).post(f"/api/v1/tasks/{task.pk}/review/",
                                           {"decision": "accept", "annotation": foreign.pk}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_annotation"
    both = api_client(supervisor).post(f"/api/v1/tasks/{task.pk}/review/",
                                       {"decision": "accept", "annotation": foreign.pk, "accept_all": True},
                                       format="json")
    assert both.status_code == 400
    assert sorted(Annotation.objects.values_list("pk", "status", "version")) == before
    assert Task.objects.get(pk=task.pk).status == Task.Status.REVIEW and not Review.objects.exists()


def test_reviewing_a_task_not_in_review_is_a_409_and_changes_nothing(project, supervisor):
    task = make_task(project)
    response = api_client(supervisor).post(f"/api/v1/tasks/{task.pk}/review/", {"decision": "accept"},
                                           format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_in_review"
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN and not Review.objects.exists()


def test_a_fix_supersedes_the_rest_and_rescores_against_the_fixed_answer(
        disputed, supervisor, django_capture_on_commit_callbacks):
    task, a, b = disputed
    empty = task.annotations.get(annotator=b)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(supervisor).post(
            f"/api/v1/tasks/{task.pk}/review/",
            {"decision": "fix", "annotation": empty.pk, "boxes": AGREEING[:2]}, format="json")
    assert response.status_code == 200
    statuses = dict(task.annotations.values_list("annotator_id", "status"))
    assert statuses == {a.pk: "superseded", b.pk: "accepted"}
    first = current_report(task.annotations.get(annotator=a))
    fixed = current_report(task.annotations.get(annotator=b))
    assert first.state == fixed.state == "done"
    assert first.metrics["agreement"]["agreement"] == fixed.metrics["agreement"]["agreement"] == pytest.approx(0.8)
