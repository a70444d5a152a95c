"""An annotator's own work (drafts, rework, submitted) and taking a lapsed task back."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling import assignment
from labeling.access import access_project, access_task
from labeling.my_work import my_work


class TakeBackOutSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    assigned = serializers.BooleanField()


class MyWorkView(APIView):
    """The caller's drafts (each with ``state`` and ``reason``), rework waiting and submitted tasks."""

    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "tasks.annotate")
        return Response(my_work(project=project, annotator=request.user))


class TaskTakeBackView(APIView):
    """Re-lease a task whose lease lapsed, when its slot is free (409 ``slot_taken``/``task_closed`` if not)."""

    @extend_schema(request=None, responses={200: TakeBackOutSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "tasks.annotate")
        lease = assignment.task_take_back(task=task, annotator=request.user)
        return Response(TakeBackOutSerializer(
            {"task": task.pk, "expires_at": lease.expires_at, "assigned": lease.assigned_by_id is not None}).data)
