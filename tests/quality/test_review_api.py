"""Review queue and decisions over the API, from the supervisor's and the attacker's side."""

import pytest

from labeling.models import Annotation, AnnotationHistory, Lease, QualityReport, Review, Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.factories import api_client, make_task
from tests.quality.helpers import YAKS, annotators, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(project, django_capture_on_commit_callbacks):
    """Three tasks in review: one clean, one with a duplicate, one with 3 annotators disagreeing."""
    project.overlap = 3
    project.save()
    a, b, c = annotators(project, 3)
    clean = make_task(project, status=Task.Status.SUBMITTED)
    dup = make_task(project, status=Task.Status.SUBMITTED)
    trio = make_task(project, status=Task.Status.SUBMITTED)
    made = [
        submit(clean, a, YAKS),
        submit(dup, b, YAKS + [("yak", 101, 100, 40, 30)]),
        submit(trio, a, YAKS),
        submit(trio, b, YAKS),
        submit(trio, c, [("yak", 5, 400, 30, 30)]),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for annotation in made:
            quality_check_enqueue(annotation.pk)
    return {"users": (a, b, c), "clean": clean, "dup": dup, "trio": trio, "annotations": made}


def queue(user, project, **params):
    return api_client(user).get(f"/api/v1/projects/{project.pk}/review-queue/", params)


def test_queue_is_worst_first_with_everyones_boxes_and_flags(project, supervisor, reviewed):
    response = queue(supervisor, project)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    ids = [item["task"]["id"] for item in body["results"]]
    scores = [item["score"] for item in body["results"]]
    assert scores == sorted(scores)
    assert ids[-1] == reviewed["clean"].pk
    trio = next(item for item in body["results"] if item["task"]["id"] == reviewed["trio"].pk)
    assert len(trio["annotations"]) == 3
    assert len({a["colour"] for a in trio["annotations"]}) == 3
    assert trio["annotations"][0]["boxes"][0] == {"label": "yak", "x": 100.0, "y": 100.0,
                                                  "width": 40.0, "height": 30.0}
    assert "low_agreement" in trio["flags"]
    worst = next(a for a in trio["annotations"] if a["annotator"]["id"] == reviewed["users"][2].pk)
    assert [f["code"] for f in worst["flags"]] == ["low_agreement"]
    assert worst["flags"][0]["severity"] == "red" and worst["flags"][0]["message"]


def test_queue_filters_by_flag_and_annotator(project, supervisor, reviewed):
    body = queue(supervisor, project, flag="duplicate_boxes").json()
    assert [i["task"]["id"] for i in body["results"]] == [reviewed["dup"].pk]
    c = reviewed["users"][2]
    body = queue(supervisor, project, annotator=c.pk).json()
    assert [i["task"]["id"] for i in body["results"]] == [reviewed["trio"].pk]
    assert queue(supervisor, project, flag="no_such_flag").json()["count"] == 0
    bad = queue(supervisor, project, annotator="x")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_annotator"


def test_queue_is_for_supervisors_only(project, annotator, client_user, outsider, reviewed):
    assert queue(annotator, project).status_code == 403
    assert queue(client_user, project).status_code == 403
    assert queue(outsider, project).status_code == 404
    assert api_client().get(f"/api/v1/projects/{project.pk}/review-queue/").status_code in (401, 403)


def decide(user, task, **payload):
    return api_client(user).post(f"/api/v1/tasks/{task.pk}/review/", payload, format="json")


def test_accept_accepts_the_task_and_records_who(project, supervisor, reviewed):
    response = decide(supervisor, reviewed["clean"], decision="accept")
    assert response.status_code == 200, response.json()
    assert response.json()["reviewer"] == "supervisor" and response.json()["task_status"] == "accepted"
    task = reviewed["clean"]
    task.refresh_from_db()
    assert task.status == Task.Status.ACCEPTED
    assert set(task.annotations.values_list("status", flat=True)) == {"accepted"}
    (made,) = Review.objects.filter(task=task)
    assert made.reviewer == supervisor and made.decision == "accept" and made.created_at
    # A second decision: the task is no longer in review.
    again = decide(supervisor, task, decision="accept")
    assert again.status_code == 409 and again.json()["code"] == "not_in_review"


def test_reject_sends_the_task_back_to_the_same_annotator_with_the_comment(project, supervisor, reviewed):
    task = reviewed["trio"]
    c = reviewed["users"][2]
    worst = task.annotations.get(annotator=c)
    response = decide(supervisor, task, decision="reject", comment="Missed the yaks by the tents.")
    assert response.status_code == 200, response.json()
    assert response.json()["annotation"] == worst.pk  # the worst scored by default
    worst.refresh_from_db()
    task.refresh_from_db()
    assert worst.status == Annotation.Status.REJECTED
    assert worst.review_comment == "Missed the yaks by the tents."
    assert worst.version == 2
    assert AnnotationHistory.objects.filter(annotation=worst, action="reject", actor=supervisor).exists()
    assert task.status == Task.Status.OPEN and task.submitted_count == 2
    lease = Lease.objects.get(task=task, annotator=c, released_at__isnull=True)
    assert lease.assigned_by == supervisor
    # The others keep their submitted work.
    assert task.annotations.filter(status="submitted").count() == 2


def test_reject_needs_a_comment_and_changes_nothing_without_one(project, supervisor, reviewed):
    task = reviewed["dup"]
    for payload in ({"decision": "reject"}, {"decision": "reject", "comment": "   "}):
        response = decide(supervisor, task, **payload)
        assert response.status_code == 400
        assert response.json()["code"] == "comment_required"
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW and not Review.objects.exists()


def test_fix_replaces_the_boxes_and_accepts(project, supervisor, reviewed):
    task = reviewed["dup"]
    annotation = task.annotations.get()
    boxes = [{"label": "yak", "x": 100, "y": 100, "width": 40, "height": 30},
             {"label": "snow_leopard", "x": 600.5, "y": 0, "width": 40, "height": 30}]  # 0.5 px over: clamped
    response = decide(supervisor, task, decision="fix", boxes=boxes, annotation=annotation.pk)
    assert response.status_code == 200, response.json()
    annotation.refresh_from_db()
    task.refresh_from_db()
    assert task.status == Task.Status.ACCEPTED
    assert annotation.status == Annotation.Status.ACCEPTED and annotation.version == 2
    stored = list(annotation.boxes.values_list("label__name", "x", "y", "width", "height"))
    assert stored == [("yak", 100.0, 100.0, 40.0, 30.0), ("snow_leopard", 600.5, 0.0, 39.5, 30.0)]
    assert Review.objects.get(task=task).decision == "fix"


@pytest.mark.parametrize("boxes, code", [
    ([{"label": "yak", "x": 0, "y": 0, "width": -1, "height": 5}], "invalid_size"),
    ([{"label": "yak", "x": 0, "y": 0, "width": "NaN", "height": 5}], "invalid_number"),
    ([{"label": "yak", "x": 630, "y": 0, "width": 50, "height": 5}], "box_outside_image"),
    ([{"label": "dragon", "x": 0, "y": 0, "width": 5, "height": 5}], "unknown_label"),
    ([{"label": "yak", "x": 0, "y": 0, "width": 5, "height": 5, "extra": 1}], "invalid_boxes"),
    ("not a list", "not_a_list"),
])
def test_fix_with_bad_boxes_is_refused_and_changes_nothing(project, supervisor, reviewed, boxes, code):
    task = reviewed["dup"]
    annotation = task.annotations.get()
    response = decide(supervisor, task, decision="fix", boxes=boxes)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    annotation.refresh_from_db()
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW and annotation.version == 1
    assert annotation.boxes.count() == 4


def test_decisions_need_a_supervisor(project, annotator, client_user, outsider, reviewed):
    a = reviewed["users"][0]  # worked on the clean task
    task = reviewed["clean"]
    assert decide(a, task, decision="accept").status_code == 403
    assert decide(client_user, task, decision="accept").status_code == 403
    assert decide(outsider, task, decision="accept").status_code == 404
    assert decide(annotator, task, decision="accept").status_code == 404  # never touched it
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW and not Review.objects.exists()


def test_bad_payloads(project, supervisor, reviewed):
    task = reviewed["clean"]
    assert decide(supervisor, task, decision="maybe").status_code == 400
    assert decide(supervisor, task, decision="accept", boxes=[]).status_code == 400
    unknown = decide(supervisor, task, decision="accept", colour="red")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_field"
    other = reviewed["annotations"][1]  # belongs to another task
    wrong = decide(supervisor, task, decision="accept", annotation=other.pk)
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_annotation"
    assert decide(supervisor, make_task(project), decision="accept").status_code == 409
    assert api_client(supervisor).post("/api/v1/tasks/999999/review/", {"decision": "accept"},
                                       format="json").status_code == 404


def test_stats_per_project_and_annotator(project, supervisor, annotator, reviewed):
    decide(supervisor, reviewed["trio"], decision="reject", comment="Look again.")
    body = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/stats/").json()
    assert body["totals"]["submitted"] == 5
    assert body["totals"]["rejections"] == 1
    assert body["totals"]["rejection_rate"] == pytest.approx(0.2)
    assert len(body["days"]) == 1
    by_name = {a["id"]: a for a in body["annotators"]}
    c = reviewed["users"][2]
    assert by_name[c.pk]["totals"]["agreement"] == 0.0
    assert by_name[c.pk]["totals"]["rejection_rate"] == 1.0
    assert by_name[annotator.pk]["totals"]["submitted"] == 0  # a member without work is listed
    one = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/stats/annotators/{c.pk}/").json()
    assert one["annotator"]["username"] == c.username
    assert one["days"][0]["rejections"] == 1


def test_stats_gold_accuracy_and_pace(project, supervisor, django_capture_on_commit_callbacks):
    (a,) = annotators(project, 1)
    gold = [{"label": "yak", "x": 10, "y": 10, "width": 50, "height": 40}]
    right = submit(make_task(project, status="submitted", is_gold=True, gold_boxes=gold), a,
                   [("yak", 10, 10, 50, 40)], active_seconds=1800)
    wrong = submit(make_task(project, status="submitted", is_gold=True, gold_boxes=gold), a,
                   [("yak", 300, 300, 50, 40)], active_seconds=1800)
    with django_capture_on_commit_callbacks(execute=True):
        quality_check_enqueue(right.pk)
        quality_check_enqueue(wrong.pk)
    totals = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/stats/annotators/{a.pk}/").json()["totals"]
    assert totals["gold_tasks"] == 2 and totals["gold_accuracy"] == 0.5
    assert totals["tasks_per_hour"] == 2.0


def test_stats_are_for_supervisors(project, annotator, client_user, outsider, supervisor):
    url = f"/api/v1/projects/{project.pk}/stats/"
    assert api_client(annotator).get(url).status_code == 403
    assert api_client(client_user).get(url).status_code == 403
    assert api_client(outsider).get(url).status_code == 404
    assert api_client(supervisor).get(f"{url}annotators/{outsider.pk}/").status_code == 404
    assert api_client(annotator).get(f"{url}annotators/{annotator.pk}/").status_code == 403
    assert QualityReport.objects.count() == 0


def test_every_decision_is_in_the_audit_trail(project, supervisor, reviewed):
    client = api_client(supervisor)
    client.post(f"/api/v1/tasks/{reviewed['clean'].pk}/review/", {"decision": "accept"}, format="json")
    client.post(f"/api/v1/tasks/{reviewed['dup'].pk}/review/",
                {"decision": "reject", "comment": "two boxes on one yak"}, format="json")
    trail = client.get(f"/api/v1/projects/{project.pk}/audit/", {"action": "review.decide"}).json()["results"]
    decided = sorted((e["target_id"], e["details"]["decision"], e["actor_name"]) for e in trail)
    assert decided == sorted([(str(reviewed["clean"].pk), "accept", "supervisor"),
                              (str(reviewed["dup"].pk), "reject", "supervisor")])


def _in_review(project, annotator, score, *, old_score=None):
    """A task in review whose current version scored ``score`` (None: not scored yet)."""
    task = make_task(project, status=Task.Status.REVIEW)
    annotation = submit(task, annotator, YAKS, version=2)
    if old_score is not None:  # an older version's report must not count
        QualityReport.objects.create(annotation=annotation, annotation_version=1, state="done", score=old_score)
    if score is not None:
        QualityReport.objects.create(annotation=annotation, annotation_version=2, state="done", score=score,
                                     flags=[{"code": "low_agreement", "severity": "red", "message": "m"}])
    return task


def test_queue_pages_follow_the_worst_first_order_and_are_sliced_by_the_database(
    project, supervisor, django_assert_max_num_queries
):
    # given: scored tasks out of order, two unscored, one whose old version scored lowest
    (a,) = annotators(project, 1)
    scored = {score: _in_review(project, a, score) for score in (0.9, 0.2, 0.55, 0.7, 0.35)}
    unscored = [_in_review(project, a, None) for _ in range(2)]
    stale = _in_review(project, a, 0.8, old_score=0.01)
    expected = [t.pk for t in unscored] + [scored[s].pk for s in (0.2, 0.35, 0.55, 0.7)] + [stale.pk, scored[0.9].pk]
    # when: read in pages of three
    pages = [queue(supervisor, project, limit=3, offset=offset).json() for offset in (0, 3, 6)]
    # then
    assert [p["count"] for p in pages] == [8, 8, 8]
    assert [item["task"]["id"] for p in pages for item in p["results"]] == expected
    assert [item["score"] for item in pages[2]["results"]] == [0.8, 0.9]
    assert pages[1]["results"][0]["flags"] == ["low_agreement"]
    # and the database orders and slices the queue: a page reads its own rows, not the queue
    for _ in range(20):
        _in_review(project, a, 0.5)
    with django_assert_max_num_queries(12) as captured:
        assert len(queue(supervisor, project, limit=3).json()["results"]) == 3
    assert any("ORDER BY" in q["sql"] and "LIMIT 3" in q["sql"] for q in captured.captured_queries)
