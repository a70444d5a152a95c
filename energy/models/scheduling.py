from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class DeferredJob(models.Model):
    """A deferrable Celery job: run now, or held here until its cleaner window.

    Held in a table released by beat rather than as a long ETA: ETA tasks sit
    in worker memory and fight the broker's visibility timeout; a table is
    visible and testable.
    """

    class State(models.TextChoices):
        WAITING = "waiting", gettext_lazy("Waiting")
        RELEASED = "released", gettext_lazy("Released")
        FAILED = "failed", gettext_lazy("Failed to queue")

    kind = models.CharField(max_length=64)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    project_id = models.BigIntegerField(null=True, blank=True)
    site = models.ForeignKey("energy.Site", on_delete=models.PROTECT, related_name="deferred_jobs")
    expected_seconds = models.FloatField()
    deadline = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10)  # run_now | deferred
    reason = models.CharField(max_length=32)
    planned_start = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    released_at = models.DateTimeField(null=True, blank=True)
    share_now = models.FloatField(null=True, blank=True)
    share_planned = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["waiting", "released", "failed"]), name="deferred_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["run_now", "deferred"]), name="deferred_decision_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "planned_start"], name="deferred_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.task_name} ({self.decision}, {self.state})"


class SchedulingDecision(models.Model):
    """Every decision taken for a deferrable job, including re-plans at release."""

    job = models.ForeignKey(DeferredJob, on_delete=models.CASCADE, related_name="decisions")
    decided_at = models.DateTimeField()
    decision = models.CharField(max_length=10)
    reason = models.CharField(max_length=32)
    planned_start = models.DateTimeField()
    share_now = models.FloatField(null=True, blank=True)
    share_planned = models.FloatField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)  # tick, threshold, min_gain, deadline

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} ({self.reason}) for job {self.job_id}"
