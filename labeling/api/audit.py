"""A project's audit trail, for those its roles allow (supervisors of the project, admins)."""

from drf_spectacular.utils import extend_schema

from accounts.audit_api import AuditFilterSerializer, AuditListView
from accounts.models import AuditEvent
from labeling.access import access_project


class ProjectAuditView(AuditListView):
    """The project's trail, newest first."""

    def events(self):
        project = access_project(self.request.user, self.kwargs["project_id"], "audit.view")
        return AuditEvent.objects.filter(project_id=project.pk)

    @extend_schema(parameters=[AuditFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
