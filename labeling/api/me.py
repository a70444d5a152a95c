"""GET /users/me/: the caller and their projects (served here: memberships are labeling's)."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.roles import Role
from accounts.language import apply_user_language, save_language
from accounts.serializers import PreferencesSerializer, UserSerializer
from labeling.models import Membership


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
            for m in Membership.objects.filter(user=user).select_related("project").order_by("project_id")
        ]


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        request=PreferencesSerializer,
        responses={200: MeSerializer},
        description="Save the caller's interface language (`en`, `zh-hans`; `\"\"` follows the browser). "
        "It applies from this response on, on every device and to API calls without Accept-Language.",
    )
    def patch(self, request):
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "language" in data.validated_data:
            save_language(request.user, data.validated_data["language"])
        apply_user_language(request._request, request.user)
        return Response(MeSerializer(request.user).data)
