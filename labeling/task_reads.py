"""Reads for the task API: per-viewer context in a fixed number of queries."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from energy.services import task_energy_tags
from labeling.access import visible_tasks
from labeling.counts import annotator_counts
from labeling.models import Annotation, Lease, Membership, Project, Task
from labeling.predictions.reads import predictions_visible, task_predictions

# ``role`` of task_view_context when the caller does not know it.
ROLE_UNKNOWN = object()


def task_view_context(
    *,
    viewer: User,
    task_ids: list[int],
    leases: list[Lease] | None = None,
    annotations: dict[int, tuple[int, str]] | None = None,
    now: datetime | None = None,
    role: str | None | object = ROLE_UNKNOWN,
) -> dict:
    """The serializer context for these tasks (of one project): 4 queries whatever their number.

    Pass ``leases`` (the viewer's live leases of these tasks) and
    ``annotations`` (task id -> (version, status) of the viewer's) when they
    are already known, as after "next", to save those queries; likewise the
    viewer's ``role`` in the project (it decides whether predictions show).
    """
    now = now or timezone.now()
    if leases is None:
        leases = list(
            Lease.objects.filter(task_id__in=task_ids, annotator=viewer, released_at__isnull=True, expires_at__gt=now)
        )
    if annotations is None:
        annotations = {
            task_id: (version, status)
            for task_id, version, status in Annotation.objects.filter(
                task_id__in=task_ids, annotator=viewer
            ).values_list("task_id", "version", "status")
        }
    if role is ROLE_UNKNOWN:
        role = Membership.objects.filter(user=viewer, project__tasks__id__in=task_ids[:1]).values_list(
            "role", flat=True).first() if task_ids and viewer.is_authenticated else None
    return {
        "leases": {lease.task_id: lease for lease in leases},
        "annotations": annotations,
        "energy": task_energy_tags(list(task_ids)),
        # None: this viewer's representation has no predictions at all.
        "predictions": task_predictions(list(task_ids)) if predictions_visible(viewer, role) else None,
    }


def project_tasks_for(*, viewer: User, project: Project, status: str | None = None) -> QuerySet[Task]:
    """Tasks of the project the viewer may list (see ``visible_tasks``), oldest first."""
    tasks = visible_tasks(viewer, project)
    if status:
        tasks = tasks.filter(status=status)
    return tasks.order_by("id")


def annotator_progress(*, project: Project, annotator: User, now: datetime | None = None) -> dict:
    """How many of the project's tasks the annotator submitted today and ever (``labeling.counts``)."""
    return annotator_counts(project=project, annotator=annotator, now=now)
