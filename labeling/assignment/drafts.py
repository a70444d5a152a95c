"""Drafts are never stranded: giving an annotator their unfinished work back.

A lease that lapsed (lunch, a closed laptop) frees its slot for others, but
the annotator's draft stays. "next" offers it back before new work when its
slot is still free, and the tool's "take it back" button re-leases it the
same way. When the slot went to someone else the draft is kept, and
``draft_state`` says why it cannot be resumed (My work lists it).

Rare next to the pool pick, so plain ORM.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.errors import Conflict
from labeling.models import Annotation, Lease, Project, Task

# Why a draft is (not) resumable; the code is the contract, the text is shown.
DRAFT_STATES = {
    "leased": _("You hold this task: carry on."),
    "resumable": _("Your lease lapsed but the slot is free: \"next\" gives it back first."),
    "slot_taken": _("Your lease lapsed and other annotators hold every slot now; "
                    "your boxes are kept in case a slot frees up."),
    "task_closed": _("Your lease lapsed and the task was completed without you; your boxes are kept."),
}
# At most this many of the caller's drafts are tried per "next".
RESUME_CANDIDATES = 20


def _free_slots(task: Task, now: datetime) -> int:
    live = Lease.objects.filter(task=task, released_at__isnull=True, expires_at__gt=now).count()
    return task.project.overlap - task.submitted_count - live


def draft_state(*, task: Task, annotator_id: int, now: datetime, live: bool | None = None) -> str:
    """One of ``DRAFT_STATES`` for the annotator's draft of the task."""
    if live is None:
        live = Lease.objects.filter(task=task, annotator_id=annotator_id, released_at__isnull=True,
                                    expires_at__gt=now).exists()
    if live:
        return "leased"
    if task.status != Task.Status.OPEN:
        return "task_closed"
    if task.is_gold or _free_slots(task, now) > 0:
        return "resumable"
    return "slot_taken"


def _lease(task: Task, annotator_id: int, now: datetime) -> Lease:
    Lease.objects.filter(task=task, annotator_id=annotator_id, released_at__isnull=True).update(
        released_at=now, release_reason=Lease.Release.EXPIRED)
    lease = Lease.objects.create(task=task, annotator_id=annotator_id, heartbeat_at=now,
                                 expires_at=now + timedelta(seconds=task.project.lease_seconds))
    lease.task = task
    return lease


def resume_draft(*, project: Project, user_id: int, now: datetime) -> Lease | None:
    """Lease back the caller's most recently edited draft whose slot is free (inside "next")."""
    candidates = list(
        Annotation.objects.filter(annotator_id=user_id, task__project=project, status=Annotation.Status.DRAFT,
                                  task__status=Task.Status.OPEN)
        .order_by("-updated_at", "-id").values_list("task_id", flat=True)[:RESUME_CANDIDATES]
    )
    for task_id in candidates:
        task = (Task.objects.select_for_update(skip_locked=True, of=("self",)).select_related("image")
                .filter(pk=task_id, status=Task.Status.OPEN).first())
        if task is None:
            continue
        task.project = project
        if task.is_gold or _free_slots(task, now) > 0:
            return _lease(task, user_id, now)
    return None


def task_take_back(*, task: Task, annotator: User, now: datetime | None = None) -> Lease:
    """Re-lease a task whose lease lapsed to the annotator whose draft it holds.

    409 ``no_draft`` when they have no unfinished work on it, ``slot_taken``
    or ``task_closed`` (with ``state``) when it cannot be theirs again now.
    A live lease is simply returned.
    """
    now = now or timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update(of=("self",)).select_related("project", "image").get(pk=task.pk)
        annotation = Annotation.objects.filter(task=task, annotator=annotator).first()
        if annotation is None or annotation.status not in (Annotation.Status.DRAFT, Annotation.Status.REJECTED):
            raise Conflict("You have no unfinished work on this task.", code="no_draft")
        live = Lease.objects.filter(task=task, annotator=annotator, released_at__isnull=True,
                                    expires_at__gt=now).first()
        if live is not None:
            live.task = task
            return live
        # A rejected answer keeps its place: the rework is theirs whatever the slots.
        state = "resumable" if annotation.status == Annotation.Status.REJECTED else draft_state(
            task=task, annotator_id=annotator.pk, now=now, live=False)
        if state != "resumable":
            raise Conflict(str(DRAFT_STATES[state]), code=state, state=state)
        return _lease(task, annotator.pk, now)
