"""Supervisors' actions on many tasks at once, all or nothing.

Every action takes task ids from the browser, so every id is checked against
the project first: one id of another project (or of nothing) and the whole
request is refused, with nothing changed. Each action reuses the rule that
owns it (an assignment is ``task_assign``, gold is ``gold_mark`` and
``gold_unmark``, a release is ``leases_revoke``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import Action, audit_record
from accounts.models import User
from config.errors import DomainError, NotFound
from labeling.assignment.assign import task_assign
from labeling.assignment.leases import leases_revoke
from labeling.gold import gold_mark, gold_unmark
from labeling.models import Membership, Project, Task

# ``updated_at`` is left alone: the dashboard reads it as "in review since".

MAX_TASKS = 1000
PRIORITY_RANGE = (-1000, 1000)

ACTIONS = {
    "assign": gettext_lazy("Assign to an annotator"),
    "priority": gettext_lazy("Set priority"),
    "gold": gettext_lazy("Mark as gold"),
    "ungold": gettext_lazy("Unmark gold"),
    "release": gettext_lazy("Send back to the pool"),
    "exclude": gettext_lazy("Leave out of exports"),
    "include": gettext_lazy("Put back in exports"),
}


def _locked_tasks(project: Project, task_ids: list[int]) -> list[Task]:
    ids = sorted(set(task_ids))
    if not ids:
        raise DomainError(_("Select at least one task."), code="no_tasks")
    if len(ids) > MAX_TASKS:
        raise DomainError(_("At most %(n)s tasks at a time.") % {"n": MAX_TASKS}, code="too_many_tasks")
    # Locked in id order, as every other multi-task writer does, so no deadlock.
    tasks = list(Task.objects.select_for_update(of=("self",)).filter(project=project, pk__in=ids).order_by("id"))
    if len(tasks) != len(ids):
        raise NotFound(_("Some of these tasks are not part of this project; nothing was changed."),
                       code="unknown_tasks")
    return tasks


@transaction.atomic
def tasks_bulk(*, project: Project, task_ids: list[int], action: str, actor: User,
               annotator_id: int | None = None, priority: int | None = None) -> int:
    """Apply ``action`` to every task named; return how many tasks it touched."""
    if action not in ACTIONS:
        raise DomainError(_("Unknown action."), code="unknown_action")
    tasks = _locked_tasks(project, task_ids)
    ids = [task.pk for task in tasks]
    now = timezone.now()
    if action == "assign":
        if annotator_id is None:
            raise DomainError(_("Choose the annotator to assign these tasks to."), code="no_annotator")
        member = Membership.objects.filter(project=project, user_id=annotator_id).select_related("user").first()
        if member is None:
            raise NotFound(_("That person is not a member of this project."), code="not_a_member")
        for task in tasks:
            try:
                task_assign(task=task, annotator=member.user, assigned_by=actor, now=now)
            except DomainError as exc:
                raise type(exc)(_("Task %(id)s: %(why)s Nothing was changed.") % {"id": task.pk, "why": exc.detail},
                                code=exc.code) from None
    elif action == "priority":
        low, high = PRIORITY_RANGE
        if priority is None or not low <= priority <= high:
            raise DomainError(_("Priority is a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
                              code="invalid_priority")
        Task.objects.filter(pk__in=ids).update(priority=priority)
    elif action in ("gold", "ungold"):
        # One task at a time through the gold rules (answer, status, audit).
        for task in tasks:
            try:
                if action == "gold":
                    gold_mark(task=task, by=actor)
                elif task.is_gold:
                    gold_unmark(task=task, by=actor)
            except DomainError as exc:
                raise type(exc)(_("Task %(id)s: %(why)s Nothing was changed.") % {"id": task.pk, "why": exc.detail},
                                code=exc.code) from None
    elif action == "release":
        leases_revoke(task_ids=ids, now=now)
    else:
        Task.objects.filter(pk__in=ids).update(export_excluded=action == "exclude")
    audit_record(actor=actor, action=Action.TASKS_BULK, project_id=project.pk, target_type="task",
                 target_id=ids[0] if len(ids) == 1 else "",
                 details={"action": action, "count": len(ids), "task_ids": ids,
                          "annotator_id": annotator_id, "priority": priority})
    return len(ids)
