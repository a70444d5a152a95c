from django.urls import path

from labeling.api import exports

urlpatterns = [
    path("projects/<int:project_id>/exports/", exports.ProjectExportsView.as_view(), name="project-exports"),
    path("exports/<int:export_id>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:export_id>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    path("projects/<int:project_id>/coco-import/", exports.CocoImportView.as_view(), name="coco-import"),
]
