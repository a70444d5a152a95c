"""Reads of a project's images, filtered by area and time."""

from datetime import datetime

from django.db.models import QuerySet

from labeling.models import Image, Project

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def image_list(
    *,
    project: Project,
    bbox: BBox | None = None,
    taken_after: datetime | None = None,
    taken_before: datetime | None = None,
) -> QuerySet[Image]:
    """Images of the project, oldest first; a bbox keeps only images with GPS inside it."""
    images = Image.objects.filter(project=project).select_related("task").order_by("id")
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        images = images.filter(
            gps_longitude__gte=min_lon,
            gps_longitude__lte=max_lon,
            gps_latitude__gte=min_lat,
            gps_latitude__lte=max_lat,
        )
    if taken_after is not None:
        images = images.filter(captured_at__gte=taken_after)
    if taken_before is not None:
        images = images.filter(captured_at__lte=taken_before)
    return images
