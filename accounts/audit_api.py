"""Reading the audit trail: everything to admins.

A project's own trail (``/projects/{id}/audit/``) is served by
``labeling/api/audit.py`` on this module's base view, behind the permission gate.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAdminUser

from accounts.models import AuditEvent
from config.query import IdParam, query_filters


class AuditEventSerializer(serializers.ModelSerializer):
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor_id", "actor_name", "action", "project_id", "target_type", "target_id", "details"]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=64, help_text="Only this action, e.g. membership.add")
    since = serializers.DateTimeField(required=False, help_text="Only events at or after this time")


class AllAuditFilterSerializer(AuditFilterSerializer):
    project = IdParam(required=False)


class AuditListView(ListAPIView):
    """A filtered, paginated trail; each subclass says which events via ``events()``."""

    serializer_class = AuditEventSerializer
    filter_class = AuditFilterSerializer
    filter_backends: list = []

    def get_queryset(self):
        events = self.events()
        params = query_filters(self.request, self.filter_class)
        for name, lookup in (("action", "action"), ("since", "at__gte"), ("project", "project_id")):
            if name in params:
                events = events.filter(**{lookup: params[name]})
        return events


class AuditView(AuditListView):
    """Every event, newest first (admins)."""

    permission_classes = [IsAdminUser]
    filter_class = AllAuditFilterSerializer

    def events(self):
        return AuditEvent.objects.all()

    @extend_schema(parameters=[AllAuditFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
