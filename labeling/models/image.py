from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from labeling.models.project import Project


def image_upload_to(instance: "Image", filename: str) -> str:
    # Stored names come from the content hash, never from the uploader's name.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"images/{instance.project_id}/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class Image(models.Model):
    class Derivatives(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        READY = "ready", gettext_lazy("Ready")
        FAILED = "failed", gettext_lazy("Failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=image_upload_to, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10, blank=True)
    # Size after EXIF orientation, as the image is seen and annotated.
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    byte_size = models.PositiveBigIntegerField()
    gps_latitude = models.FloatField(null=True, blank=True)
    gps_longitude = models.FloatField(null=True, blank=True)
    gps_altitude = models.FloatField(null=True, blank=True)
    relative_altitude = models.FloatField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    thumbnail = models.FileField(max_length=255, blank=True)
    display = models.FileField(max_length=255, blank=True)
    # Deep Zoom pyramid: levels > 0 when tiles exist, under tiles/<image id>/.
    tile_levels = models.PositiveSmallIntegerField(default=0)
    tile_size = models.PositiveSmallIntegerField(default=512)
    derivatives = models.CharField(
        max_length=10, choices=Derivatives.choices, default=Derivatives.PENDING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="image_unique_bytes_in_project"),
            models.CheckConstraint(condition=Q(width__gt=0) & Q(height__gt=0), name="image_size_positive"),
            models.CheckConstraint(
                condition=Q(gps_latitude__isnull=True) | (Q(gps_latitude__gte=-90) & Q(gps_latitude__lte=90)),
                name="image_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(gps_longitude__isnull=True)
                | (Q(gps_longitude__gte=-180) & Q(gps_longitude__lte=180)),
                name="image_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "captured_at"], name="image_project_captured"),
            models.Index(fields=["project", "gps_latitude", "gps_longitude"], name="image_project_gps"),
        ]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]
