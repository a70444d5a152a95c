from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from labeling.models.project import Project


class IngestChunk(models.Model):
    """A slice of one queued ``import_images`` run, worked by one Celery job.

    The command that queues a run polls these rows for progress, so no Celery
    result backend is needed and eager mode (no broker) reports the same way.
    ``results`` grows one entry per file as the job goes, which lets a job
    re-delivered after a worker died carry on after the last recorded file.
    """

    class State(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    run = models.UUIDField(db_index=True)
    seq = models.PositiveIntegerField()
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the workers read: [{"name", "path", "member"?} | {"name", "code", "detail"}].
    files = models.JSONField(default=list)
    results = models.JSONField(default=list)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Which worker process did it ("host:pid") and what it cost, for capacity planning.
    worker = models.CharField(max_length=200, blank=True)
    cpu_seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="ingest_chunk_run_seq_unique")]

    def __str__(self) -> str:
        return f"{self.run} #{self.seq} ({self.state})"
