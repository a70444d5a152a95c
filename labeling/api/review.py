"""Review queue, review decisions and annotator stats (supervisors only)."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotFound
from config.query import DB_ID_MAX, IdParam, query_filters
from config.serializers import StrictSerializer
from labeling import review, review_queue, stats
from labeling.access import access_project, access_task
from labeling.counts import project_counts
from labeling.api.palette import with_annotator_colours
from labeling.models import Membership, Review, Task


class ReviewDecisionSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    boxes = serializers.ListField(child=serializers.JSONField(), required=False, max_length=5000)
    annotation = serializers.IntegerField(required=False, min_value=1)
    accept_all = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if data.get("accept_all") and data["decision"] != Review.Decision.ACCEPT:
            raise serializers.ValidationError({"accept_all": ["Only an accept can take every annotation."]},
                                              code="invalid")
        if data["decision"] == Review.Decision.FIX and "boxes" not in data:
            raise serializers.ValidationError({"boxes": ["A fix needs the corrected boxes."]}, code="required")
        if data["decision"] != Review.Decision.FIX and "boxes" in data:
            raise serializers.ValidationError({"boxes": ["Boxes go with a fix only."]}, code="invalid")
        return data


class _VerdictSchema(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    annotation = serializers.IntegerField(required=False, min_value=1)


class AcceptSchema(_VerdictSchema):
    decision = serializers.ChoiceField(choices=[Review.Decision.ACCEPT])
    accept_all = serializers.BooleanField(required=False, default=False)


class RejectSchema(_VerdictSchema):
    decision = serializers.ChoiceField(choices=[Review.Decision.REJECT])


class FixSchema(_VerdictSchema):
    decision = serializers.ChoiceField(choices=[Review.Decision.FIX])
    boxes = serializers.ListField(child=serializers.JSONField(), max_length=5000)


# The request as the schema tells it: boxes are required with a fix and refused
# otherwise, which one flat object cannot say. ReviewDecisionSerializer checks it.
REVIEW_DECISION_SCHEMA = PolymorphicProxySerializer(
    component_name="ReviewDecision",
    serializers={"accept": AcceptSchema, "reject": RejectSchema, "fix": FixSchema},
    resource_type_field_name="decision",
)


class ReviewOutSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")
    task_status = serializers.CharField(source="task.status")

    class Meta:
        model = Review
        fields = ["id", "task", "annotation", "reviewer", "decision", "comment", "created_at", "task_status"]


class ReviewQueueFilterSerializer(serializers.Serializer):
    flag = serializers.RegexField(r"^[a-z_]{1,64}$", required=False, help_text="Only tasks with this flag code")
    annotator = IdParam(required=False, help_text="Only tasks this annotator (user id) worked on")
    task = IdParam(required=False, help_text="Only this task (when it is in review)")


class ReviewQueueItemSerializer(serializers.Serializer):
    """The shape of one queue entry (labeling.review_queue builds it), for the schema."""

    task = serializers.DictField()
    image = serializers.DictField()
    score = serializers.FloatField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    gold_boxes = serializers.ListField(child=serializers.DictField(), allow_null=True)
    annotations = serializers.ListField(child=serializers.DictField())


class ReviewQueueView(GenericAPIView):
    """Tasks in review, worst score first; filter with ``?flag=`` and ``?annotator=``."""

    serializer_class = ReviewQueueItemSerializer
    # For the schema only: rows come from access_project and review_queue.
    queryset = Task.objects.none()

    @extend_schema(parameters=[ReviewQueueFilterSerializer], responses={200: ReviewQueueItemSerializer(many=True)})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "review.work")
        filters = query_filters(request, ReviewQueueFilterSerializer)
        rows = review_queue.review_queue_ids(
            project=project, flag=filters.get("flag"), annotator_id=filters.get("annotator"),
            task_id=filters.get("task"),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(with_annotator_colours(review_queue.review_queue_items(page)))


class TaskReviewView(APIView):
    @extend_schema(request=REVIEW_DECISION_SCHEMA, responses={200: ReviewOutSerializer})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "review.work")
        data = ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = {"task_id": task.pk, "reviewer": request.user, "annotation_id": data.validated_data.get("annotation")}
        decision = data.validated_data["decision"]
        comment = data.validated_data.get("comment", "")
        if decision == Review.Decision.ACCEPT:
            made = review.review_accept(comment=comment, accept_all=data.validated_data["accept_all"], **args)
        elif decision == Review.Decision.REJECT:
            made = review.review_reject(comment=comment, **args)
        else:
            made = review.review_fix(boxes=data.validated_data["boxes"], comment=comment, **args)
        made = Review.objects.select_related("reviewer", "task").get(pk=made.pk)
        return Response(ReviewOutSerializer(made).data)


class ReviewWaitingView(APIView):
    """Tasks waiting for more annotators or for their check, with the queue's counts."""

    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "review.work")
        return Response({"counts": project_counts(project), "results": review_queue.waiting_items(project=project)})


class TaskReviewEarlyView(APIView):
    """Put a waiting task into review now (409 ``not_waiting`` for any other task)."""

    @extend_schema(request=None, responses={200: dict})
    def post(self, request, task_id: int):
        task = access_task(request.user, task_id, "review.work")
        task = review.review_early(task_id=task.pk, reviewer=request.user)
        return Response({"task": task.pk, "status": task.status})


class ProjectStatsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "stats.view")
        return Response(stats.project_stats(project=project))


class AnnotatorStatsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int, user_id: int):
        project = access_project(request.user, project_id, "stats.view")
        membership = None
        if user_id <= DB_ID_MAX:
            membership = Membership.objects.filter(project=project, user_id=user_id).select_related("user").first()
        if membership is None:
            raise NotFound("Not found.")
        return Response(stats.annotator_stats(project=project, user=membership.user))
