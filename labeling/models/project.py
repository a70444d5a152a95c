from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    # N distinct annotators per task.
    overlap = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    lease_seconds = models.PositiveIntegerField(
        default=900, validators=[MinValueValidator(30), MaxValueValidator(86400)]
    )
    # Share of each annotator's stream drawn from gold tasks.
    gold_rate = models.FloatField(
        default=0.1, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    iou_threshold = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.05), MaxValueValidator(1.0)]
    )
    # Quality score below which submitted work goes to the review queue.
    review_threshold = models.FloatField(
        default=0.7, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    auto_accept = models.BooleanField(default=False)
    max_boxes_per_image = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    # The energy site whose supply mix this project's work draws on.
    energy_site = models.CharField(max_length=64, default="qinghai-demo")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a supervisor archives the project: nothing is deleted, but it
    # leaves "next" and moves to the bottom of the home page.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="project_overlap_positive"),
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0) & Q(gold_rate__lte=1), name="project_gold_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(lease_seconds__gte=30), name="project_lease_at_least_30s"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class LabelClass(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=100)
    supercategory = models.CharField(max_length=100, blank=True)
    color = models.CharField(max_length=7, default="#e6194b")
    hotkey = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="label_name_unique_in_project"),
            models.UniqueConstraint(
                fields=["project", "hotkey"],
                condition=Q(hotkey__isnull=False),
                name="label_hotkey_unique_in_project",
            ),
            models.CheckConstraint(
                condition=Q(hotkey__isnull=True) | (Q(hotkey__gte=1) & Q(hotkey__lte=9)),
                name="label_hotkey_1_to_9",
            ),
            models.CheckConstraint(
                condition=Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="label_color_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name
