from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from labeling.models.annotation import Annotation
from labeling.models.task import Task


class Review(models.Model):
    class Decision(models.TextChoices):
        ACCEPT = "accept", gettext_lazy("Accept")
        REJECT = "reject", gettext_lazy("Reject")
        FIX = "fix", gettext_lazy("Fix and accept")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reviews")
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_made"
    )
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["accept", "reject", "fix"]), name="review_decision_valid"
            ),
        ]
        indexes = [models.Index(fields=["task", "created_at"], name="review_task_time")]

    def __str__(self) -> str:
        return f"{self.decision} of task {self.task_id}"


class QualityReport(models.Model):
    """The automatic checks' verdict on one version of one annotation."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="quality_reports"
    )
    annotation_version = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    score = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Running the job twice yields one report per scored version.
            models.UniqueConstraint(
                fields=["annotation", "annotation_version"], name="quality_one_per_version"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=1)),
                name="quality_score_range",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="quality_state_time")]

    def __str__(self) -> str:
        return f"Quality of {self.annotation_id} v{self.annotation_version}: {self.state}"
