"""A project's front page for supervisors: its dashboard and where to go next."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotate.pages.guard import page_access
from labeling.access import access_project
from labeling.counts import project_counts
from labeling.dashboard import dashboard, project_activity
from labeling.projects import overlap_warning


@login_required
def project_overview(request: HttpRequest, project_id: int) -> HttpResponse:
    project = page_access(access_project, request.user, project_id, "stats.view")
    return render(request, "annotate/projects/overview.html", {
        "project": project,
        "dash": dashboard(project_counts(project), project_activity([project.pk])[project.pk]),
        "overlap_warning": overlap_warning(project),
    })
