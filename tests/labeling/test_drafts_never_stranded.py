"""Nothing drawn is stranded: lapsed leases, "next" giving drafts back, take-back, My work."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from labeling.models import Annotation, Lease, Task
from tests.factories import add_member, api_client, make_project, make_task, make_user

pytestmark = pytest.mark.django_db

YAK = {"label": "yak", "x": 10, "y": 10, "width": 40, "height": 30}


def _team(n, **project_fields):
    project = make_project(gold_rate=0, **project_fields)
    users = [make_user() for _ in range(n)]
    for user in users:
        add_member(project, user, Role.ANNOTATOR)
    return project, users


def _next(project, user):
    response = api_client(user).post(f"/api/v1/projects/{project.pk}/tasks/next/")
    return None if response.status_code == 204 else response.json()["id"]


def _save(user, task_id, boxes):
    client = api_client(user)
    version = client.get(f"/api/v1/tasks/{task_id}/annotation/").json()["version"]
    response = client.put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": boxes, "version": version},
                          format="json")
    assert response.status_code == 200, response.json()


def _lapse(user, task_id):
    Lease.objects.filter(task_id=task_id, annotator=user, released_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1))


def _work(project, user):
    response = api_client(user).get(f"/api/v1/projects/{project.pk}/my-work/")
    assert response.status_code == 200
    return response.json()


def test_next_gives_a_lapsed_draft_back_before_new_work():
    project, (a,) = _team(1, overlap=2)
    first, _second = make_task(project), make_task(project)
    assert _next(project, a) == first.pk
    _save(a, first.pk, [YAK])
    _lapse(a, first.pk)
    assert _next(project, a) == first.pk  # not the untouched second task
    assert api_client(a).get(f"/api/v1/tasks/{first.pk}/annotation/").json()["boxes"][0]["label"] == "yak"
    assert _work(project, a)["drafts"][0]["state"] == "leased"


def test_a_draft_whose_slot_went_to_others_is_kept_listed_and_explained():
    project, (a, b, c) = _team(3, overlap=2)
    task, spare = make_task(project), make_task(project)
    assert _next(project, a) == task.pk
    _save(a, task.pk, [YAK])
    _lapse(a, task.pk)
    assert _next(project, b) == task.pk and _next(project, c) == task.pk  # both slots went
    assert _next(project, a) == spare.pk  # the draft's slot is taken: new work instead
    drafts = {d["task"]: d for d in _work(project, a)["drafts"]}
    assert drafts[task.pk]["state"] == "slot_taken" and drafts[task.pk]["boxes"] == 1
    assert "slot" in drafts[task.pk]["reason"]
    refused = api_client(a).post(f"/api/v1/tasks/{task.pk}/take-back/")
    assert refused.status_code == 409 and refused.json()["code"] == "slot_taken"
    assert not Lease.objects.filter(task=task, annotator=a, released_at__isnull=True, expires_at__gt=timezone.now()
                                    ).exists()
    # b's lease lapses too: the slot is free again, and a's draft comes back first.
    _lapse(b, task.pk)
    _lapse(a, spare.pk)
    assert _next(project, a) in {task.pk, spare.pk}
    assert Annotation.objects.get(task=task, annotator=a).boxes.count() == 1


def test_take_back_re_leases_a_lapsed_task_when_its_slot_is_free():
    project, (a,) = _team(1, overlap=1)
    task = make_task(project)
    assert _next(project, a) == task.pk
    _save(a, task.pk, [YAK])
    _lapse(a, task.pk)
    client = api_client(a)
    version = client.get(f"/api/v1/tasks/{task.pk}/annotation/").json()["version"]
    lapsed = client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [], "version": version}, format="json")
    assert lapsed.status_code == 409 and lapsed.json()["code"] == "lease_expired"
    detail = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert detail["lease"] is None and detail["annotation"]["status"] == "draft"  # what the tool reads
    taken = client.post(f"/api/v1/tasks/{task.pk}/take-back/")
    assert taken.status_code == 200 and taken.json()["task"] == task.pk
    saved = client.put(f"/api/v1/tasks/{task.pk}/annotation/", {"boxes": [], "version": version}, format="json")
    assert saved.status_code == 200
    assert client.post(f"/api/v1/tasks/{task.pk}/take-back/").status_code == 200  # still theirs: same lease
    assert Lease.objects.filter(task=task, annotator=a, released_at__isnull=True).count() == 1


def test_take_back_without_unfinished_work_is_a_409():
    project, (a,) = _team(1, overlap=1)
    task = make_task(project)
    assert _next(project, a) == task.pk
    client = api_client(a)
    assert client.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200
    refused = client.post(f"/api/v1/tasks/{task.pk}/take-back/")
    assert refused.status_code == 409 and refused.json()["code"] == "no_draft"


def test_my_work_lists_drafts_rework_and_submitted_with_their_state():
    project, (a, b) = _team(2, overlap=2)
    supervisor = make_user()
    add_member(project, supervisor, Role.SUPERVISOR)
    done, sent_back, drafted = make_task(project), make_task(project), make_task(project)
    for task in (done, sent_back):
        for user in (a, b):
            assert _next(project, user) == task.pk
            _save(user, task.pk, [YAK])
            assert api_client(user).post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200
    assert _next(project, a) == drafted.pk
    Task.objects.filter(pk__in=[done.pk, sent_back.pk]).update(status=Task.Status.REVIEW)
    boss = api_client(supervisor)
    mine = Annotation.objects.get(task=sent_back, annotator=a)
    assert boss.post(f"/api/v1/tasks/{sent_back.pk}/review/",
                     {"decision": "reject", "annotation": mine.pk, "comment": "One more yak."},
                     format="json").status_code == 200
    theirs = Annotation.objects.get(task=done, annotator=b)
    assert boss.post(f"/api/v1/tasks/{done.pk}/review/", {"decision": "accept", "annotation": theirs.pk},
                     format="json").status_code == 200
    work = _work(project, a)
    assert [d["task"] for d in work["drafts"]] == [drafted.pk]
    assert [(r["task"], r["comment"]) for r in work["rework"]] == [(sent_back.pk, "One more yak.")]
    assert [(s["task"], s["status"], s["task_status"]) for s in work["submitted"]] == [
        (done.pk, "superseded", "accepted")]
    assert work["counts"] == {"drafts": 1, "rework": 1, "submitted": 1}
    from django.test import Client

    browser = Client()
    browser.force_login(a)
    page = browser.get(f"/annotate/projects/{project.pk}/my-work/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-task="{drafted.pk}"' in html and "One more yak." in html and "another answer was chosen" in html
    home = browser.get("/").content.decode()
    assert f"/annotate/projects/{project.pk}/my-work/" in home
