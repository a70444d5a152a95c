"""An annotator's own work in a project: drafts, rework waiting, and what they submitted.

Nothing drawn is stranded: every draft is listed with whether "next" will give
it back (``assignment.drafts.DRAFT_STATES`` says why not, when not).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from labeling.assignment.drafts import DRAFT_STATES, draft_state
from labeling.models import Annotation, Lease, Project, QualityReport

# An annotator's view of where a submitted answer stands.
SUBMITTED_STATES = (Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED, Annotation.Status.SUPERSEDED)


def my_work(*, project: Project, annotator: User, now: datetime | None = None) -> dict:
    """``{"drafts": [...], "rework": [...], "submitted": [...], "counts": {...}}``, newest first."""
    now = now or timezone.now()
    rows = list(
        Annotation.objects.filter(task__project=project, annotator=annotator)
        .exclude(status=Annotation.Status.SKIPPED)
        .select_related("task").annotate(n_boxes=Count("boxes"))
        .order_by("-updated_at", "-id")
    )
    live = set(Lease.objects.filter(task__project=project, annotator=annotator, released_at__isnull=True,
                                    expires_at__gt=now).values_list("task_id", flat=True))
    versions = {a.pk: a.version for a in rows if a.status in SUBMITTED_STATES}
    scores = {
        pk: score for pk, version, score in QualityReport.objects.filter(
            annotation_id__in=list(versions), state=QualityReport.State.DONE
        ).values_list("annotation_id", "annotation_version", "score")
        if versions[pk] == version
    }
    drafts, rework, submitted = [], [], []
    for a in rows:
        task = a.task
        task.project = project
        base = {"task": task.pk, "annotation": a.pk, "version": a.version, "boxes": a.n_boxes,
                "updated_at": a.updated_at, "url": f"/annotate/tasks/{task.pk}/"}
        if a.status == Annotation.Status.DRAFT:
            state = draft_state(task=task, annotator_id=annotator.pk, now=now, live=task.pk in live)
            drafts.append({**base, "state": state, "reason": str(DRAFT_STATES[state])})
        elif a.status == Annotation.Status.REJECTED:
            rework.append({**base, "comment": a.review_comment, "leased": task.pk in live})
        else:
            submitted.append({**base, "status": a.status, "task_status": task.status,
                              "submitted_at": a.submitted_at, "score": scores.get(a.pk)})
    return {
        "project": project.pk,
        "drafts": drafts,
        "rework": rework,
        "submitted": submitted,
        "counts": {"drafts": len(drafts), "rework": len(rework), "submitted": len(submitted)},
    }
