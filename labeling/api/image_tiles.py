"""Deep Zoom tiles of large images, behind the same check as the image bytes."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotFound
from labeling.access import access_image
from labeling.api.image_urls import tiles_url
from labeling.ingest.derivatives import tile_name
from labeling.models import Image


def _tiled(user, image_id: int) -> Image:
    image = access_image(user, image_id)
    if not image.tile_levels:
        raise NotFound(_("This image has no tiles (it is small, or they are not made yet)."), code="no_tiles")
    return image


class ImageDziView(APIView):
    """The Deep Zoom descriptor: tiles are ``{tiles_url}{level}/{col}_{row}.jpg``."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "DeepZoom",
                {
                    "width": serializers.IntegerField(),
                    "height": serializers.IntegerField(),
                    "tile_size": serializers.IntegerField(),
                    "overlap": serializers.IntegerField(),
                    "levels": serializers.IntegerField(),
                    "format": serializers.CharField(),
                    "tiles_url": serializers.CharField(),
                },
            )
        }
    )
    def get(self, request, image_id: int):
        image = _tiled(request.user, image_id)
        return Response(
            {
                "width": image.width,
                "height": image.height,
                "tile_size": image.tile_size,
                "overlap": 0,
                "levels": image.tile_levels,
                "format": "jpg",
                "tiles_url": tiles_url(image.pk),
            }
        )


class ImageTileView(APIView):
    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, image_id: int, level: int, col: int, row: int):
        image = _tiled(request.user, image_id)
        if level >= image.tile_levels:
            raise NotFound(_("No such level."), code="no_tile")
        # The name is built from integers only: nothing from the URL reaches a path as text.
        name = tile_name(image.pk, level, col, row)
        storage = image.file.storage
        if not storage.exists(name):
            raise NotFound(_("No such tile."), code="no_tile")
        response = FileResponse(storage.open(name, "rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Content-Type-Options"] = "nosniff"
        return response
