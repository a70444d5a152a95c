"""The task browser: filters, sorts, keyset pages, bulk actions through the services, forged ids refused."""

import re
from datetime import datetime, timezone as dt_timezone

import pytest
from django.test import Client

from labeling.export.items import selected_tasks
from labeling.models import Annotation, Box, Lease, Prediction, QualityReport, Task
from labeling.task_browser import TaskFilter, task_page
from tests.factories import make_task

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-task-id="(\d+)"', html)]


def test_keyset_pages_walk_every_task_once_in_each_sort(project):
    tasks = [make_task(project, priority=i % 3) for i in range(7)]
    for index, task in enumerate(tasks[:5]):
        task.image.captured_at = datetime(2026, 7, 1 + index % 2, tzinfo=dt_timezone.utc)
        task.image.save(update_fields=["captured_at"])
    for sort in ("id", "-id", "priority", "-priority", "captured", "-captured"):
        seen, after = [], None
        while True:
            page = task_page(project=project, filters=TaskFilter(), sort=sort, after=after, size=3)
            seen += [row["task"].pk for row in page.rows]
            if page.next_after is None:
                break
            after = page.next_after
        assert sorted(seen) == sorted(t.pk for t in tasks) and len(seen) == 7, sort
        # And backwards from the last page gives the page before it.
        back = task_page(project=project, filters=TaskFilter(), sort=sort, before=seen[-1], size=3)
        assert [row["task"].pk for row in back.rows] == seen[-4:-1], sort


def test_filters_narrow_the_table(project, supervisor, annotator):
    plain, gold, predicted, flagged = (make_task(project) for _ in range(4))
    Task.objects.filter(pk=gold.pk).update(is_gold=True, status="review")
    Prediction.objects.create(task=predicted, model_version="m1", boxes=[], source="import")
    annotation = Annotation.objects.create(task=flagged, annotator=annotator, status="submitted")
    QualityReport.objects.create(annotation=annotation, annotation_version=0, state="done", score=0.4,
                                 flags=[{"code": "too_fast", "severity": "warning", "check": "speed", "message": ""}])
    client = browser(supervisor)
    url = f"/annotate/projects/{project.pk}/tasks/"
    assert shown(client.get(url, {"gold": "yes"}).content.decode()) == [gold.pk]
    assert shown(client.get(url, {"status": "review"}).content.decode()) == [gold.pk]
    assert shown(client.get(url, {"predictions": "yes"}).content.decode()) == [predicted.pk]
    assert shown(client.get(url, {"flag": "too_fast"}).content.decode()) == [flagged.pk]
    html = client.get(url, {"annotator": str(annotator.pk)}).content.decode()
    assert shown(html) == [flagged.pk] and "annotator: submitted · 0.40" in html and "too_fast" in html
    assert shown(client.get(url, {"sort": "-id"}).content.decode()) == [flagged.pk, predicted.pk, gold.pk, plain.pk]


@pytest.mark.parametrize("query", [
    {"status": "nope"}, {"bbox": "1,2,3"}, {"bbox": "10,50,5,40"}, {"captured_from": "yesterday"},
    {"after": "-1"}, {"after": "9" * 30}, {"sort": "image__sha256"}, {"flag": "x\x00"}, {"annotator": "abc"},
])
def test_hostile_query_strings_answer_400_with_the_field_named(project, supervisor, query):
    response = browser(supervisor).get(f"/annotate/projects/{project.pk}/tasks/", query)
    assert response.status_code == 400 and 'data-testid="field-error"' in response.content.decode()


def test_a_cursor_from_another_project_is_404(project, other_project, supervisor):
    foreign = make_task(other_project)
    response = browser(supervisor).get(f"/annotate/projects/{project.pk}/tasks/", {"after": foreign.pk})
    assert response.status_code == 404


def test_bulk_assign_priority_gold_release_and_export_exclusion(project, supervisor, annotator):
    tasks = [make_task(project) for _ in range(3)]
    ids = [str(t.pk) for t in tasks]
    url = f"/annotate/projects/{project.pk}/tasks/"
    client = browser(supervisor)
    client.post(url, {"action": "assign", "annotator": str(annotator.pk), "task": ids})
    assert Lease.objects.filter(annotator=annotator, assigned_by=supervisor, released_at__isnull=True).count() == 3
    client.post(url, {"action": "priority", "priority": "7", "task": ids[:2]})
    assert sorted(Task.objects.values_list("priority", flat=True)) == [0, 7, 7]
    client.post(url, {"action": "release", "task": ids})
    assert not Lease.objects.filter(released_at__isnull=True).exists()
    client.post(url, {"action": "exclude", "task": ids[:1]})
    assert list(Task.objects.filter(export_excluded=True).values_list("pk", flat=True)) == [tasks[0].pk]
    assert set(selected_tasks(project, "all").values_list("pk", flat=True)) == {tasks[1].pk, tasks[2].pk}

    # Gold needs an answer: accepted work becomes it.
    html = client.post(url, {"action": "gold", "task": ids[:1]}, follow=True).content.decode()
    assert "accept an annotation of the task first" in html and not Task.objects.filter(is_gold=True).exists()
    annotation = Annotation.objects.get(task=tasks[0], annotator=annotator)
    Annotation.objects.filter(pk=annotation.pk).update(status="accepted")
    Box.objects.create(annotation=annotation, label=project.labels.get(name="yak"), x=1, y=2, width=3, height=4)
    client.post(url, {"action": "gold", "task": ids[:1]})
    tasks[0].refresh_from_db()
    assert tasks[0].is_gold and tasks[0].gold_boxes == [{"label": "yak", "x": 1.0, "y": 2.0, "width": 3.0,
                                                         "height": 4.0}]


@pytest.mark.parametrize("forged", ["other", "missing", "junk"])
def test_a_bulk_action_with_one_forged_id_changes_nothing(project, other_project, supervisor, forged):
    mine = make_task(project)
    theirs = make_task(other_project)
    bad = {"other": str(theirs.pk), "missing": "999999999", "junk": "1 OR 1=1"}[forged]
    response = browser(supervisor).post(f"/annotate/projects/{project.pk}/tasks/",
                                        {"action": "priority", "priority": "9", "task": [str(mine.pk), bad]},
                                        follow=True)
    assert "nothing was changed" in response.content.decode()
    assert set(Task.objects.values_list("priority", flat=True)) == {0}


def test_a_bulk_assign_refused_for_one_task_assigns_none(project, supervisor, annotator):
    open_task, closed = make_task(project), make_task(project, status="accepted")
    html = browser(supervisor).post(f"/annotate/projects/{project.pk}/tasks/",
                                    {"action": "assign", "annotator": str(annotator.pk),
                                     "task": [str(open_task.pk), str(closed.pk)]}, follow=True).content.decode()
    assert f"Task {closed.pk}:" in html and not Lease.objects.exists()


def test_the_page_costs_the_same_queries_for_5_and_50_rows(project, supervisor, annotator,
                                                         django_assert_max_num_queries):
    client = browser(supervisor)
    url = f"/annotate/projects/{project.pk}/tasks/"

    def grow(n):
        for _ in range(n):
            task = make_task(project)
            annotation = Annotation.objects.create(task=task, annotator=annotator, status="submitted")
            QualityReport.objects.create(annotation=annotation, annotation_version=0, state="done", score=0.9)

    # Session, user, project with role, annotators for the forms, tasks, annotations, reports.
    grow(5)
    client.get(url)  # warm the session and the content types
    with django_assert_max_num_queries(7):
        assert len(shown(client.get(url).content.decode())) == 5
    grow(45)
    with django_assert_max_num_queries(7):
        assert len(shown(client.get(url, {"sort": "-priority"}).content.decode())) == 50
