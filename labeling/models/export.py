from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from labeling.models.project import Project


class Export(models.Model):
    """One numbered dataset version of a project."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")
        EXPIRED = "expired", gettext_lazy("Expired")

    class Selection(models.TextChoices):
        ACCEPTED = "accepted", gettext_lazy("Accepted only")
        SUBMITTED = "submitted", gettext_lazy("Submitted and accepted")
        ALL = "all", gettext_lazy("All tasks")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exports")
    version = models.PositiveIntegerField()
    format = models.CharField(max_length=10, default="coco")
    selection = models.CharField(
        max_length=10, choices=Selection.choices, default=Selection.ACCEPTED
    )
    include_images = models.BooleanField(default=False)
    zero_based_categories = models.BooleanField(default=False)
    # Gold tasks go in with their verified boxes unless the request says not to.
    include_gold = models.BooleanField(default=True)
    # Deferrable exports wait in energy's DeferredJob table, not in the broker.
    deferrable = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    # Each run claims the row by raising ``attempts`` (compare-and-set); only
    # the holder of the current attempt may write progress, file or state.
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    byte_size = models.PositiveBigIntegerField(default=0)
    image_count = models.PositiveIntegerField(default=0)
    annotation_count = models.PositiveIntegerField(default=0)
    category_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="export_version_unique"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="export_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"
