"""Gold tasks as a first-class part of the data: listing, marking, unmarking, results.

A gold task carries a verified answer (``Task.gold_boxes``). It stays in the
pool as a yardstick (status ``open``; every annotator gets it once, no
overlap cap), each submission on it is scored against the answer, and exports
carry the answer itself (see ``labeling.export.items``). After a supervisor
decides on a submission the task goes back to ``open`` (``review.py``):
never ``accepted``, since the gold answer, not the submission, is the data.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q

from accounts.audit import Action, audit_record
from accounts.models import User
from config.errors import Conflict, DomainError
from labeling.annotations import validate_task_boxes
from labeling.export.items import choose
from labeling.models import Annotation, Box, Project, QualityReport, Review, Task

FINISHED = (Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED, Annotation.Status.SUPERSEDED)


def gold_tasks(*, project: Project) -> list[dict]:
    """The project's gold tasks with their answer and how annotators did on them."""
    tasks = list(
        Task.objects.filter(project=project, is_gold=True).select_related("image").annotate(
            attempts=Count("annotations", filter=Q(annotations__status__in=FINISHED)))
        .order_by("pk")
    )
    results = _gold_reports(project)
    by_task: dict[int, list[dict]] = defaultdict(list)
    for row in results:
        by_task[row["task"]].append(row)
    return [{
        "task": t.pk, "status": t.status, "image": {"id": t.image_id, "name": t.image.original_name,
                                                  "thumbnail_url": f"/api/v1/images/{t.image_id}/thumbnail/"},
        "gold_boxes": t.gold_boxes, "attempts": t.attempts,
        "passed": sum(1 for r in by_task[t.pk] if r["passed"]),
        "failed": sum(1 for r in by_task[t.pk] if r["passed"] is False),
    } for t in tasks]


def _gold_reports(project: Project) -> list[dict]:
    """Each finished submission on a gold task with its current gold score."""
    annotations = {
        a.pk: a for a in Annotation.objects.filter(task__project=project, task__is_gold=True, status__in=FINISHED)
        .select_related("annotator")
    }
    reports = {
        r["annotation_id"]: r for r in QualityReport.objects.filter(
            annotation_id__in=list(annotations), state=QualityReport.State.DONE
        ).order_by("annotation_version").values("annotation_id", "annotation_version", "metrics")
    }
    rows = []
    for pk, a in annotations.items():
        gold = (reports.get(pk) or {}).get("metrics", {}).get("gold") or {}
        rows.append({"task": a.task_id, "annotation": pk, "annotator": a.annotator.username,
                     "annotator_id": a.annotator_id, "status": a.status, "submitted_at": a.submitted_at,
                     "f1": gold.get("f1"), "passed": gold.get("passed")})
    return sorted(rows, key=lambda r: (r["annotator"], r["task"]))


def gold_results(*, project: Project) -> list[dict]:
    """Per annotator: gold tasks done, passed, mean gold F1, and each attempt."""
    per: dict[int, dict] = {}
    for row in _gold_reports(project):
        entry = per.setdefault(row["annotator_id"], {"annotator": {"id": row["annotator_id"],
                                                                   "username": row["annotator"]},
                                                     "attempts": []})
        entry["attempts"].append({k: row[k] for k in ("task", "annotation", "status", "submitted_at", "f1",
                                                      "passed")})
    out = []
    for entry in per.values():
        scored = [a["f1"] for a in entry["attempts"] if a["f1"] is not None]
        entry.update({"done": len(entry["attempts"]), "passed": sum(1 for a in entry["attempts"] if a["passed"]),
                      "mean_f1": round(sum(scored) / len(scored), 4) if scored else None})
        out.append(entry)
    return sorted(out, key=lambda e: e["annotator"]["username"])


def gold_mark(*, task: Task, by: User, boxes: object = None) -> Task:
    """Make a task gold with a verified answer: the given boxes, else its accepted (or fixed) annotation.

    400 ``no_verified_boxes`` when no boxes are given and nothing on the task
    was accepted; the boxes are checked like any annotation's.
    """
    with transaction.atomic():
        task = Task.objects.select_for_update(of=("self",)).select_related("project", "image").get(pk=task.pk)
        if boxes is not None:
            answer = [b.as_dict() for b in validate_task_boxes(task, boxes)]
        else:
            answer = _accepted_answer(task)
        task.is_gold, task.gold_boxes = True, answer
        # A yardstick stays in the pool; one waiting for a decision keeps waiting.
        if task.status != Task.Status.REVIEW:
            task.status = Task.Status.OPEN
        task.save(update_fields=["is_gold", "gold_boxes", "status", "updated_at"])
        audit_record(actor=by, action=Action.REVIEW, project_id=task.project_id, target_type="task",
                     target_id=task.pk, details={"decision": "gold_mark", "boxes": len(answer)})
    return task


def _accepted_answer(task: Task) -> list[dict]:
    fixed = set(Review.objects.filter(task=task, decision=Review.Decision.FIX).values_list("annotation_id", flat=True))
    rows = [(task.pk, a.pk, a.status, a.pk in fixed, "", a.updated_at)
            for a in task.annotations.filter(status=Annotation.Status.ACCEPTED).order_by("pk")]
    chosen = choose(rows)
    if chosen is None:
        raise DomainError("boxes: give the verified boxes, or accept an annotation of the task first.",
                          code="no_verified_boxes")
    return [{"label": name, "x": x, "y": y, "width": w, "height": h}
            for name, x, y, w, h in Box.objects.filter(annotation_id=chosen[1]).order_by("pk")
            .values_list("label__name", "x", "y", "width", "height")]


def gold_unmark(*, task: Task, by: User) -> Task:
    """Make a gold task a regular one again, in the state its annotations put it in.

    Its answer is kept (marking it again restores it). An accepted annotation
    makes it ``accepted``; enough submissions for the overlap, ``review``;
    otherwise it is ``open`` for more annotators.
    """
    with transaction.atomic():
        task = Task.objects.select_for_update(of=("self",)).select_related("project").get(pk=task.pk)
        if not task.is_gold:
            raise Conflict("This task is not gold.", code="not_gold")
        statuses = list(task.annotations.values_list("status", flat=True))
        if Annotation.Status.ACCEPTED in statuses:
            task.status = Task.Status.ACCEPTED
        elif statuses.count(Annotation.Status.SUBMITTED) >= task.project.overlap:
            task.status = Task.Status.REVIEW
        elif task.status != Task.Status.REVIEW:
            task.status = Task.Status.OPEN
        task.is_gold = False
        task.save(update_fields=["is_gold", "status", "updated_at"])
        audit_record(actor=by, action=Action.REVIEW, project_id=task.project_id, target_type="task",
                     target_id=task.pk, details={"decision": "gold_unmark"})
    return task
