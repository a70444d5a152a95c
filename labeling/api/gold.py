"""Gold tasks for supervisors: list, mark and unmark, and each annotator's results on them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import StrictSerializer
from labeling import gold
from labeling.access import access_project, access_task


class GoldMarkSerializer(StrictSerializer):
    boxes = serializers.ListField(child=serializers.JSONField(), required=False, max_length=5000,
                                  help_text="The verified answer; default: the task's accepted (or fixed) annotation")


class GoldTasksView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "gold.manage")
        return Response({"results": gold.gold_tasks(project=project)})


class GoldResultsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "gold.manage")
        return Response({"results": gold.gold_results(project=project)})


class TaskGoldView(APIView):
    """POST marks the task gold (optional ``boxes``); DELETE makes it a regular task again."""

    @extend_schema(request=GoldMarkSerializer, responses={200: dict})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "gold.manage")
        data = GoldMarkSerializer(data=request.data if request.data is not None else {})
        data.is_valid(raise_exception=True)
        task = gold.gold_mark(task=task, by=request.user, boxes=data.validated_data.get("boxes"))
        return Response({"task": task.pk, "is_gold": True, "status": task.status, "gold_boxes": task.gold_boxes})

    @extend_schema(request=None, responses={200: dict})
    def delete(self, request, task_id: int):
        task = access_task(request.user, task_id, "gold.manage")
        task = gold.gold_unmark(task=task, by=request.user)
        return Response({"task": task.pk, "is_gold": False, "status": task.status})
