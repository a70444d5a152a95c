"""Pages of a team's week: an annotator's own work, and the supervisors' gold tasks."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from annotate.pages.guard import page_access
from labeling.access import access_project
from labeling.gold import gold_results, gold_tasks
from labeling.my_work import my_work


@login_required
def my_work_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Drafts (and why one cannot be resumed), rework waiting, submitted tasks with their state."""
    project = page_access(access_project, request.user, project_id, "tasks.annotate")
    return render(request, "annotate/my_work.html",
                  {"project": project, "work": my_work(project=project, annotator=request.user)})


@login_required
@ensure_csrf_cookie
def gold_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Supervisors: the gold tasks, marking and unmarking them, and each annotator's results."""
    project = page_access(access_project, request.user, project_id, "gold.manage")
    return render(request, "annotate/gold.html", {"project": project, "tasks": gold_tasks(project=project),
                                                  "results": gold_results(project=project)})
