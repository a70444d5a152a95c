"""A supervisor assigns a task to an annotator: it comes before their pool.

Rare next to "next", so plain ORM throughout.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import role_allows
from config.errors import Conflict, DomainError
from labeling.access import project_role
from labeling.assignment.leases import lease_release
from labeling.models import Annotation, Lease, Task


def task_assign(*, task: Task, annotator: User, assigned_by: User, now: datetime | None = None) -> Lease:
    """Assign a task to an annotator of its project.

    The assignment is a lease that lasts ``LABELING_ASSIGNMENT_SECONDS``. It
    still respects overlap and "never twice": an annotator who already
    submitted the task cannot be given it again, and a task whose slots are
    all taken by others is refused. The exception is rework: a *rejected*
    annotation is sent back to its own annotator whatever the task's status,
    in the slot it already holds (the reject gives that slot back by
    decrementing ``submitted_count``; the resubmit counts it again).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the task row only: the project and image rows are read, not changed.
        task = Task.objects.select_for_update(of=("self",)).select_related("project", "image").get(pk=task.pk)
        if not role_allows(project_role(annotator, task.project_id), "tasks.annotate"):
            raise DomainError(_("%(username)s is not an annotator of this project.") % {"username": annotator.username}, code="not_an_annotator")
        annotation = Annotation.objects.filter(task=task, annotator=annotator).first()
        rework = annotation is not None and annotation.status == Annotation.Status.REJECTED
        if annotation is not None and annotation.status in (
            Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED, Annotation.Status.SUPERSEDED
        ):
            raise Conflict(_("%(username)s already submitted this task.") % {"username": annotator.username}, code="already_annotated")
        if task.status != Task.Status.OPEN and not rework:
            raise Conflict(_("This task no longer needs annotations."), code="task_closed")
        mine = Lease.objects.select_for_update().filter(task=task, annotator=annotator, released_at__isnull=True).first()
        if mine is not None and mine.expires_at > now:
            mine.assigned_by = assigned_by
            mine.expires_at = max(mine.expires_at, now + timedelta(seconds=settings.LABELING_ASSIGNMENT_SECONDS))
            mine.save(update_fields=["assigned_by", "expires_at"])
            mine.task = task
            return mine
        if mine is not None:
            lease_release(lease=mine, reason=Lease.Release.EXPIRED, now=now)
        if not task.is_gold and not rework and _free_slots(task, now) <= 0:
            raise Conflict(_("Every slot of this task is taken."), code="task_full")
        return _assignment_create(task=task, annotator=annotator, now=now, assigned_by=assigned_by, annotation=annotation)


def _free_slots(task: Task, now: datetime) -> int:
    """Slots left on a task; call while holding the task's row lock."""
    live = Lease.objects.filter(task=task, released_at__isnull=True, expires_at__gt=now).count()
    return task.project.overlap - task.submitted_count - live


def _assignment_create(
    *, task: Task, annotator: User, now: datetime, assigned_by: User, annotation: Annotation | None
) -> Lease:
    """Create the assigned lease and the annotator's draft; call holding the task's row lock."""
    lease = Lease.objects.create(
        task=task,
        annotator=annotator,
        expires_at=now + timedelta(seconds=settings.LABELING_ASSIGNMENT_SECONDS),
        heartbeat_at=now,
        assigned_by=assigned_by,
    )
    if annotation is None:
        Annotation.objects.create(task=task, annotator=annotator)
    elif annotation.status == Annotation.Status.SKIPPED:
        # Only a supervisor's assignment reopens a skipped task for its annotator.
        Annotation.objects.filter(pk=annotation.pk).update(
            status=Annotation.Status.DRAFT, version=F("version") + 1, updated_at=now
        )
    if not task.started:
        Task.objects.filter(pk=task.pk).update(started=True)
        task.started = True
    lease.task = task
    return lease
