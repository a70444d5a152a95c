"""Writing annotations: versioned draft saves, submit and skip.

Every write names the version it was based on and is applied with
``UPDATE ... WHERE version = expected``; when no row matches, someone wrote in
between (another tab, a supervisor's fix, a submit) and the write is refused
with 409 and the current version, changing nothing. Every write leaves an
``AnnotationHistory`` row.

Annotators write only while holding a live lease on the task; supervisors of
the project (and admins) may write without one, e.g. to fix an annotator's
boxes.
"""

import json
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import Conflict, DomainError, NotFound
from config.rows import fetchall, fetchone
from labeling import annotation_writes as writes
from labeling.access import task_has_capability
from labeling.active_energy import active_energy_record
from labeling.assignment import active_time_credit, lease_for_write, lease_release, task_lease_next
from labeling.boxes import CleanBox, validate_boxes
from labeling.models import Annotation, AnnotationHistory, LabelClass, Lease, Prediction, Task
from labeling.predictions.uses import prediction_use_record, prediction_use_start
from labeling.quality.enqueue import submit_report_params, submitted_enqueue

# What an annotator may still change; a submitted or skipped annotation is
# closed to them (a rejected one is back with them for rework).
ANNOTATOR_WRITABLE = (Annotation.Status.DRAFT, Annotation.Status.REJECTED)
SKIP_REASON_MAX = 500


def _annotation(task: Task, annotator: User, *, lock: bool = False) -> Annotation:
    queryset = Annotation.objects.filter(task=task, annotator=annotator)
    if lock:
        queryset = queryset.select_for_update()
    annotation = queryset.first()
    if annotation is None:
        raise NotFound(_("No annotation of this task by that annotator."), code="no_annotation")
    return annotation


def annotation_get(*, task: Task, annotator: User) -> Annotation:
    """The annotator's annotation of the task, with its boxes' labels loaded."""
    annotation = _annotation(task, annotator)
    annotation.box_list = _boxes_snapshot(annotation)
    return annotation


def _closed(annotation: Annotation) -> Conflict:
    return Conflict(
        _("This annotation is %(status)s; it can no longer be changed.") % {"status": annotation.get_status_display()},
        code=f"already_{annotation.status}",
        current_version=annotation.version,
    )


def _open_for_annotator(
    task: Task, annotator: User, statuses: tuple[str, ...], now: datetime
) -> tuple[Annotation, Lease]:
    """The annotator's annotation and live lease, both locked (lease first).

    A finished annotation is reported as such rather than as "no lease" (its
    lease is gone by then): the status is read when the lease is refused, and
    checked again under the lock.
    """
    lease = _lease_or_closed(task, annotator, statuses, now)
    annotation = _annotation(task, annotator, lock=True)
    if annotation.status not in statuses:
        raise _closed(annotation)
    return annotation, lease


def _lease_or_closed(
    task: Task, annotator: User, statuses: tuple[str, ...], now: datetime, renew_seconds: int | None = None
) -> Lease:
    """``lease_for_write``, but a refusal names a closed annotation first (409 ``already_*``)."""
    try:
        return lease_for_write(task=task, annotator=annotator, now=now, renew_seconds=renew_seconds)
    except Conflict:
        annotation = _annotation(task, annotator)
        if annotation.status not in statuses:
            raise _closed(annotation) from None
        raise


def _history(annotation: Annotation, *, action: str, actor: User, boxes: list[dict]) -> None:
    AnnotationHistory.objects.create(
        annotation=annotation,
        version=annotation.version,
        status=annotation.status,
        action=action,
        boxes=boxes,
        actor=actor,
    )


def _boxes_snapshot(annotation: Annotation) -> list[dict]:
    return [
        {"label": name, "x": x, "y": y, "width": w, "height": h}
        for name, x, y, w, h in annotation.boxes.order_by("id").values_list(
            "label__name", "x", "y", "width", "height"
        )
    ]


_LABEL_IDS = f"SELECT name, id FROM {LabelClass._meta.db_table} WHERE project_id = %s"


def _label_ids(project_id: int) -> dict[str, int]:
    """Label name -> id in the project. Hand-written: every save runs it (the ORM took ~1 ms of CPU)."""
    return dict(fetchall(_LABEL_IDS, [project_id]))


def validate_task_boxes(task: Task, boxes: object) -> list[CleanBox]:
    """Boxes checked against the task's image, its project's labels and box limit."""
    return validate_boxes(
        boxes,
        label_ids=_label_ids(task.project_id),
        image_width=task.image.width,
        image_height=task.image.height,
        max_boxes=task.project.max_boxes_per_image,
    )


# ``from_prediction`` left out of a save: what the annotation started from stays as recorded.
UNCHANGED = object()


def annotation_save(
    *,
    task: Task,
    author: User,
    boxes: object,
    expected_version: int,
    active_seconds: float | None = None,
    annotator: User | None = None,
    from_prediction: Prediction | None | object = UNCHANGED,
    now: datetime | None = None,
) -> Annotation:
    """Replace the boxes of an annotation as a draft save.

    ``annotator`` is whose annotation to write (default: the author's own);
    writing someone else's needs the ``review.work`` capability. A save by the
    lease holder renews the lease as a heartbeat does and credits
    ``active_seconds`` when sent. ``from_prediction`` (a prediction of this
    task, or None for "from scratch") records what the boxes started from.
    Raises ``InvalidBoxes`` (400), ``Conflict`` (409: ``version_conflict`` with
    ``current_version``, ``lease_expired``, ``no_lease``, ``already_*``),
    ``Forbidden`` or ``NotFound``; nothing is written when it raises.
    """
    now = now or timezone.now()
    target = annotator or author
    supervising = task_has_capability(author, task, "review.work")
    if target.pk != author.pk and not supervising:
        raise NotFound(_("No annotation of this task by that annotator."), code="no_annotation")
    clean = validate_task_boxes(task, boxes)
    if not supervising and active_seconds is None and from_prediction is UNCHANGED:
        annotation = writes.save_under_lease(task, author, clean, expected_version, list(ANNOTATOR_WRITABLE), now)
        if annotation is not None:
            return annotation
    with transaction.atomic():
        annotation, _lease = _write_boxes(
            task, author, target, clean, expected_version,
            active_seconds=active_seconds, needs_lease=not supervising, from_prediction=from_prediction, now=now,
        )
    return annotation


def _write_boxes(
    task: Task,
    author: User,
    target: User,
    clean: list[CleanBox],
    expected_version: int,
    *,
    active_seconds: float | None,
    needs_lease: bool,
    from_prediction: Prediction | None | object,
    now: datetime,
) -> tuple[Annotation, Lease | None]:
    """The versioned box write of a save (inside the caller's transaction).

    With ``needs_lease`` the author's live lease is locked and renewed in one
    statement (and credited when ``active_seconds`` is sent); returns the
    annotation (with ``box_list``) and that lease (None without ``needs_lease``).
    """
    credited = 0.0
    lease = None
    writable = list(Annotation.Status.values)
    if needs_lease:
        # Lease row first, annotation row second: the lock order of every
        # write path, so two tabs saving and submitting cannot deadlock.
        # Saving is working: the save keeps the lease as a heartbeat does.
        lease = _lease_or_closed(task, author, ANNOTATOR_WRITABLE, now, renew_seconds=task.project.lease_seconds)
        if active_seconds is not None:
            # Without a report the clock is left alone: the next report
            # may then claim that (real) wall time itself.
            credited = active_time_credit(lease=lease, reported=active_seconds, now=now)
            lease.save(update_fields=["heartbeat_at"])
            active_energy_record(task=task, annotator=author, credited=credited, now=now)
        writable = list(ANNOTATOR_WRITABLE)
    annotation = _save_boxes(task, author, target, clean, expected_version, writable, credited, from_prediction, now)
    return annotation, lease


def _save_boxes(
    task: Task,
    author: User,
    target: User,
    clean: list[CleanBox],
    expected_version: int,
    writable: list[str],
    credited: float,
    from_prediction: Prediction | None | object,
    now: datetime,
) -> Annotation:
    """The versioned write itself, once the caller holds what it needs (lease locked, or supervising)."""
    annotation = writes.bump_version(task, target, expected_version, writable, credited, now)
    if annotation is None:
        # Nothing matched: say why (no annotation, closed, or a stale version).
        current = _annotation(task, target)
        if current.status not in writable:
            raise _closed(current)
        raise Conflict(
            _("This annotation changed since version %(expected)s; reload it (current version %(current)s).")
            % {"expected": expected_version, "current": current.version},
            code="version_conflict",
            current_version=current.version,
        )
    annotation.box_list = [box.as_dict() for box in clean]
    writes.replace_boxes(annotation, clean, action="fix" if target.pk != author.pk else "save", actor=author, now=now)
    if from_prediction is not UNCHANGED:
        prediction_use_start(annotation=annotation, prediction=from_prediction)
    return annotation


def annotation_submit(
    *,
    task: Task,
    author: User,
    active_seconds: float | None = None,
    boxes: object = None,
    expected_version: int | None = None,
    from_prediction: Prediction | None | object = UNCHANGED,
    now: datetime | None = None,
) -> Annotation:
    """Submit the author's annotation of the task.

    With ``boxes`` (and the ``expected_version`` they replace) the final save
    comes first, in the same transaction: exactly ``annotation_save``'s
    checks and write, so bad boxes (400) or a stale version (409) leave both
    the boxes and the status as they were.

    Marks it submitted, credits the last active time, counts the slot on the
    task (which becomes ``submitted`` once ``overlap`` annotators submitted;
    gold tasks stay open as a yardstick for everyone), releases the lease and
    records the workstation energy of the time credited by this submit.
    """
    now = now or timezone.now()
    if (boxes is None) != (expected_version is None) or (boxes is None and from_prediction is not UNCHANGED):
        raise DomainError(_("A final save needs both boxes and version (from_prediction only goes with them)."),
                          code="incomplete_save", field="boxes" if boxes is None else "version")
    clean = None if boxes is None else validate_task_boxes(task, boxes)
    with transaction.atomic():
        # Locked, not renewed: the submit releases it. Lease row first,
        # annotation row second, as every write path.
        lease = _lease_or_closed(task, author, ANNOTATOR_WRITABLE, now)
        credited = active_time_credit(lease=lease, reported=active_seconds, now=now)
        if clean is None:
            annotation = _annotation(task, author, lock=True)
            if annotation.status not in ANNOTATOR_WRITABLE:
                raise _closed(annotation)
            annotation.box_list = _boxes_snapshot(annotation)
        else:
            # The final save: its own version and history row, as a PUT would leave.
            annotation = _save_boxes(task, author, author, clean, expected_version, list(ANNOTATOR_WRITABLE),
                                     0.0, from_prediction, now)
        started_from_prediction = _finish_submit(annotation, lease, task, author, credited, now)
        if started_from_prediction:
            prediction_use_record(annotation, annotation.box_list)
        # Inside the transaction: a rolled-back submit leaves no ledger entry
        # and a committed one always has its entry. Only the time since the
        # last credit point is new; earlier credits are in the ledger already.
        active_energy_record(task=task, annotator=author, credited=credited, now=now)
    return annotation


def _finish_submit(annotation: Annotation, lease: Lease, task: Task, author: User, credited: float,
                   now: datetime) -> bool:
    """Mark the (locked) annotation submitted with ``credited`` more active seconds, count the
    task's slot, release the lease and queue the quality check after commit; True when the
    annotation started from a prediction."""
    row = fetchone(writes.FINISH_SUBMIT, {
        "annotation": annotation.pk, "task": task.pk, "lease": lease.pk, "actor": author.pk, "now": now,
        "credited": credited, "overlap": task.project.overlap, "boxes": json.dumps(annotation.box_list),
        "submitted": Annotation.Status.SUBMITTED, "open": Task.Status.OPEN,
        "task_submitted": Task.Status.SUBMITTED, "released": Lease.Release.SUBMITTED, **submit_report_params(),
    })
    annotation.version, annotation.active_seconds, started_from_prediction, report_id, others = row
    annotation.status, annotation.submitted_at, annotation.updated_at = Annotation.Status.SUBMITTED, now, now
    lease.released_at, lease.release_reason = now, Lease.Release.SUBMITTED
    submitted_enqueue(report_id=report_id, others=[tuple(pair) for pair in others], project_id=task.project_id)
    return started_from_prediction


def annotation_submit_then_next(*, task: Task, author: User, take_next: bool, **submit) -> tuple[Annotation, Lease | None]:
    """``annotation_submit``, then (once it committed) the author's next task in the project.

    The tool's Ctrl+Enter in one request. The next lease is taken only after
    the submit's transaction closed: the submit stands even if no task is
    left (None) or "next" fails, exactly as two separate requests would.
    """
    annotation = annotation_submit(task=task, author=author, **submit)
    if not take_next:
        return annotation, None
    return annotation, task_lease_next(project=task.project, annotator=author)


def annotation_skip(*, task: Task, author: User, reason: str, now: datetime | None = None) -> Annotation:
    """Skip the task with a reason; it goes back to the pool for others.

    The annotator will not be offered it again (a skip counts as seen).
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you skip this task."), code="reason_required", field="reason")
    if len(reason) > SKIP_REASON_MAX:
        raise DomainError(_("The reason is longer than %(SKIP_REASON_MAX)s characters.") % {"SKIP_REASON_MAX": SKIP_REASON_MAX}, code="reason_too_long",
                          field="reason")
    with transaction.atomic():
        annotation, lease = _open_for_annotator(task, author, (Annotation.Status.DRAFT,), now)
        annotation.status = Annotation.Status.SKIPPED
        annotation.skip_reason = reason
        annotation.version += 1
        annotation.save(update_fields=["status", "skip_reason", "version", "updated_at"])
        lease_release(lease=lease, reason=Lease.Release.SKIPPED, now=now)
        annotation.box_list = _boxes_snapshot(annotation)
        _history(annotation, action="skip", actor=author, boxes=annotation.box_list)
    return annotation
