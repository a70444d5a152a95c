from rest_framework import serializers

from accounts.roles import Role
from config.errors import DomainError
from config.serializers import StrictModelSerializer, StrictSerializer, TextField
from labeling import label_names
from labeling.api.image_urls import image_link, image_url, tiles_url
from labeling.counts import counts_of
from labeling.models import Image, LabelClass, Membership, Project


class DisplayNamesField(serializers.DictField):
    """Language code -> display name (``settings.LABEL_NAME_LANGUAGES``); checked by labeling.label_names."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(allow_blank=True, max_length=label_names.MAX_LENGTH), **kwargs)

    def to_internal_value(self, data):
        try:
            return label_names.clean_display_names(super().to_internal_value(data), keep_empty=True)
        except DomainError as error:
            raise serializers.ValidationError(error.detail, code=error.code) from None


class LabelClassSerializer(StrictModelSerializer):
    display_names = DisplayNamesField(required=False)
    display_name = serializers.SerializerMethodField(
        help_text="The name in the request's language, else the canonical name."
    )

    class Meta:
        model = LabelClass
        fields = ["id", "name", "display_name", "display_names", "supercategory", "color", "hotkey", "order"]
        read_only_fields = ["id"]
        # Uniqueness is checked by the service, which knows the project.
        validators: list = []

    def get_display_name(self, label: LabelClass) -> str:
        return label_names.display_name(label)


class LabelClassWriteSerializer(StrictSerializer):
    name = TextField(max_length=100)
    display_names = DisplayNamesField(required=False)
    supercategory = TextField(max_length=100, required=False, allow_blank=True)
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    hotkey = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)


class LabelDisplayNamesSerializer(StrictSerializer):
    """PATCH of one label's display names: an empty name removes that language's."""

    display_names = DisplayNamesField()


PROJECT_SETTINGS = [
    "description",
    "overlap",
    "lease_seconds",
    "gold_rate",
    "iou_threshold",
    "review_threshold",
    "auto_accept",
    "max_boxes_per_image",
    "energy_site",
]


class ProjectSerializer(serializers.ModelSerializer):
    labels = LabelClassSerializer(many=True, read_only=True)
    role = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "slug", *PROJECT_SETTINGS, "labels", "role", "progress", "created_at"]
        read_only_fields = fields

    def get_role(self, project: Project) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(project.pk)

    def get_progress(self, project: Project) -> dict:
        if not hasattr(project, "task_count"):
            return dict.fromkeys(["tasks", "done", "in_review", "accepted"])
        return counts_of(project)


class ProjectCreateSerializer(StrictModelSerializer):
    labels = LabelClassWriteSerializer(many=True, required=False)
    slug = serializers.SlugField(max_length=80, required=False)

    class Meta:
        model = Project
        fields = ["name", "slug", *PROJECT_SETTINGS, "labels"]


class ProjectUpdateSerializer(StrictModelSerializer):
    class Meta:
        model = Project
        fields = ["name", *PROJECT_SETTINGS]


class ImageSerializer(serializers.ModelSerializer):
    """An image as clients see it: sizes, metadata and permission-checked URLs."""

    url = serializers.SerializerMethodField()
    display_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    tiles_url = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = [
            "id",
            "width",
            "height",
            "format",
            "byte_size",
            "sha256",
            "gps_latitude",
            "gps_longitude",
            "gps_altitude",
            "relative_altitude",
            "captured_at",
            "derivatives",
            "tile_levels",
            "tile_size",
            "url",
            "display_url",
            "thumbnail_url",
            "tiles_url",
        ]
        read_only_fields = fields

    def get_url(self, image: Image) -> str:
        return image_url("file", image.pk)

    def get_display_url(self, image: Image) -> str:
        return image_link(image, "display")

    def get_thumbnail_url(self, image: Image) -> str:
        return image_link(image, "thumbnail")

    def get_tiles_url(self, image: Image) -> str | None:
        # Deep Zoom layout: {tiles_url}{level}/{col}_{row}.jpg
        return tiles_url(image.pk) if image.tile_levels else None


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    user_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user_id", "username", "role", "created_at"]
        read_only_fields = fields


class MembershipWriteSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
