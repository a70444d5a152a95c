"""Supervisors' decisions on a task in review: accept, reject with a comment, or fix.

Each decision runs under the task's row lock, refuses a task that is not in
review (409) and a caller who may not review (403), and records a Review row
(who, when, what).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Action, audit_record
from accounts.models import User
from config.errors import Conflict, DomainError, Forbidden, NotFound
from labeling.access import task_has_capability
from labeling.assignment import task_assign
from labeling.annotations import validate_task_boxes
from labeling.models import Annotation, AnnotationHistory, Box, Lease, QualityReport, Review, Task
from labeling.quality.enqueue import quality_check_enqueue


def review_accept(*, task_id: int, reviewer: User, annotation_id: int | None = None,
                  comment: str = "", accept_all: bool = False) -> Review:
    """Accept the chosen annotation; the task's other submitted ones are superseded.

    The chosen one is ``annotation_id``, else the best scored (ties to the
    lowest id). With ``accept_all`` every submitted annotation is accepted
    (the dataset still carries one per task: the lowest id).
    """
    with transaction.atomic():
        task = _task_in_review(task_id, reviewer)
        submitted = list(task.annotations.filter(status=Annotation.Status.SUBMITTED))
        if accept_all:
            if annotation_id is not None:
                raise DomainError("annotation: name one annotation or accept all, not both.",
                                  code="invalid_annotation")
            targets = submitted
        elif annotation_id is not None:
            targets = [_submitted_annotation(task, annotation_id)]
        else:
            targets = [_best_submitted(task, submitted)] if submitted else []
        now = timezone.now()
        Annotation.objects.filter(pk__in=[a.pk for a in targets]).update(
            status=Annotation.Status.ACCEPTED, review_comment=comment, updated_at=now
        )
        Annotation.objects.filter(task=task, status=Annotation.Status.SUBMITTED).exclude(
            pk__in=[a.pk for a in targets]).update(status=Annotation.Status.SUPERSEDED, updated_at=now)
        _after_decision(task, Task.Status.ACCEPTED)
        return _recorded(Review.objects.create(
            task=task, annotation=targets[0] if len(targets) == 1 else None,
            reviewer=reviewer, decision=Review.Decision.ACCEPT, comment=comment,
        ))


def review_reject(*, task_id: int, reviewer: User, comment: str,
                  annotation_id: int | None = None) -> Review:
    """Send one annotation back to its annotator with a comment.

    The annotation becomes editable again (status rejected, the comment shown
    on their page), they get a fresh assignment of the task, and the task
    reopens until they submit again. Without ``annotation_id`` the worst
    scored submitted annotation is the one sent back.
    """
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("A rejection needs a comment for the annotator."), code="comment_required")
    with transaction.atomic():
        task = _task_in_review(task_id, reviewer)
        annotation = (_submitted_annotation(task, annotation_id) if annotation_id is not None
                      else _worst_submitted(task))
        now = timezone.now()
        annotation.status = Annotation.Status.REJECTED
        annotation.review_comment = comment
        annotation.version += 1
        annotation.save(update_fields=["status", "review_comment", "version", "updated_at"])
        _history(annotation, action="reject", actor=reviewer)
        # Any lease of theirs on the task is over; a fresh assignment sends the
        # task back to the same person, ahead of their pool, not to anyone else.
        Lease.objects.filter(task=task, annotator_id=annotation.annotator_id, released_at__isnull=True).update(
            released_at=now, release_reason=Lease.Release.REVOKED
        )
        task.submitted_count = max(0, task.submitted_count - 1)
        task.status = Task.Status.OPEN
        task.save(update_fields=["submitted_count", "status", "updated_at"])
        task_assign(task=task, annotator=annotation.annotator, assigned_by=reviewer, now=now)
        if task.is_gold:
            _after_decision(task, Task.Status.OPEN)
        return _recorded(Review.objects.create(task=task, annotation=annotation, reviewer=reviewer,
                                               decision=Review.Decision.REJECT, comment=comment))


def review_fix(*, task_id: int, reviewer: User, boxes: list, annotation_id: int | None = None,
               comment: str = "") -> Review:
    """Replace an annotation's boxes with the supervisor's and accept it in one step."""
    with transaction.atomic():
        task = _task_in_review(task_id, reviewer)
        clean = validate_task_boxes(task, boxes)
        annotation = (_submitted_annotation(task, annotation_id) if annotation_id is not None
                      else _worst_submitted(task))
        annotation.boxes.all().delete()
        Box.objects.bulk_create(
            Box(annotation=annotation, label_id=b.label_id, x=b.x, y=b.y, width=b.width, height=b.height)
            for b in clean
        )
        annotation.status = Annotation.Status.ACCEPTED
        annotation.review_comment = comment
        annotation.version += 1
        annotation.save(update_fields=["status", "review_comment", "version", "updated_at"])
        _history(annotation, action="fix", actor=reviewer)
        Annotation.objects.filter(task=task, status=Annotation.Status.SUBMITTED).update(
            status=Annotation.Status.SUPERSEDED, updated_at=timezone.now())
        _after_decision(task, Task.Status.ACCEPTED)
        if not task.is_gold:
            # Everyone on the task is measured again against the fixed answer.
            quality_check_enqueue(annotation.pk, project_id=task.project_id)
        return _recorded(Review.objects.create(task=task, annotation=annotation, reviewer=reviewer,
                                               decision=Review.Decision.FIX, comment=comment))


def review_early(*, task_id: int, reviewer: User) -> Task:
    """Put a task that waits for more annotators (or for its check) into review now.

    Only a regular task with at least one submitted annotation; 409
    ``not_waiting`` otherwise. Whoever still holds a lease on it keeps it until
    a decision closes the task (an accept revokes it; their draft stays).
    """
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None:
            raise NotFound("Not found.")
        if not task_has_capability(reviewer, task, "review.work"):
            raise Forbidden("Only the project's supervisors review.")
        waiting = (not task.is_gold and task.status in (Task.Status.OPEN, Task.Status.SUBMITTED)
                   and task.annotations.filter(status=Annotation.Status.SUBMITTED).exists())
        if not waiting:
            raise Conflict("Only a task with submitted work that is not in review yet can be reviewed early.",
                           code="not_waiting", status=task.status)
        task.status = Task.Status.REVIEW
        task.save(update_fields=["status", "updated_at"])
        audit_record(actor=reviewer, action=Action.REVIEW, project_id=task.project_id, target_type="task",
                     target_id=task.pk, details={"decision": "review_early"})
        return task


def _task_in_review(task_id: int, reviewer: User) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Not found."))
    if not task_has_capability(reviewer, task, "review.work"):
        raise Forbidden(_("Only the project's supervisors review."))
    if task.status != Task.Status.REVIEW:
        raise Conflict(_("The task is not in review."), code="not_in_review", status=task.status)
    # The row lock is held; fetch the relations for the decision.
    return Task.objects.select_related("project", "image").get(pk=task.pk)


def _submitted_annotation(task: Task, annotation_id: object) -> Annotation:
    try:
        pk = int(str(annotation_id))
    except (TypeError, ValueError):
        pk = 0
    annotation = task.annotations.filter(pk=pk, status=Annotation.Status.SUBMITTED).first()
    if annotation is None:
        raise DomainError(_("annotation: not a submitted annotation of this task."), code="invalid_annotation")
    return annotation


def _worst_submitted(task: Task) -> Annotation:
    candidates = list(task.annotations.filter(status=Annotation.Status.SUBMITTED))
    if not candidates:
        raise Conflict(_("The task has no submitted annotation to decide on."), code="nothing_submitted")
    scores = _current_scores(candidates)
    return min(candidates, key=lambda a: (scores.get(a.pk) or 0.0, a.pk))


def _best_submitted(task: Task, candidates: list[Annotation]) -> Annotation:
    scores = _current_scores(candidates)
    return min(candidates, key=lambda a: (-(scores.get(a.pk) or 0.0), a.pk))


def _current_scores(candidates: list[Annotation]) -> dict[int, float | None]:
    versions = {a.pk: a.version for a in candidates}
    return {
        pk: score for pk, version, score in QualityReport.objects.filter(
            annotation_id__in=list(versions), state=QualityReport.State.DONE
        ).values_list("annotation_id", "annotation_version", "score")
        if versions[pk] == version
    }


def _after_decision(task: Task, status: str) -> None:
    """Set the task's status after a decision.

    A gold task is a yardstick that stays in everyone's pool: it waits in
    review while any submission on it is undecided, then goes back to open.
    """
    if task.is_gold:
        undecided = task.annotations.filter(status=Annotation.Status.SUBMITTED).exists()
        status = Task.Status.REVIEW if undecided else Task.Status.OPEN
    elif status == Task.Status.ACCEPTED:
        # Decided: whoever still holds a lease on it stops here; their draft
        # stays and "My work" says the task was completed without them.
        Lease.objects.filter(task=task, released_at__isnull=True).update(
            released_at=timezone.now(), release_reason=Lease.Release.REVOKED)
    task.status = status
    task.save(update_fields=["status", "updated_at"])


def _history(annotation: Annotation, *, action: str, actor: User) -> None:
    boxes = [
        {"label": label, "x": x, "y": y, "width": w, "height": h}
        for label, x, y, w, h in annotation.boxes.values_list("label__name", "x", "y", "width", "height")
    ]
    AnnotationHistory.objects.create(annotation=annotation, version=annotation.version,
                                     status=annotation.status, action=action, boxes=boxes, actor=actor)


def _recorded(review: Review) -> Review:
    """Put the decision in the audit trail, in the same transaction."""
    audit_record(
        actor=review.reviewer,
        action=Action.REVIEW,
        project_id=review.task.project_id,
        target_type="task",
        target_id=review.task_id,
        details={"decision": review.decision, "annotation": review.annotation_id},
    )
    return review
