from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy

from labeling.models.image import Image
from labeling.models.project import Project


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"  # still needs annotations
        SUBMITTED = "submitted", "Submitted"  # every slot submitted; quality check pending
        REVIEW = "review", gettext_lazy("In review")
        ACCEPTED = "accepted", gettext_lazy("Accepted")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    image = models.OneToOneField(Image, on_delete=models.CASCADE, related_name="task")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    priority = models.IntegerField(default=0)
    is_gold = models.BooleanField(default=False)
    # Boxes [{"label": name, "x", "y", "width", "height"}] in image pixels.
    gold_boxes = models.JSONField(default=list, blank=True)
    # Submitted annotations so far; kept by the services that submit and reject.
    submitted_count = models.PositiveSmallIntegerField(default=0)
    # Set at the first lease and never cleared: the pool prefers started tasks
    # ("finish what is open before opening more") and this keeps that order in
    # the index instead of a join per candidate.
    started = models.BooleanField(default=False)
    # Until when the lease that took the task's last free slot runs: the pool
    # walks such tasks last, so a "next" does not step over every task that
    # the people at work hold (one per person, all at the head of the order).
    # A hint for the order only: the free-slot check decides. Cleared when a
    # slot is given back (skip, take-back, revoke) and by the lease sweep.
    full_until = models.DateTimeField(null=True, blank=True)
    # A supervisor's "leave this one out of datasets" (blurred, off-topic, a
    # client's privacy request); the task keeps its work and its history.
    export_excluded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "submitted", "review", "accepted"]),
                name="task_status_valid",
            ),
        ]
        indexes = [
            # The assignment query: open tasks of a project by priority, then
            # the ones with a free slot, started ones first, then age; the pool
            # walks this index in order.
            models.Index(
                F("project"), F("status"), F("is_gold"), F("priority").desc(), F("full_until").asc(nulls_first=True),
                F("started").desc(), F("id"), name="task_pool",
            ),
            # The lease sweep clears the hints that ran out.
            models.Index(fields=["full_until"], name="task_full_until", condition=Q(full_until__isnull=False)),
            # The task browser's keyset pages: by id and by priority within a project.
            models.Index(fields=["project", "id"], name="task_browse_id"),
            models.Index(fields=["project", "priority", "id"], name="task_browse_priority"),
        ]

    def __str__(self) -> str:
        return f"Task {self.pk}"


class Lease(models.Model):
    """A time-limited claim of one annotator on one task (or a supervisor's assignment)."""

    class Release(models.TextChoices):
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        SKIPPED = "skipped", gettext_lazy("Skipped")
        EXPIRED = "expired", gettext_lazy("Expired")
        REVOKED = "revoked", gettext_lazy("Revoked")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="leases")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leases"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    # Last time active time was credited (heartbeat or save): reported active
    # seconds are capped by the wall time since then.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=10, choices=Release.choices, blank=True)
    # Set when a supervisor assigned the task; such leases do not expire on their own.
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "annotator"],
                condition=Q(released_at__isnull=True),
                name="lease_one_live_per_annotator_task",
            ),
        ]
        indexes = [
            models.Index(fields=["annotator", "released_at", "expires_at"], name="lease_annotator_live"),
            models.Index(fields=["task", "released_at", "expires_at"], name="lease_task_live"),
            # The periodic sweep: unreleased leases by expiry, nothing else.
            models.Index(
                fields=["expires_at"],
                condition=Q(released_at__isnull=True),
                name="lease_unreleased_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Lease of task {self.task_id} to {self.annotator_id}"
