"""Supervisor pages for images: the upload page and the map of capture points."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from annotate.image_map import draw_map
from annotate.pages.guard import page_access
from annotate.pages.task_links import task_url
from labeling.access import access_project
from labeling.models import Image, Project, Task

# Rows listed under the map; the map itself shows every point.
TABLE_ROWS = 300


def _project(request: HttpRequest, project_id: int, capability: str) -> Project:
    return page_access(access_project, request.user, project_id, capability)


@login_required
@ensure_csrf_cookie
def images_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, "images.upload")
    context = {
        "project": project,
        "max_file_bytes": settings.INGEST_MAX_FILE_BYTES,
        "max_request_bytes": settings.INGEST_MAX_REQUEST_BYTES,
        # Small batches: progress stays smooth and one failed request loses little.
        "batch_files": min(4, settings.INGEST_MAX_FILES_PER_REQUEST),
        "batch_bytes": min(48 * 1024 * 1024, settings.INGEST_MAX_REQUEST_BYTES),
        "parallel": settings.INGEST_UPLOAD_PARALLEL,
        "image_count": project.images.count(),
    }
    return render(request, "annotate/images_upload.html", context)


@login_required
def images_map(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, "tasks.view_all")
    rows = list(
        Image.objects.filter(project=project, gps_latitude__isnull=False, gps_longitude__isnull=False)
        .order_by("captured_at", "id")
        .values(
            "id", "original_name", "gps_latitude", "gps_longitude", "gps_altitude",
            "relative_altitude", "captured_at", "task__id", "task__status",
        )
    )
    without_gps = project.images.filter(gps_latitude__isnull=True).count()
    context = {
        "project": project,
        "drawing": draw_map(_with_task_links(rows, project.pk)),
        "rows": rows[:TABLE_ROWS],
        "row_count": len(rows),
        "table_limit": TABLE_ROWS,
        "without_gps": without_gps,
    }
    return render(request, "annotate/images_map.html", context)


def _with_task_links(rows: list[dict], project_id: int) -> list[dict]:
    """Each row's task status in words of the page's language (the code stays for the CSS
    class), and where its point and link lead."""
    labels = dict(Task.Status.choices)
    for row in rows:
        row["task_status_label"] = labels.get(row.get("task__status"), row.get("task__status"))
        if row.get("task__id"):
            row["task_url"] = task_url(project_id=project_id, task_id=row["task__id"],
                                       status=row["task__status"], image_id=row["id"])
    return rows
