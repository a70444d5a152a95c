"""The dataset page of a project: accepted work, export versions, requests and downloads."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from annotate.pages.guard import page_access
from labeling.access import access_project, has_capability
from labeling.export.jobs import export_download_name
from labeling.counts import project_counts
from labeling.models import Export


@login_required
@ensure_csrf_cookie
def datasets(request: HttpRequest, project_id: int) -> HttpResponse:
    """For clients, supervisors and admins: everyone else gets the API's 404 / 403 as pages."""
    project = page_access(access_project, request.user, project_id, "exports.download")
    counts = project_counts(project)
    exports = list(project.exports.select_related("requested_by").order_by("-version"))
    for export in exports:
        export.download_name = export_download_name(export)
        export.state_label = export.get_state_display()
        export.selection_label = export.get_selection_display()
    return render(request, "annotate/datasets.html", {
        "project": project,
        "counts": counts,
        "exports": exports,
        "active_states": [Export.State.PENDING, Export.State.RUNNING],
        "can_create": has_capability(request.user, project.pk, "exports.create"),
    })
