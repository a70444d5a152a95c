"""Every count a role sees, from one place: home cards, the tool header, datasets, review, stats.

A project's tasks fall in exactly one bucket each. Gold tasks are their own
bucket: they stay in the pool as a yardstick (status ``open``) but are never
"work left". The rest, by where they stand:

- ``to_label``: open, nobody submitted yet;
- ``waiting``: open, some annotators submitted, more are needed (overlap);
- ``checking``: every slot submitted, the quality check is running;
- ``in_review``: waiting for a supervisor;
- ``accepted``: in the dataset.

``done`` = checking + in_review + accepted (every slot submitted). An
annotator's own figures (``annotator_counts``) count their submissions.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from labeling.models import Annotation, AnnotatorTally, Project, Task

_REGULAR = Q(is_gold=False)
BUCKETS: dict[str, Q] = {
    "gold": Q(is_gold=True),
    "to_label": _REGULAR & Q(status=Task.Status.OPEN, submitted_count=0),
    "waiting": _REGULAR & Q(status=Task.Status.OPEN, submitted_count__gt=0),
    "checking": _REGULAR & Q(status=Task.Status.SUBMITTED),
    "in_review": _REGULAR & Q(status=Task.Status.REVIEW),
    "accepted": _REGULAR & Q(status=Task.Status.ACCEPTED),
}
DONE = ("checking", "in_review", "accepted")


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition seen from a related model (``tasks__status`` ...)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [_prefixed(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1]) for c in q.children]
    return out


def projects_with_counts(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``<bucket>_count``, ``task_count`` and ``done_count`` on each project, in one query."""
    annotations = {"task_count": Count("tasks", distinct=True)}
    for name, q in BUCKETS.items():
        annotations[f"{name}_count"] = Count("tasks", filter=_prefixed(q, "tasks__"), distinct=True)
    done = Q()
    for name in DONE:
        done |= _prefixed(BUCKETS[name], "tasks__")
    annotations["done_count"] = Count("tasks", filter=done, distinct=True)
    return queryset.annotate(**annotations)


def counts_of(project: Project) -> dict[str, int]:
    """The buckets of an annotated project (``projects_with_counts``) as a dict."""
    out = {"tasks": project.task_count, **{name: getattr(project, f"{name}_count") for name in BUCKETS}}
    out["done"] = project.done_count
    out["regular"] = out["tasks"] - out["gold"]
    return out


def project_counts(project: Project) -> dict[str, int]:
    """``{tasks, gold, regular, to_label, waiting, checking, in_review, accepted, done}`` of one project."""
    return counts_of(projects_with_counts(Project.objects.filter(pk=project.pk)).get())


# An annotator's submissions in one project (one annotation per task and
# annotator). The rule of ``annotator_counts``; "next" reads the same figures
# in its lock statement (``labeling.assignment.caller``), so the tool's header
# needs no query. Neither walks the person's history. "Today" takes the tasks of
# the person's submissions since the day started (a range scan of
# ``annotation_submitted_by``) and keeps those of the project, looked up by
# key: the cost follows the day's work (a few hundred rows at most). As an
# array of keys rather than a join, so the planner can never hash the
# project's every task instead (it did, with a join, on a 10,000-task project);
# a task counts once per person (``annotation_one_per_annotator``), so counting
# tasks counts submissions. The total is the database's running tally ``h``
# (``AnnotatorTally``, joined by the reader on the person and project; no row
# means nothing yet).
SUBMITTED_TODAY_SQL = (
    f"(SELECT count(*) FROM {Task._meta.db_table} t WHERE t.project_id = %(project)s AND t.id = ANY(ARRAY("
    f"SELECT a.task_id FROM {Annotation._meta.db_table} a"
    " WHERE a.annotator_id = %(user)s AND a.submitted_at >= %(day_start)s)))"
)
SUBMITTED_TOTAL_SQL = "coalesce(h.submitted, 0)"
TALLY_JOIN = (
    f"LEFT JOIN {AnnotatorTally._meta.db_table} h ON h.annotator_id = %(user)s AND h.project_id = %(project)s"
)
_ANNOTATOR_COUNTS = f"SELECT {SUBMITTED_TODAY_SQL}, {SUBMITTED_TOTAL_SQL} FROM (SELECT) one {TALLY_JOIN}"


def annotator_day(now: datetime | None = None) -> tuple[date, datetime]:
    """Today (the calendar day in the site's time zone) and the moment it started."""
    today = timezone.localtime(now or timezone.now()).date()
    return today, timezone.make_aware(datetime.combine(today, time.min))


def annotator_counts_of(today: date, row: tuple[int, int]) -> dict:
    """``{today, total, date}`` from the figures of ``SUBMITTED_TODAY_SQL`` and ``SUBMITTED_TOTAL_SQL``."""
    return {"today": row[0], "total": row[1], "date": today}


def annotator_counts(*, project: Project, annotator: User, now: datetime | None = None) -> dict:
    """An annotator's submissions in the project: ``{today, total, date}``.

    A task counts once, from its first submission (a redo after a rejection
    is the same task). "Today" is the calendar day in the site's time zone.
    """
    today, start = annotator_day(now)
    with connection.cursor() as cursor:
        cursor.execute(_ANNOTATOR_COUNTS, {"day_start": start, "user": annotator.pk, "project": project.pk})
        return annotator_counts_of(today, cursor.fetchone())
