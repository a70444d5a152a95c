"""The energy figures of a project and of a task, through the permission gate."""

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling.energy_reads import project_energy_report_for, task_energy_for


class ProjectEnergyView(APIView):
    """The project's green report: supervisors and admins see everything; clients see totals, not people."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, project_id: int):
        return Response(project_energy_report_for(request.user, project_id))


class TaskEnergyView(APIView):
    """One task's energy tag with its components and supply sources."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, task_id: int):
        return Response(task_energy_for(request.user, task_id))
