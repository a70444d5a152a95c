"""What a supervisor sees at a glance: tasks by status, today's work, what waits for review.

Read for many projects at once (the home page) in three queries, whatever
their number: counts by status (an index-only walk of ``task_pool``), today's
submits, and the oldest task waiting in review per project (a task's
``updated_at`` is when its status last changed: bulk edits leave it alone).
"""

from datetime import datetime, time

from django.db.models import Count
from django.utils import timezone

from labeling.models import Annotation, Task

STATUSES = [status for status, _label in Task.Status.choices]


def _today_start() -> datetime:
    return datetime.combine(timezone.localdate(), time.min, timezone.get_current_timezone())


def project_dashboards(project_ids: list[int]) -> dict[int, dict]:
    """Project id -> {total, by_status [(status, label, count, percent)], today, review_backlog, oldest_review}."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in project_ids}
    for row in (Task.objects.filter(project_id__in=project_ids).order_by().values("project_id", "status")
                .annotate(n=Count("id"))):
        counts[row["project_id"]][row["status"]] = row["n"]
    today = dict(
        Annotation.objects.filter(task__project_id__in=project_ids, submitted_at__gte=_today_start())
        .order_by().values("task__project_id").annotate(n=Count("id")).values_list("task__project_id", "n")
    )
    oldest = {
        row["project_id"]: row
        for row in Task.objects.filter(project_id__in=project_ids, status=Task.Status.REVIEW)
        .order_by("project_id", "updated_at", "id").distinct("project_id").values("project_id", "id", "updated_at")
    }
    now = timezone.now()
    result = {}
    labels = dict(Task.Status.choices)
    for pk in project_ids:
        by_status = counts[pk]
        total = sum(by_status.values())
        bars, offset = [], 0.0
        for status in STATUSES:
            n = by_status.get(status, 0)
            percent = round(100 * n / total, 2) if total else 0
            bars.append({"status": status, "label": labels[status], "count": n, "percent": percent,
                         "offset": round(offset, 2)})
            offset += percent
        waiting = oldest.get(pk)
        result[pk] = {
            "total": total,
            "by_status": bars,
            "today": today.get(pk, 0),
            "review_backlog": by_status.get(Task.Status.REVIEW, 0),
            "oldest_review": {"task_id": waiting["id"], "since": waiting["updated_at"],
                              "waiting": now - waiting["updated_at"]} if waiting else None,
        }
    return result
