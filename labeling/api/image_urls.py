"""The API addresses of an image's files, built from the routes' names."""

from __future__ import annotations

from django.urls import reverse


def image_url(kind: str, image_id: int) -> str:
    """``kind``: file, display, thumbnail."""
    return reverse(f"image-{kind}", args=[image_id])


def tiles_url(image_id: int) -> str:
    """The Deep Zoom prefix: a tile is ``{tiles_url}{level}/{col}_{row}.jpg``."""
    return reverse("image-tile", args=[image_id, 0, 0, 0]).removesuffix("0/0_0.jpg")
