from django.utils.translation import gettext as _
"""Serializer base that refuses fields it does not know, and text without NUL."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


class StrictSerializerMixin:
    """Reject unknown keys instead of silently ignoring them (a typo is a 400)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field.")] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


class TextField(serializers.CharField):
    """A CharField whose schema says what DRF refuses: a NUL character (code
    ``null_characters_not_allowed``), so that schema-valid text is never refused."""


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TextField

    def map_serializer_field(self, auto_schema, direction):
        schema = build_basic_type(OpenApiTypes.STR)
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        if self.target.min_length is not None:
            schema["minLength"] = self.target.min_length
        schema["pattern"] = "^[^\\u0000]*$"
        return schema
