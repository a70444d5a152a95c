"""What a supervisor sees at a glance: where the tasks stand, today's work, what waits for review.

The task counts are ``labeling.counts``' buckets (one definition for every
page); this module adds the two things a supervisor acts on: submits today
and the oldest task waiting in review (a task's ``updated_at`` is when its
status last changed: bulk edits leave it alone). For many projects at once
(the home page) that is two queries, whatever their number.
"""

from datetime import datetime, time

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from labeling.models import Annotation, Task

# The buckets of labeling.counts in the order a task moves through them, gold last.
BARS = [
    ("to_label", _("to label")),
    ("waiting", _("waiting for more annotators")),
    ("checking", _("being checked")),
    ("in_review", _("in review")),
    ("accepted", _("accepted")),
    ("gold", _("gold")),
]


def status_bars(counts: dict[str, int]) -> list[dict]:
    """One segment per bucket: ``{bucket, label, count, percent, offset}`` (percent of all tasks)."""
    total = counts["tasks"]
    bars, offset = [], 0.0
    for bucket, label in BARS:
        n = counts[bucket]
        percent = round(100 * n / total, 2) if total else 0
        bars.append({"bucket": bucket, "label": label, "count": n, "percent": percent, "offset": round(offset, 2)})
        offset += percent
    return bars


def _today_start() -> datetime:
    return datetime.combine(timezone.localdate(), time.min, timezone.get_current_timezone())


def project_activity(project_ids: list[int]) -> dict[int, dict]:
    """Project id -> ``{today, oldest_review}``: submits since midnight, the task longest in review."""
    today = dict(
        Annotation.objects.filter(task__project_id__in=project_ids, submitted_at__gte=_today_start())
        .order_by().values("task__project_id").annotate(n=Count("id")).values_list("task__project_id", "n")
    )
    oldest = {
        row["project_id"]: row
        for row in Task.objects.filter(project_id__in=project_ids, status=Task.Status.REVIEW)
        .order_by("project_id", "updated_at", "id").distinct("project_id").values("project_id", "id", "updated_at")
    }
    return {
        pk: {"today": today.get(pk, 0),
             "oldest_review": {"task_id": oldest[pk]["id"], "since": oldest[pk]["updated_at"]} if pk in oldest else None}
        for pk in project_ids
    }


def dashboard(counts: dict[str, int], activity: dict) -> dict:
    """Everything the dashboard shows for one project, from its counts and its activity."""
    return {"counts": counts, "bars": status_bars(counts), "review_backlog": counts["in_review"], **activity}
