"""Reading the audit trail: everything to admins.

A project's own trail (``/projects/{id}/audit/``) is served by
``labeling/api/audit.py`` on this module's base view, behind the permission gate.
"""

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAdminUser

from accounts.models import AuditEvent
from config.errors import DomainError


class AuditEventSerializer(serializers.ModelSerializer):
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor_id", "actor_name", "action", "project_id", "target_type", "target_id", "details"]
        read_only_fields = fields


FILTERS = [
    OpenApiParameter("action", OpenApiTypes.STR, description="Only this action, e.g. membership.add"),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only events at or after this time"),
]


def _filtered(queryset, params):
    if params.get("action"):
        queryset = queryset.filter(action=params["action"])
    if params.get("since"):
        since = parse_datetime(params["since"])
        if since is None:
            raise DomainError("since: give an ISO 8601 date and time.", code="invalid_since")
        queryset = queryset.filter(at__gte=since)
    return queryset


class AuditListView(ListAPIView):
    """A filtered, paginated trail; each subclass says which events via ``events()``."""

    serializer_class = AuditEventSerializer
    filter_backends: list = []

    def get_queryset(self):
        return _filtered(self.events(), self.request.query_params)


class AuditView(AuditListView):
    """Every event, newest first (admins)."""

    permission_classes = [IsAdminUser]

    def events(self):
        events = AuditEvent.objects.all()
        project = self.request.query_params.get("project")
        if project:
            if not project.isdigit() or len(project) > 18:
                raise DomainError("project: give a project id.", code="invalid_project")
            events = events.filter(project_id=int(project))
        return events

    @extend_schema(parameters=[*FILTERS, OpenApiParameter("project", OpenApiTypes.INT)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
