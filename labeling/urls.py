from django.urls import path

from labeling.api import audit, images, me, projects

urlpatterns = [
    path("users/me/", me.MeView.as_view(), name="user-me"),
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path("projects/<int:project_id>/", projects.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:project_id>/labels/", projects.ProjectLabelsView.as_view(), name="project-labels"),
    path("projects/<int:project_id>/members/", projects.ProjectMembersView.as_view(), name="project-members"),
    path("projects/<int:project_id>/audit/", audit.ProjectAuditView.as_view(), name="project-audit"),
    path("images/<int:image_id>/file/", images.ImageFileView.as_view(), name="image-file"),
    path("images/<int:image_id>/display/", images.ImageDisplayView.as_view(), name="image-display"),
    path("images/<int:image_id>/thumbnail/", images.ImageThumbnailView.as_view(), name="image-thumbnail"),
]
