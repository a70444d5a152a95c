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
# view asks the gate for; the first one a user may open is their main button,
# the others are listed by group so that a supervisor's dozen links stay readable.
PROJECT_PAGES = [
    # (capability, url name, text, data-testid of the main button, group)
    ("review.work", "review-page", _("Review queue"), "open-review", "work"),
    ("tasks.annotate", "labeling", _("Start labeling"), "open-labeling", "work"),
    ("tasks.annotate", "my-work-page", _("My work"), "open-my-work", "work"),
    ("exports.download", "project-datasets", _("Datasets"), "open-datasets", "data"),
    ("stats.view", "project-overview", _("Overview"), "", "reports"),
    ("tasks.view_all", "task-browser", _("Tasks"), "", "data"),
    ("project.manage", "project-settings", _("Settings"), "", "setup"),
    ("stats.view", "stats-page", _("Annotator stats"), "", "reports"),
    ("gold.manage", "gold-page", _("Gold tasks"), "", "setup"),
    ("images.upload", "images-upload", _("Add images"), "", "data"),
    ("tasks.view_all", "images-map", _("Capture map"), "", "data"),
    ("energy.report", "project-energy-page", _("Green report"), "", "reports"),
]
LINK_GROUPS = [("work", _("Work")), ("data", _("Images and data")), ("reports", _("Reports")),
               ("setup", _("Set-up"))]


def _links(held: frozenset[str], project_id: int, archived: bool) -> list[dict]:
    return [
        {"url": reverse(name, args=[project_id]), "text": text, "testid": testid, "group": group}
        for capability, name, text, testid, group in PROJECT_PAGES
        # An archived project hands out no work: no "Start labeling" for it.
        if capability in held and not (archived and capability == "tasks.annotate")
    ]


def _grouped(links: list[dict]) -> list[dict]:
    """The links after the main button, one titled line per group that has any."""
    return [{"key": key, "title": title, "links": [link for link in links if link["group"] == key]}
            for key, title in LINK_GROUPS if any(link["group"] == key for link in links)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My projects, with progress, my role in each and the pages my role opens; archived ones last."""
    roles = project_roles(request.user)
    projects = list(projects_with_progress(visible_projects(request.user)).order_by("id"))
    held = {project.pk: capabilities_held(request.user, roles.get(project.pk)) for project in projects}
    # Today's work and the review backlog are for those who review: read only for their projects.
    activity = project_activity([pk for pk, caps in held.items() if "review.work" in caps])
    rows, archived = [], []
    for project in projects:
        role = roles.get(project.pk)
        links = _links(held[project.pk], project.pk, project.is_archived)
        if not links:
            continue
        counts = counts_of(project)
        (archived if project.is_archived else rows).append({
            "project": project,
            "role": role or "admin",
            "role_label": Role(role).label if role else _("Admin"),
            "counts": counts,
            "main": links[:1],
            "more": links[1:],
            "groups": _grouped(links[1:]),
            "dash": dashboard(counts, activity[project.pk]) if project.pk in activity else None,
            "full": project.pk in activity,
        })
    return render(request, "annotate/home.html", {
        "rows": rows, "archived": archived, "may_create": may_create_projects(request.user),
    })
