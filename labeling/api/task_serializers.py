"""Input and output shapes of the task and annotation API."""

import math

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.serializers import StrictSerializer
from labeling.api.serializers import ImageSerializer
from labeling.api.task_payload import iso_datetime
from labeling.models import Annotation, Task


class StrictNumberField(serializers.Field):
    """A JSON number only: no strings, no booleans, no NaN or Infinity."""

    default_error_messages = {"invalid": "A finite number is required.", "min_value": "Must be >= {min_value}."}

    def __init__(self, *, min_value: float | None = None, integer: bool = False, **kwargs) -> None:
        self.min_value, self.integer = min_value, integer
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        kinds = (int,) if self.integer else (int, float)
        if isinstance(data, bool) or not isinstance(data, kinds) or not math.isfinite(data):
            self.fail("invalid")
        if self.min_value is not None and data < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        return data

    def to_representation(self, value):
        return value


class StrictFloatField(StrictNumberField):
    pass


class StrictIntegerField(StrictNumberField):
    def __init__(self, **kwargs) -> None:
        super().__init__(integer=True, **kwargs)


class StrictNumberFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of a strict number, with its lower bound: data the schema allows is never
    refused (a negative ``active_seconds`` was documented as fine, then refused as ``min_value``)."""

    target_class = StrictNumberField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "integer" if self.target.integer else "number"}
        if self.target.min_value is not None:
            schema["minimum"] = self.target.min_value
        return schema


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false only: DRF's own also takes "yes", 1 and "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictCharField(serializers.CharField):
    """A JSON string only: a number where text belongs is a client bug."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class BoxSerializer(serializers.Serializer):
    label = serializers.CharField()
    x = serializers.FloatField()
    y = serializers.FloatField()
    width = serializers.FloatField()
    height = serializers.FloatField()


class PredictionBoxSerializer(BoxSerializer):
    score = serializers.FloatField(required=False)


class PredictionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model_version = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    boxes = PredictionBoxSerializer(many=True)
    created_at = serializers.DateTimeField()


@extend_schema_field(PredictionSerializer(many=True))
class ViewerPredictionsField(serializers.Field):
    """The task's predictions, newest first; absent (not required) for viewers who do not see them (clients)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def get_attribute(self, task: Task) -> list[dict]:
        shown = self.context["predictions"]
        if shown is None:
            raise serializers.SkipField()
        return shown[task.pk]

    def to_representation(self, value: list[dict]) -> list[dict]:
        return value


class TaskSerializer(serializers.ModelSerializer):
    """A task as its viewer sees it; gold status and gold boxes never appear.

    Context: ``leases`` (task id -> the viewer's live lease), ``annotations``
    (task id -> (version, status) of the viewer's annotation) and ``energy``
    (task id -> energy tag), each built in one query for the whole page.
    """

    image = ImageSerializer(read_only=True)
    lease = serializers.SerializerMethodField()
    annotation = serializers.SerializerMethodField()
    energy = serializers.SerializerMethodField()
    predictions = ViewerPredictionsField()

    class Meta:
        model = Task
        fields = ["id", "project", "status", "priority", "image", "lease", "annotation", "energy", "created_at",
                  "predictions"]
        read_only_fields = fields


    def get_lease(self, task: Task) -> dict | None:
        lease = self.context["leases"].get(task.pk)
        if lease is None:
            return None
        return {"expires_at": serializers.DateTimeField().to_representation(lease.expires_at),
                "assigned": lease.assigned_by_id is not None}

    def get_annotation(self, task: Task) -> dict | None:
        mine = self.context["annotations"].get(task.pk)
        return None if mine is None else {"version": mine[0], "status": mine[1]}

    def get_energy(self, task: Task) -> dict:
        return self.context["energy"][task.pk]


class AnnotationSerializer(serializers.ModelSerializer):
    boxes = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "task",
            "annotator",
            "boxes",
            "version",
            "status",
            "review_comment",
            "skip_reason",
            "active_seconds",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(BoxSerializer(many=True))
    def get_boxes(self, annotation: Annotation) -> list[dict]:
        # Services attach ``box_list`` (dicts in the wire shape) when they
        # already hold the boxes; otherwise read them in one query.
        boxes = getattr(annotation, "box_list", None)
        if boxes is not None:
            return boxes
        return [
            {"label": box.label.name, "x": box.x, "y": box.y, "width": box.width, "height": box.height}
            for box in annotation.boxes.select_related("label").order_by("id")
        ]

    def to_representation(self, annotation: Annotation) -> dict:
        # Every save answers with this; built directly, because a ModelSerializer
        # rebuilds its fields for each instance (~1 ms of a save's ~10 ms of CPU).
        # The fields above stay the schema; a test keeps the two equal.
        return {
            "task": annotation.task_id,
            "annotator": annotation.annotator_id,
            "boxes": self.get_boxes(annotation),
            "version": annotation.version,
            "status": annotation.status,
            "review_comment": annotation.review_comment,
            "skip_reason": annotation.skip_reason,
            "active_seconds": float(annotation.active_seconds),
            "submitted_at": iso_datetime(annotation.submitted_at),
            "updated_at": iso_datetime(annotation.updated_at),
        }


class AnnotationWriteSerializer(StrictSerializer):
    # Boxes are checked by the service (labels of this project, image size,
    # finite numbers), so they pass through as raw JSON.
    boxes = serializers.JSONField()
    version = StrictIntegerField(min_value=0)
    active_seconds = StrictFloatField(min_value=0, required=False)
    # The prediction the annotator started from (what changed is recorded on submit).
    from_prediction = StrictIntegerField(min_value=1, required=False, allow_null=True)


class ActiveTimeSerializer(StrictSerializer):
    active_seconds = StrictFloatField(min_value=0, required=False)


class SubmitSerializer(ActiveTimeSerializer):
    """Submit, optionally with the final save and the next task in the same request."""

    boxes = serializers.JSONField(
        required=False,
        help_text="The final save, as in PUT .../annotation/ (send with version): saved and submitted "
                  "in one transaction; bad boxes (400) or a stale version (409) change nothing.",
    )
    version = StrictIntegerField(min_value=0, required=False,
                                 help_text="The version the boxes replace (with boxes only).")
    from_prediction = StrictIntegerField(min_value=1, required=False, allow_null=True,
                                         help_text="As in PUT .../annotation/ (with boxes only).")
    next = StrictBooleanField(required=False, default=False,
                              help_text="true: once the submit committed, the response's next is what "
                                        "POST .../tasks/next/ would answer (null when nothing is left).")


class SkipSerializer(StrictSerializer):
    reason = StrictCharField(allow_blank=True, trim_whitespace=False, max_length=10_000)


class AssignSerializer(StrictSerializer):
    # Not trimmed: usernames hold no spaces, and a trimmed "\u0085" would be refused
    # as blank although the schema allows it; unknown names are refused as such.
    username = StrictCharField(max_length=150, trim_whitespace=False)


class HeartbeatOutSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField()
    assigned = serializers.BooleanField()
    active_seconds = serializers.FloatField()


class ProgressSerializer(serializers.Serializer):
    today = serializers.IntegerField()
    total = serializers.IntegerField()
    date = serializers.DateField()


class NextTaskSerializer(TaskSerializer):
    """The leased task, with the annotator's progress as ``my-progress`` gives it.

    The tool shows the progress on every new task: carried here, it costs one
    query instead of a second request per task.
    """

    progress = ProgressSerializer()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "progress"]
        read_only_fields = fields


class SubmitOutSerializer(AnnotationSerializer):
    """The submitted annotation; with ``next`` asked for, also the caller's next task."""

    # Not read-only: the schema would then list it as always present.
    next = NextTaskSerializer(
        required=False, allow_null=True,
        help_text="Only when the request had next: true. The body of POST .../tasks/next/, or null "
                  "when it would answer 204.",
    )

    class Meta(AnnotationSerializer.Meta):
        fields = [*AnnotationSerializer.Meta.fields, "next"]
        read_only_fields = AnnotationSerializer.Meta.fields
