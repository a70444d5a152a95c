from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from labeling.access import capabilities_held, project_roles, visible_projects
from labeling.counts import counts_of
from labeling.projects import projects_with_progress

# The project pages linked from the home page, each behind the capability its
# view asks the gate for; the first one a user may open is their main button.
PROJECT_PAGES = [
    # (capability, url name, text, data-testid of the main button)
    ("review.work", "review-page", _("Review queue"), "open-review"),
    ("tasks.annotate", "labeling", _("Start labeling"), "open-labeling"),
    ("tasks.annotate", "my-work-page", _("My work"), "open-my-work"),
    ("exports.download", "project-datasets", _("Datasets"), "open-datasets"),
    ("stats.view", "stats-page", _("Annotator stats"), ""),
    ("gold.manage", "gold-page", _("Gold tasks"), ""),
    ("images.upload", "images-upload", _("Add images"), ""),
    ("tasks.view_all", "images-map", _("Capture map"), ""),
    ("energy.report", "project-energy-page", _("Green report"), ""),
]


def _links(held: frozenset[str], project_id: int) -> list[dict]:
    return [
        {"url": reverse(name, args=[project_id]), "text": text, "testid": testid}
        for capability, name, text, testid in PROJECT_PAGES
        if capability in held
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My projects, with progress, my role in each and the pages my role opens."""
    roles = project_roles(request.user)
    projects = projects_with_progress(visible_projects(request.user)).order_by("id")
    rows = []
    for project in projects:
        role = roles.get(project.pk)
        links = _links(capabilities_held(request.user, role), project.pk)
        rows.append({
            "project": project,
            "role": role or "admin",
            "role_label": Role(role).label if role else _("Admin"),
            "counts": counts_of(project),
            "main": links[:1],
            "more": links[1:],
        })
    return render(request, "annotate/home.html", {"rows": rows})
