from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling import members, projects
from labeling.access import access_project, project_roles, visible_projects
from labeling.api.serializers import (
    LabelClassSerializer,
    LabelClassWriteSerializer,
    MembershipSerializer,
    MembershipWriteSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from labeling.models import Project


def _project_out(request, project: Project) -> dict:
    project = projects.projects_with_progress(Project.objects.filter(pk=project.pk)).prefetch_related("labels").get()
    return ProjectSerializer(project, context={"roles": project_roles(request.user)}).data


class ProjectListView(ListAPIView):
    """The caller's projects (every project for admins), paginated."""

    serializer_class = ProjectSerializer
    filter_backends: list = []

    def get_queryset(self):
        return projects.projects_with_progress(
            visible_projects(self.request.user)
        ).prefetch_related("labels").order_by("id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "roles": project_roles(self.request.user)}

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer})
    def post(self, request):
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = projects.project_create(creator=request.user, **data.validated_data)
        return Response(_project_out(request, project), status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    @extend_schema(responses={200: ProjectSerializer})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id)
        return Response(_project_out(request, project))

    @extend_schema(request=ProjectUpdateSerializer, responses={200: ProjectSerializer})
    def patch(self, request, project_id: int):
        project = access_project(request.user, project_id, "project.manage")
        data = ProjectUpdateSerializer(project, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        projects.project_update(project=project, actor=request.user, **data.validated_data)
        return Response(_project_out(request, project))


class ProjectLabelsView(APIView):
    @extend_schema(responses={200: LabelClassSerializer(many=True)})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id)
        return Response(LabelClassSerializer(project.labels.all(), many=True).data)

    @extend_schema(request=LabelClassWriteSerializer, responses={201: LabelClassSerializer})
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "project.manage")
        data = LabelClassWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        label = projects.label_create(project=project, **data.validated_data)
        return Response(LabelClassSerializer(label).data, status=status.HTTP_201_CREATED)


class ProjectMembersView(APIView):
    @extend_schema(responses={200: MembershipSerializer(many=True)})
    def get(self, request, project_id: int):
        project = access_project(request.user, project_id, "members.manage")
        members = project.memberships.select_related("user").order_by("id")
        return Response(MembershipSerializer(members, many=True).data)

    @extend_schema(
        request=MembershipWriteSerializer,
        responses={201: MembershipSerializer, 200: MembershipSerializer},
        description=(
            "Give a user a role in the project: 201 when they join, 200 when an existing member's role "
            "is set. Supervisors may add active users of their own organisation (a group they share); "
            "admins anyone. Any other name answers 404 `unknown_user`, the same as a name nobody has."
        ),
    )
    def post(self, request, project_id: int):
        project = access_project(request.user, project_id, "members.manage")
        data = MembershipWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership, created = members.membership_set(
            project=project, actor=request.user, **data.validated_data
        )
        return Response(
            MembershipSerializer(membership).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
