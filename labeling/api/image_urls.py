"""The API addresses of an image's files, built from the routes' names."""

from __future__ import annotations

from django.urls import reverse

from labeling.file_links import file_link
from labeling.image_files import image_file_for


def image_url(kind: str, image_id: int) -> str:
    """``kind``: file, display, thumbnail."""
    return reverse(f"image-{kind}", args=[image_id])


def image_link(image, kind: str) -> str:
    """display, thumbnail: the signed link (``labeling/file_links.py``) where the
    storage has local files, else the route that checks the viewer's access."""
    return file_link(image_file_for(image, kind)) or image_url(kind, image.pk)


def tiles_url(image_id: int) -> str:
    """The Deep Zoom prefix: a tile is ``{tiles_url}{level}/{col}_{row}.jpg``."""
    return reverse("image-tile", args=[image_id, 0, 0, 0]).removesuffix("0/0_0.jpg")
