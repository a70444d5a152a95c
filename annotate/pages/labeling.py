"""The labeling pages: the box tool for the next task of a project, or for one task.

The pages only hand the tool its bearings (project, task, user); the tool talks
to the REST API for everything else, so the browser and scripts share one path.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie

from annotate.pages.guard import page_access
from labeling.access import access_project, access_task
from labeling.models import Project


# Fetched in parallel with app.js instead of one by one as the imports are found.
TOOL_MODULES = ["annotate/http.js"] + [
    f"annotate/tool/{name}.js"
    for name in [
        "activity", "api", "autosave", "boxlist", "drafts", "editor", "geometry", "help", "history", "ids",
        "interactions", "lapsed", "lease", "messages", "predictions", "shortcuts", "stage", "status", "tiles",
    ]
]


def _tool_context(request: HttpRequest, project: Project, task_id: int | None) -> dict:
    return {
        "project": project,
        "tool_modules": TOOL_MODULES,
        "tool_config": {
            "projectId": project.pk,
            "taskId": task_id,
            "userId": request.user.pk,
            "username": request.user.get_username(),
            "projectUrl": reverse("labeling", args=[project.pk]),
            "taskUrlTemplate": reverse("labeling-task", args=[0]).replace("/0/", "/{id}/"),
            "heartbeatMs": int(settings.LABELING_TOOL_HEARTBEAT_SECONDS * 1000),
            "idleMs": int(settings.LABELING_TOOL_IDLE_SECONDS * 1000),
        },
    }


@login_required
@ensure_csrf_cookie
def labeling_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Lease the next task of the project (in the page) and show it; "all done" when none."""
    project = page_access(access_project, request.user, project_id, "tasks.annotate")
    return render(request, "annotate/labeling/tool.html", _tool_context(request, project, None))


@login_required
@ensure_csrf_cookie
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """One given task, e.g. after a reload or when it came back rejected."""
    task = page_access(access_task, request.user, task_id, "tasks.annotate")
    return render(request, "annotate/labeling/tool.html", _tool_context(request, task.project, task.pk))
