"""Model output on tasks: predictions, the model servers that make them, and their runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from labeling.models.annotation import Annotation
from labeling.models.project import Project
from labeling.models.task import Task


class MLBackend(models.Model):
    """A model server of a project, speaking the Label Studio ML backend protocol."""

    class State(models.TextChoices):
        UNKNOWN = "unknown", gettext_lazy("Not checked yet")
        CONNECTED = "connected", gettext_lazy("Connected")
        ERROR = "error", gettext_lazy("Error")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ml_backends")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    # Sent as the Authorization header; write-only in the API.
    auth_header = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UNKNOWN)
    model_version = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    timeout_seconds = models.FloatField(default=30.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="mlbackend_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class ModelRun(models.Model):
    """One prediction or training run of a backend over some tasks (a Celery job)."""

    class Kind(models.TextChoices):
        PREDICT = "predict", gettext_lazy("Prediction")
        TRAIN = "train", gettext_lazy("Training")

    class State(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="model_runs")
    backend = models.ForeignKey(MLBackend, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    task_ids = models.JSONField(default=list)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # [{"task": id, "code": ..., "message": ...}]: what failed, per task.
    errors = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True)
    deferrable = models.BooleanField(default=False)
    deadline = models.DateTimeField(null=True, blank=True)
    schedule = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk} of {self.backend_id}"


class Prediction(models.Model):
    """A model's boxes for one task, in original-image pixels."""

    class Source(models.TextChoices):
        IMPORT = "import", gettext_lazy("COCO import")
        BACKEND = "backend", gettext_lazy("ML backend")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predictions")
    model_version = models.CharField(max_length=200)
    score = models.FloatField(null=True, blank=True)
    # [{"label": name, "x", "y", "width", "height", "score"?}]
    boxes = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    backend = models.ForeignKey(MLBackend, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run = models.ForeignKey(ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A new run of the same version replaces its predictions on that task.
            models.UniqueConstraint(fields=["task", "model_version"], name="prediction_one_per_version"),
            models.CheckConstraint(condition=Q(source__in=["import", "backend"]), name="prediction_source_valid"),
        ]
        indexes = [models.Index(fields=["task", "-created_at"], name="prediction_task_newest")]

    def __str__(self) -> str:
        return f"Prediction {self.pk} ({self.model_version}) of task {self.task_id}"


class PredictionUse(models.Model):
    """An annotation started from a prediction, and (on submit) what the annotator changed."""

    annotation = models.OneToOneField(Annotation, on_delete=models.CASCADE, related_name="prediction_use")
    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="uses")
    # Filled on submit: kept, moved, added, deleted, relabeled, mean_iou, per-box IoU.
    outcome = models.JSONField(null=True, blank=True)
    active_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Annotation {self.annotation_id} from prediction {self.prediction_id}"
