"""A team's week, end to end, on PostgreSQL with a real Celery worker.

Four annotators (one sloppy), overlap 2, gold rate 0.1, a supervisor and a client,
everything through the API: disagreements, rejections and redos, lapsed leases (one
given back by "next", one whose slot others took), an overlap raise, an early review,
a fix, and a client's export run by the worker. Then the invariants: scores are
symmetric, the dataset holds exactly the chosen annotations plus gold, no draft is
lost or stranded, every page's counts agree, and no task is stuck.
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from labeling.models import Annotation, Lease, QualityReport, Task
from tests.factories import add_member, api_client, make_task, make_user
from tests.quality.test_worker import real_celery  # noqa: F401 (fixture)
from tests.quality.worker import Worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REGULAR, OVERLAP = 20, 2


def truth(task_pk: int) -> list[dict]:
    """What is really on a task's image: two yaks and, on every other image, a snow leopard."""
    boxes = [{"label": "yak", "x": 40 + task_pk % 7 * 30, "y": 60, "width": 50, "height": 35},
             {"label": "yak", "x": 300, "y": 200 + task_pk % 5 * 20, "width": 60, "height": 40}]
    if task_pk % 2:
        boxes.append({"label": "snow_leopard", "x": 450, "y": 300, "width": 90, "height": 60})
    return boxes


class Week:
    def __init__(self, project, annotators, boss, client_user):
        self.project, self.annotators, self.boss, self.client_user = project, annotators, boss, client_user
        self.sloppy = annotators[-1]
        self.api = {u.pk: api_client(u) for u in [*annotators, boss, client_user]}
        self.gold = {t.pk: t.gold_boxes for t in Task.objects.filter(project=project, is_gold=True)}
        self.chosen: dict[int, int] = {}  # task -> the annotation whose boxes the dataset must hold
        self.saved: dict[int, int] = {}  # annotation -> boxes last saved (drafts must keep them)
        self.rejects_left = 2
        self.fixes_left = 1

    def next(self, user):
        response = self.api[user.pk].post(f"/api/v1/projects/{self.project.pk}/tasks/next/")
        assert response.status_code in (200, 204), response.content
        return None if response.status_code == 204 else response.json()["id"]

    def answer(self, user, task_id) -> list[dict]:
        redo = Annotation.objects.filter(task_id=task_id, annotator=user, status="rejected").exists()
        right = self.gold.get(task_id) or truth(task_id)
        if user == self.sloppy and not redo and task_id % 3 == 0:
            return []  # missed everything: a disagreement (or a failed gold)
        return right

    def save(self, user, task_id, boxes):
        client = self.api[user.pk]
        version = client.get(f"/api/v1/tasks/{task_id}/annotation/").json()["version"]
        response = client.put(f"/api/v1/tasks/{task_id}/annotation/", {"boxes": boxes, "version": version},
                              format="json")
        assert response.status_code == 200, response.json()
        self.saved[Annotation.objects.get(task_id=task_id, annotator=user).pk] = len(boxes)

    def submit(self, user, task_id):
        response = self.api[user.pk].post(f"/api/v1/tasks/{task_id}/submit/", {"active_seconds": 30},
                                          format="json")
        assert response.status_code == 200, response.json()

    def lapse(self, user, task_id):
        Lease.objects.filter(task_id=task_id, annotator=user, released_at__isnull=True).update(
            expires_at=timezone.now() - timedelta(seconds=1))

    def work(self) -> int:
        """Everyone asks for work in turn until nobody gets any; returns how many tasks were handed out."""
        active, handed = list(self.annotators), 0
        while active:
            for user in list(active):
                task_id = self.next(user)
                if task_id is None:
                    active.remove(user)
                    continue
                handed += 1
                self.save(user, task_id, self.answer(user, task_id))
                self.submit(user, task_id)
        return handed

    def settle(self):
        wait_until(lambda: not QualityReport.objects.filter(state="pending").exists()
                   and not Task.objects.filter(project=self.project, status="submitted").exists(),
                   what="every quality job done and every task routed", timeout=120)

    def queue(self) -> list[dict]:
        response = self.api[self.boss.pk].get(f"/api/v1/projects/{self.project.pk}/review-queue/?limit=200")
        assert response.status_code == 200
        return response.json()["results"]

    def decide(self, item) -> None:
        task_id = item["task"]["id"]
        submitted = [a for a in item["annotations"] if a["status"] == "submitted"]
        best = max(submitted, key=lambda a: (len(a["boxes"]), a["score"] or 0, -a["id"]))
        empty = [a for a in submitted if not a["boxes"]]
        boss = self.api[self.boss.pk]
        if empty and not item["task"]["is_gold"] and self.rejects_left:
            self.rejects_left -= 1
            response = boss.post(f"/api/v1/tasks/{task_id}/review/", {
                "decision": "reject", "annotation": empty[0]["id"], "comment": "Two yaks by the lake."},
                format="json")
        elif not item["task"]["is_gold"] and self.fixes_left:
            self.fixes_left -= 1
            response = boss.post(f"/api/v1/tasks/{task_id}/review/", {
                "decision": "fix", "annotation": best["id"], "boxes": truth(task_id)[:1]}, format="json")
            self.chosen[task_id] = best["id"]
        else:
            response = boss.post(f"/api/v1/tasks/{task_id}/review/", {
                "decision": "accept", "annotation": best["id"]}, format="json")
            if not item["task"]["is_gold"]:
                self.chosen[task_id] = best["id"]
        assert response.status_code == 200, response.json()

    def review(self) -> int:
        decided = 0
        while True:
            self.settle()
            items = self.queue()
            if not items:
                return decided
            for item in items:
                self.decide(item)
                decided += 1


@pytest.fixture
def worker(tmp_path, real_celery, _media_root):  # noqa: F811
    # Started after the test's MEDIA_ROOT is set: the worker writes the export file there.
    started = Worker(tmp_path, concurrency=2)
    yield started
    started.stop()


@pytest.fixture
def week(project, worker):
    project.overlap, project.gold_rate, project.auto_accept = OVERLAP, 0.1, False
    project.save()
    annotators = []
    for i in range(4):
        user = make_user(f"annotator{i + 1}")
        add_member(project, user, Role.ANNOTATOR)
        annotators.append(user)
    boss, client_user = make_user("supervisor1"), make_user("client1")
    add_member(project, boss, Role.SUPERVISOR)
    add_member(project, client_user, Role.CLIENT)
    for _ in range(REGULAR):
        make_task(project)
    for i in range(2):
        make_task(project, is_gold=True, gold_boxes=truth(1000 + i))
    return Week(project, annotators, boss, client_user)


def test_a_team_s_week(week):
    w, (a1, a2, a3, a4) = week, week.annotators
    urgent = make_task(w.project, priority=10)  # a task everyone is asked to do first

    # Monday. a3 starts the urgent task, saves a box and goes to lunch: the lease lapses and
    # a1 and a4 take both slots. a2 starts a task, lapses, and "next" gives the draft back.
    assert w.next(a3) == urgent.pk
    w.save(a3, urgent.pk, truth(urgent.pk)[:1])
    w.lapse(a3, urgent.pk)
    for user in (a1, a4):
        assert w.next(user) == urgent.pk
        w.save(user, urgent.pk, w.answer(user, urgent.pk))
        w.submit(user, urgent.pk)
    lunch = w.next(a2)
    w.save(a2, lunch, truth(lunch)[:2])
    w.lapse(a2, lunch)
    assert w.next(a2) == lunch  # the draft first, before new work
    w.save(a2, lunch, truth(lunch))
    w.submit(a2, lunch)
    mine = w.api[a3.pk].get(f"/api/v1/projects/{w.project.pk}/my-work/").json()
    (kept,) = [d for d in mine["drafts"] if d["task"] == urgent.pk]
    assert kept["state"] == "task_closed" and kept["boxes"] == 1 and kept["reason"]
    w.work()
    w.settle()
    in_review = Task.objects.filter(project=w.project, status="review", is_gold=False).count()
    assert in_review > 0

    # Tuesday. The supervisor raises overlap to 3: everything in review goes back for a third
    # annotator, a3's draft on the urgent task is theirs again, and one task is reviewed early.
    response = w.api[w.boss.pk].patch(f"/api/v1/projects/{w.project.pk}/", {"overlap": 3}, format="json")
    assert response.status_code == 200
    assert not Task.objects.filter(project=w.project, status="review", is_gold=False).exists()
    waiting = w.api[w.boss.pk].get(f"/api/v1/projects/{w.project.pk}/review-queue/waiting/").json()
    assert waiting["counts"]["waiting"] >= in_review
    early = next(row for row in waiting["results"] if row["task"]["id"] != urgent.pk)
    assert early["submitted"] == 2 and early["overlap"] == 3
    assert w.api[w.boss.pk].post(f"/api/v1/tasks/{early['task']['id']}/review-early/").status_code == 200
    assert w.next(a3) == urgent.pk  # the lapsed draft comes back now that a slot is free
    assert Annotation.objects.get(task=urgent, annotator=a3).boxes.count() == 1  # nothing lost
    w.save(a3, urgent.pk, truth(urgent.pk))
    w.submit(a3, urgent.pk)
    w.work()

    # Wednesday to Friday: reviews (rejections, redos, a fix) and whatever work they bring back.
    for _ in range(6):
        decided = w.review()
        handed = w.work()
        if not decided and not handed:
            break
    w.settle()
    assert not w.queue()

    _no_task_is_stuck(w)
    _scores_are_symmetric(w)
    _no_draft_is_lost_or_stranded(w)
    _counts_agree(w)
    _the_dataset_is_the_chosen_annotations_plus_gold(w)


def _no_task_is_stuck(w):
    regular = Task.objects.filter(project=w.project, is_gold=False)
    assert set(regular.values_list("status", flat=True)) == {"accepted"}
    gold = Task.objects.filter(project=w.project, is_gold=True)
    assert set(gold.values_list("status", flat=True)) == {"open"}  # yardsticks, back in the pool
    assert gold.filter(annotations__status="submitted").count() == 0
    assert not QualityReport.objects.filter(state="pending").exists()
    assert not Annotation.objects.filter(task__project=w.project, status__in=["submitted", "rejected"]).exists()
    assert w.rejects_left == 0 and w.fixes_left == 0
    # Every annotator met the gold tasks at the gold rate, and the sloppy one failed one.
    results = w.api[w.boss.pk].get(f"/api/v1/projects/{w.project.pk}/gold/results/").json()["results"]
    assert {r["annotator"]["username"] for r in results} <= {u.username for u in w.annotators}
    assert sum(r["done"] for r in results) >= 2


def _scores_are_symmetric(w):
    for task in Task.objects.filter(project=w.project, is_gold=False):
        finished = list(task.annotations.filter(status__in=["accepted", "superseded"]))
        reports = {}
        for a in finished:
            report = QualityReport.objects.get(annotation=a, annotation_version=a.version)
            assert report.state == "done", (task.pk, a.pk, report.error)
            reports[a.annotator_id] = report.metrics["agreement"]["others"] if len(finished) > 1 else {}
        for x in finished:
            for y in finished:
                if x.pk != y.pk:
                    assert reports[x.annotator_id][str(y.annotator_id)]["f1"] == pytest.approx(
                        reports[y.annotator_id][str(x.annotator_id)]["f1"]), task.pk


def _no_draft_is_lost_or_stranded(w):
    for user in w.annotators:
        work = w.api[user.pk].get(f"/api/v1/projects/{w.project.pk}/my-work/").json()
        listed = {d["annotation"]: d for d in work["drafts"]}
        drafts = Annotation.objects.filter(task__project=w.project, annotator=user, status="draft")
        assert set(listed) == set(drafts.values_list("pk", flat=True))
        for pk, row in listed.items():
            # Never one that "next" would give back but did not: only drafts others' work closed.
            assert row["state"] in ("task_closed", "slot_taken") and row["reason"]
            assert row["boxes"] == w.saved.get(pk, 0)


def _counts_agree(w):
    boss = w.api[w.boss.pk]
    api = boss.get(f"/api/v1/projects/{w.project.pk}/").json()["progress"]
    queue = boss.get(f"/api/v1/projects/{w.project.pk}/review-queue/waiting/").json()["counts"]
    assert {k: api[k] for k in queue} == queue
    assert api["accepted"] == REGULAR + 1 and api["done"] == REGULAR + 1 and api["gold"] == 2
    for user in (w.boss, w.client_user):
        page = Client()
        page.force_login(user)
        home = page.get("/").content.decode()
        assert f'data-done="{api["done"]}" data-accepted="{api["accepted"]}" data-tasks="{api["tasks"]}"' in home
        datasets = page.get(f"/annotate/projects/{w.project.pk}/datasets/").content.decode()
        assert f'data-done="{api["done"]}" data-accepted="{api["accepted"]}" data-tasks="{api["tasks"]}"' in datasets
    stats = boss.get(f"/api/v1/projects/{w.project.pk}/stats/").json()
    by_name = {row["username"]: row["totals"] for row in stats["annotators"]}
    for user in w.annotators:
        progress = w.api[user.pk].get(f"/api/v1/projects/{w.project.pk}/my-progress/").json()
        assert progress["total"] == by_name[user.username]["submitted"]
    assert stats["totals"]["rejections"] == 2


def _the_dataset_is_the_chosen_annotations_plus_gold(w):
    client = w.api[w.client_user.pk]
    made = client.post(f"/api/v1/projects/{w.project.pk}/exports/", {"format": "coco"}, format="json")
    assert made.status_code == 202, made.json()
    export_id = made.json()["id"]
    wait_until(lambda: client.get(f"/api/v1/exports/{export_id}/").json()["state"] == "done",
               what="the client's export", timeout=120)
    download = client.get(f"/api/v1/exports/{export_id}/download/")
    assert download.status_code == 200, download.content
    coco = json.loads(b"".join(download.streaming_content) if download.streaming else download.content)
    boxes_of: dict[int, list] = {}
    for box in coco["annotations"]:
        boxes_of.setdefault(box["image_id"], []).append(box)
    labels = {c["id"]: c["name"] for c in coco["categories"]}
    seen_tasks = set()
    for image in coco["images"]:
        task_id = image["plateau"]["task_id"]
        seen_tasks.add(task_id)
        got = sorted((labels[b["category_id"]], *b["bbox"]) for b in boxes_of.get(image["id"], []))
        if image["plateau"].get("gold"):
            expected = w.gold[task_id]
        else:
            chosen = Annotation.objects.get(pk=w.chosen[task_id])
            assert chosen.status == "accepted"
            expected = [{"label": b.label.name, "x": b.x, "y": b.y, "width": b.width, "height": b.height}
                        for b in chosen.boxes.select_related("label")]
        assert got == sorted((b["label"], b["x"], b["y"], b["width"], b["height"]) for b in expected), task_id
    assert seen_tasks == set(w.chosen) | set(w.gold)
    assert coco["info"]["plateau"]["gold_images"] == 2
