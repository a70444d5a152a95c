from django.urls import path

from labeling.api import exports, imports

urlpatterns = [
    path("projects/<int:project_id>/exports/", exports.ProjectExportsView.as_view(), name="project-exports"),
    path("exports/<int:export_id>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:export_id>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    path("projects/<int:project_id>/coco-import/", imports.DatasetImportView.as_view(), name="coco-import"),
    path("projects/<int:project_id>/dataset-import/", imports.DatasetImportView.as_view(),
         name="dataset-import"),
]
