"""Annotator statistics for supervisors: gold accuracy, agreement, pace, rejections, per day.

- gold accuracy: mean gold F1 of the annotator's scored gold submissions;
- agreement: mean F1 against the other annotators of the same tasks;
- tasks per hour: submissions per hour of active labeling time;
- rejection rate: rejections of their work / their submissions.
Days are local calendar days (settings.TIME_ZONE), by submission time for
work and pace, by report time for scores, by decision time for rejections.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils import timezone

from accounts.models import User
from accounts.roles import roles_with
from labeling.models import Annotation, Membership, Project, QualityReport, Review


class _Acc:
    """Sums per (annotator, day)."""

    def __init__(self) -> None:
        self.submitted = 0
        self.active_seconds = 0.0
        self.gold: list[float] = []
        self.agreement: list[float] = []
        self.scores: list[float] = []
        self.rejections = 0

    def add(self, other: "_Acc") -> None:
        self.submitted += other.submitted
        self.active_seconds += other.active_seconds
        self.gold += other.gold
        self.agreement += other.agreement
        self.scores += other.scores
        self.rejections += other.rejections

    def as_dict(self) -> dict:
        def mean(values: list[float]) -> float | None:
            return round(sum(values) / len(values), 4) if values else None

        hours = self.active_seconds / 3600
        return {
            "submitted": self.submitted,
            "gold_tasks": len(self.gold),
            "gold_accuracy": mean(self.gold),
            "agreement": mean(self.agreement),
            "mean_score": mean(self.scores),
            "active_hours": round(hours, 3),
            "tasks_per_hour": round(self.submitted / hours, 2) if hours > 0 else None,
            "rejections": self.rejections,
            "rejection_rate": round(self.rejections / self.submitted, 4) if self.submitted else None,
        }


def _day(moment) -> date:
    return timezone.localtime(moment).date()


def _collect(project: Project, user_id: int | None) -> dict[int, dict[date, _Acc]]:
    acc: dict[int, dict[date, _Acc]] = defaultdict(lambda: defaultdict(_Acc))
    annotations = Annotation.objects.filter(task__project=project, submitted_at__isnull=False)
    if user_id is not None:
        annotations = annotations.filter(annotator_id=user_id)
    owner = {}
    for pk, annotator_id, submitted_at, seconds in annotations.values_list(
        "pk", "annotator_id", "submitted_at", "active_seconds"
    ):
        owner[pk] = annotator_id
        cell = acc[annotator_id][_day(submitted_at)]
        cell.submitted += 1
        cell.active_seconds += seconds
    # The current verdict of each annotation: its newest scored version, as
    # last rescored (a later answer on the task changes everyone's agreement).
    current: dict[int, tuple] = {}
    for annotation_id, finished_at, score, metrics in QualityReport.objects.filter(
        annotation_id__in=list(owner), state=QualityReport.State.DONE
    ).order_by("annotation_version").values_list("annotation_id", "finished_at", "score", "metrics"):
        current[annotation_id] = (finished_at, score, metrics)
    for annotation_id, (finished_at, score, metrics) in current.items():
        cell = acc[owner[annotation_id]][_day(finished_at)]
        cell.scores.append(score)
        if "gold" in metrics:
            cell.gold.append(metrics["gold"]["f1"])
        if "agreement" in metrics:
            cell.agreement.append(metrics["agreement"]["agreement"])
    for annotation_id, created_at in Review.objects.filter(
        annotation_id__in=list(owner), decision=Review.Decision.REJECT
    ).values_list("annotation_id", "created_at"):
        acc[owner[annotation_id]][_day(created_at)].rejections += 1
    return acc


def _summary(days: dict[date, _Acc]) -> tuple[dict, list[dict]]:
    total = _Acc()
    series = []
    for day in sorted(days):
        total.add(days[day])
        series.append({"date": day.isoformat(), **days[day].as_dict()})
    return total.as_dict(), series


def annotator_stats(*, project: Project, user: User) -> dict:
    """One annotator's totals and per-day series in a project."""
    acc = _collect(project, user.pk)
    totals, days = _summary(acc.get(user.pk, {}))
    return {"project": project.pk, "annotator": {"id": user.pk, "username": user.username},
            "totals": totals, "days": days}


def project_stats(*, project: Project) -> dict:
    """Project totals and series, and every annotator's totals and series."""
    acc = _collect(project, None)
    names = dict(User.objects.filter(pk__in=list(acc)).values_list("pk", "username"))
    members = dict(
        Membership.objects.filter(project=project, role__in=roles_with("tasks.annotate")).values_list("user_id", "user__username")
    )
    names.update(members)
    everyone: dict[date, _Acc] = defaultdict(_Acc)
    annotators = []
    for user_id in sorted(names, key=lambda pk: names[pk]):
        days = acc.get(user_id, {})
        for day, cell in days.items():
            everyone[day].add(cell)
        totals, series = _summary(days)
        annotators.append({"id": user_id, "username": names[user_id], "totals": totals, "days": series})
    totals, series = _summary(everyone)
    return {"project": project.pk, "totals": totals, "days": series, "annotators": annotators}
