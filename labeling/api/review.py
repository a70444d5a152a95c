"""Review queue, review decisions and annotator stats (supervisors only)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError, NotFound
from config.serializers import StrictSerializer
from labeling import review, review_queue, stats
from labeling.access import access_project, access_task
from labeling.models import Membership, Review


class ReviewDecisionSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    boxes = serializers.ListField(child=serializers.JSONField(), required=False, max_length=5000)
    annotation = serializers.IntegerField(required=False, min_value=1)

    def validate(self, data):
        if data["decision"] == Review.Decision.FIX and "boxes" not in data:
            raise serializers.ValidationError({"boxes": ["A fix needs the corrected boxes."]}, code="required")
        if data["decision"] != Review.Decision.FIX and "boxes" in data:
            raise serializers.ValidationError({"boxes": ["Boxes go with a fix only."]}, code="invalid")
        return data


class ReviewOutSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")
    task_status = serializers.CharField(source="task.status")

    class Meta:
        model = Review
        fields = ["id", "task", "annotation", "reviewer", "decision", "comment", "created_at", "task_status"]


class ReviewQueueView(GenericAPIView):
    """Tasks in review, worst score first; filter with ``?flag=`` and ``?annotator=``."""

    @extend_schema(parameters=[OpenApiParameter("flag", str), OpenApiParameter("annotator", int)],
                   responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "review.work")
        annotator = request.query_params.get("annotator")
        if annotator not in (None, ""):
            try:
                annotator = int(annotator)
            except ValueError:
                raise DomainError("annotator: a user id is required.", code="invalid") from None
        else:
            annotator = None
        rows = review_queue.review_queue_ids(
            project=project, flag=request.query_params.get("flag") or None, annotator_id=annotator
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(review_queue.review_queue_items(page))


class TaskReviewView(APIView):
    @extend_schema(request=ReviewDecisionSerializer, responses={200: ReviewOutSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "review.work")
        data = ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = {"task_id": task.pk, "reviewer": request.user, "annotation_id": data.validated_data.get("annotation")}
        decision = data.validated_data["decision"]
        comment = data.validated_data.get("comment", "")
        if decision == Review.Decision.ACCEPT:
            made = review.review_accept(comment=comment, **args)
        elif decision == Review.Decision.REJECT:
            made = review.review_reject(comment=comment, **args)
        else:
            made = review.review_fix(boxes=data.validated_data["boxes"], comment=comment, **args)
        made = Review.objects.select_related("reviewer", "task").get(pk=made.pk)
        return Response(ReviewOutSerializer(made).data)


class ProjectStatsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "stats.view")
        return Response(stats.project_stats(project=project))


class AnnotatorStatsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int, user_id: int):
        project = access_project(request.user, project_id, "stats.view")
        membership = Membership.objects.filter(project=project, user_id=user_id).select_related("user").first()
        if membership is None:
            raise NotFound("Not found.")
        return Response(stats.annotator_stats(project=project, user=membership.user))
