from django.conf import settings
from django.db import models

from labeling.models.project import Project


class AnnotatorTally(models.Model):
    """One annotator's annotations in one project, counted as they are written.

    "next" reads these figures under the per-person lock
    (``labeling.assignment.caller``); counting the annotations there instead
    walks the person's whole history on every call (bench/README.md,
    "caller_history"). Triggers on the annotation and task tables (migration
    ``0011_annotator_tally``) keep each row equal to a count of the current
    rows, in the transaction that writes them, whatever writes them (services,
    fixed SQL, ``bulk_create``, deletes, the admin): Python never writes here.

    The counts are non-negative integers on purpose: a trigger that took off
    more than it added would fail the write instead of drifting silently.
    """

    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    seen = models.PositiveIntegerField(default=0)  # annotations, whatever their status
    gold = models.PositiveIntegerField(default=0)  # of which on a task that is gold now
    submitted = models.PositiveIntegerField(default=0)  # of which submitted once (submitted_at set)

    class Meta:
        constraints = [
            # The triggers' ON CONFLICT target and the lock statement's lookup.
            models.UniqueConstraint(fields=["annotator", "project"], name="annotator_tally_one_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.annotator_id} in {self.project_id}: {self.seen} seen, {self.submitted} submitted"
