from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from labeling.models.project import LabelClass
from labeling.models.task import Task


class Annotation(models.Model):
    """One annotator's work on one task: a draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        SKIPPED = "skipped", gettext_lazy("Skipped")
        REJECTED = "rejected", "Rejected"  # back with the annotator, with a comment
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        # Another annotation of the task was chosen: not exported, and not a
        # rejection held against its annotator.
        SUPERSEDED = "superseded", gettext_lazy("Superseded")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped on every write; a write naming an older version is refused (409).
    version = models.PositiveIntegerField(default=0)
    active_seconds = models.FloatField(default=0.0)
    skip_reason = models.CharField(max_length=500, blank=True)
    review_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Never the same task twice to one person.
            models.UniqueConstraint(fields=["task", "annotator"], name="annotation_one_per_annotator"),
            models.CheckConstraint(condition=Q(active_seconds__gte=0), name="annotation_active_nonneg"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "skipped", "rejected", "accepted", "superseded"]),
                name="annotation_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["annotator", "status", "submitted_at"], name="annotation_by_annotator"),
            models.Index(fields=["task", "status"], name="annotation_task_status"),
            # "Submitted today" in the per-person lock statement: a range scan
            # over the day's submissions, whatever the person's history.
            models.Index(fields=["annotator", "submitted_at"], name="annotation_submitted_by",
                         condition=Q(submitted_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Annotation {self.pk} of task {self.task_id} by {self.annotator_id}"


class Box(models.Model):
    """A bounding box in original-image pixels: top-left corner, width, height."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="boxes")
    label = models.ForeignKey(LabelClass, on_delete=models.PROTECT, related_name="boxes")
    x = models.FloatField()
    y = models.FloatField()
    width = models.FloatField()
    height = models.FloatField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(width__gt=0) & Q(height__gt=0), name="box_size_positive"),
            models.CheckConstraint(condition=Q(x__gte=0) & Q(y__gte=0), name="box_origin_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.label_id} [{self.x}, {self.y}, {self.width}, {self.height}]"


class AnnotationHistory(models.Model):
    """A snapshot of an annotation after each write."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10)
    action = models.CharField(max_length=20)  # save, submit, skip, reject, fix, import
    boxes = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["annotation", "version", "id"]
        indexes = [models.Index(fields=["annotation", "version"], name="history_annotation_version")]

    def __str__(self) -> str:
        return f"{self.annotation_id} v{self.version} {self.action}"
