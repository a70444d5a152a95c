from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from labeling.access import capabilities_held, may_create_projects, project_roles, visible_projects
from labeling.counts import counts_of
from labeling.dashboard import dashboard, project_activity
from labeling.projects import projects_with_progress

# The project pages linked from the home page, each behind the capability its
# view asks the gate for; the first one a user may open is their main button.
PROJECT_PAGES = [
    # (capability, url name, text, data-testid of the main button)
    ("review.work", "review-page", _("Review queue"), "open-review"),
    ("tasks.annotate", "labeling", _("Start labeling"), "open-labeling"),
    ("tasks.annotate", "my-work-page", _("My work"), "open-my-work"),
    ("exports.download", "project-datasets", _("Datasets"), "open-datasets"),
    ("stats.view", "project-overview", _("Overview"), ""),
    ("tasks.view_all", "task-browser", _("Tasks"), ""),
    ("project.manage", "project-settings", _("Settings"), ""),
    ("stats.view", "stats-page", _("Annotator stats"), ""),
    ("gold.manage", "gold-page", _("Gold tasks"), ""),
    ("images.upload", "images-upload", _("Add images"), ""),
    ("tasks.view_all", "images-map", _("Capture map"), ""),
    ("energy.report", "project-energy-page", _("Green report"), ""),
]


def _links(held: frozenset[str], project_id: int, archived: bool) -> list[dict]:
    return [
        {"url": reverse(name, args=[project_id]), "text": text, "testid": testid}
        for capability, name, text, testid in PROJECT_PAGES
        # An archived project hands out no work: no "Start labeling" for it.
        if capability in held and not (archived and capability == "tasks.annotate")
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My projects, with progress, my role in each and the pages my role opens; archived ones last."""
    roles = project_roles(request.user)
    projects = list(projects_with_progress(visible_projects(request.user)).order_by("id"))
    activity = project_activity([project.pk for project in projects])
    rows, archived = [], []
    for project in projects:
        role = roles.get(project.pk)
        held = capabilities_held(request.user, role)
        links = _links(held, project.pk, project.is_archived)
        if not links:
            continue
        (archived if project.is_archived else rows).append({
            "project": project,
            "role": role or "admin",
            "role_label": Role(role).label if role else _("Admin"),
            "counts": counts_of(project),
            "main": links[:1],
            "more": links[1:],
            "dash": dashboard(counts_of(project), activity[project.pk]),
            "full": "review.work" in held,
        })
    return render(request, "annotate/home.html", {
        "rows": rows, "archived": archived, "may_create": may_create_projects(request.user),
    })
