"""Task distribution and annotation endpoints: thin views over the services."""

from django.utils.translation import gettext

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.errors import DomainError, NotFound
from config.query import IdParam, query_filters
from labeling import annotations, assignment, task_reads
from labeling.access import access_project, access_task
from labeling.api.task_payload import task_payload
from labeling.api.task_serializers import (
    ActiveTimeSerializer,
    AnnotationSerializer,
    AnnotationWriteSerializer,
    AssignSerializer,
    HeartbeatOutSerializer,
    NextTaskSerializer,
    ProgressSerializer,
    SkipSerializer,
    SubmitOutSerializer,
    SubmitSerializer,
    TaskSerializer,
)
from labeling.models import Task
from labeling.predictions.uses import prediction_of_task


class AnnotatorParamSerializer(serializers.Serializer):
    annotator = IdParam(required=False, help_text="Supervisors: whose annotation (user id); default your own.")


class TaskStatusParamSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)


def _tasks_out(user, tasks: list[Task], role, leases=None, annotations=None) -> list[dict]:
    context = task_reads.task_view_context(
        viewer=user, task_ids=[task.pk for task in tasks], leases=leases, annotations=annotations, role=role
    )
    # Same shape as TaskSerializer (the schema), built cheaply: a test keeps them equal.
    return [task_payload(task, context) for task in tasks]


def _valid(serializer_class, data):
    serializer = serializer_class(data=data if data is not None else {})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _next_task_out(user, lease) -> dict | None:
    """The body of "next" (NextTaskSerializer's shape) for a lease from ``task_lease_next``; None for none."""
    if lease is None:
        return None
    state = getattr(lease, "annotation_state", None)
    known = {lease.task_id: state} if state else None
    payload = _tasks_out(user, [lease.task], "annotator", leases=[lease], annotations=known)[0]
    # Read with the per-person lock of "next" (labeling/assignment/caller.py).
    payload["progress"] = ProgressSerializer(lease.progress).data
    return payload


class TaskNextView(APIView):
    @extend_schema(request=None, responses={200: NextTaskSerializer, 204: None})
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "tasks.annotate")
        lease = assignment.task_lease_next(project=project, annotator=request.user)
        payload = _next_task_out(request.user, lease)
        if payload is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(payload)


class TaskDetailView(APIView):
    @extend_schema(responses={200: TaskSerializer})
    def get(self, request, task_id: int):
        task = access_task(request.user, task_id, "project.view")
        role = getattr(task, "_viewer_role", (None, None))[1]
        return Response(_tasks_out(request.user, [task], role)[0])


def _target_annotator(request, task_id: int, capability: str) -> tuple[Task, User, bool]:
    """The task and whose annotation the request is about (own, or ?annotator= for supervisors)."""
    wanted = query_filters(request, AnnotatorParamSerializer).get("annotator")
    if wanted is None or wanted == request.user.pk:
        return access_task(request.user, task_id, capability), request.user, False
    task = access_task(request.user, task_id, "review.work")
    annotator = User.objects.filter(pk=wanted).first()
    if annotator is None:
        raise NotFound(gettext("No annotation of this task by that annotator."), code="no_annotation")
    return task, annotator, True


class AnnotationView(APIView):
    @extend_schema(parameters=[AnnotatorParamSerializer], responses={200: AnnotationSerializer})
    def get(self, request, task_id: int):
        task, annotator, _ = _target_annotator(request, task_id, "project.view")
        return Response(AnnotationSerializer(annotations.annotation_get(task=task, annotator=annotator)).data)

    @extend_schema(parameters=[AnnotatorParamSerializer], request=AnnotationWriteSerializer,
                   responses={200: AnnotationSerializer})
    def put(self, request, task_id: int):
        task, annotator, _ = _target_annotator(request, task_id, "tasks.annotate")
        data = _valid(AnnotationWriteSerializer, request.data)
        started = {}
        if "from_prediction" in data:
            # Checked before the save: a foreign prediction id changes nothing.
            started["from_prediction"] = prediction_of_task(task, data["from_prediction"])
        annotation = annotations.annotation_save(
            task=task,
            author=request.user,
            annotator=annotator,
            boxes=data["boxes"],
            expected_version=data["version"],
            active_seconds=data.get("active_seconds"),
            **started,
        )
        return Response(AnnotationSerializer(annotation).data)


class TaskSubmitView(APIView):
    @extend_schema(request=SubmitSerializer, responses={200: SubmitOutSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "tasks.annotate")
        data = _valid(SubmitSerializer, request.data)
        final_save = {}
        if "from_prediction" in data:
            # Checked before anything is written: a foreign prediction id changes nothing.
            final_save["from_prediction"] = prediction_of_task(task, data["from_prediction"])
        annotation, lease = annotations.annotation_submit_then_next(
            task=task, author=request.user, take_next=data["next"], active_seconds=data.get("active_seconds"),
            boxes=data.get("boxes"), expected_version=data.get("version"), **final_save,
        )
        body = AnnotationSerializer(annotation).data
        if data["next"]:
            body["next"] = _next_task_out(request.user, lease)
        return Response(body)


class TaskSkipView(APIView):
    @extend_schema(request=SkipSerializer, responses={200: AnnotationSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "tasks.annotate")
        data = _valid(SkipSerializer, request.data)
        annotation = annotations.annotation_skip(task=task, author=request.user, reason=data["reason"])
        return Response(AnnotationSerializer(annotation).data)


class TaskHeartbeatView(APIView):
    @extend_schema(request=ActiveTimeSerializer, responses={200: HeartbeatOutSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "tasks.annotate")
        data = _valid(ActiveTimeSerializer, request.data)
        lease = assignment.lease_renew(task=task, annotator=request.user, active_seconds=data.get("active_seconds"))
        return Response(HeartbeatOutSerializer(
            {"expires_at": lease.expires_at, "assigned": lease.assigned_by_id is not None,
             "active_seconds": lease.active_seconds_total}
        ).data)


class TaskAssignView(APIView):
    @extend_schema(request=AssignSerializer, responses={201: TaskSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "tasks.assign")
        data = _valid(AssignSerializer, request.data)
        annotator = User.objects.filter(username=data["username"]).first()
        if annotator is None:
            raise DomainError(gettext("%(username)s is not an annotator of this project.") % {"username": data['username']}, code="not_an_annotator")
        lease = assignment.task_assign(task=task, annotator=annotator, assigned_by=request.user)
        return Response(
            {"task": task.pk, "annotator": annotator.username,
             "lease": {"expires_at": HeartbeatOutSerializer().fields["expires_at"].to_representation(lease.expires_at),
                       "assigned": True}},
            status=status.HTTP_201_CREATED,
        )


class ProjectTasksView(GenericAPIView):
    serializer_class = TaskSerializer
    # For the schema only: rows come from access_project and project_tasks_for.
    queryset = Task.objects.none()

    @extend_schema(
        parameters=[TaskStatusParamSerializer],
        responses={200: TaskSerializer(many=True)},
    )
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "project.view")
        wanted = query_filters(request, TaskStatusParamSerializer).get("status")
        # The count runs on this narrow queryset; the page then loads images.
        tasks = task_reads.project_tasks_for(viewer=request.user, project=project, status=wanted)
        page = self.paginate_queryset(tasks.select_related("image"))
        return self.get_paginated_response(_tasks_out(request.user, page, getattr(project, "_role", None)))


class MyProgressView(APIView):
    @extend_schema(responses={200: ProgressSerializer})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "project.view")
        return Response(ProgressSerializer(task_reads.annotator_progress(project=project, annotator=request.user)).data)
