from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, User
from accounts.roles import Role
from config.serializers import StrictSerializer


class UserSerializer(serializers.ModelSerializer):
    # Blank for many users: documented as a plain string, not format "email".
    email = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "device_watts"]
        read_only_fields = fields


class MyProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(UserSerializer):
    projects = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = UserSerializer.Meta.fields + ["projects"]
        read_only_fields = fields

    @extend_schema_field(MyProjectSerializer(many=True))
    def get_projects(self, user: User) -> list[dict]:
        return [
            {"id": m.project_id, "name": m.project.name, "role": m.role}
            for m in user.memberships.select_related("project").order_by("project_id")
        ]


class UserCreateSerializer(StrictSerializer):
    username = serializers.RegexField(r"^[\w.@+-]{1,150}$", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    is_staff = serializers.BooleanField(required=False, default=False)


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


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
