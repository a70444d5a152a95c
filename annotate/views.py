from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Membership
from labeling.models import Project
from labeling.projects import projects_with_progress


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My projects, with progress and my role in each."""
    roles = dict(Membership.objects.filter(user=request.user).values_list("project_id", "role"))
    projects = projects_with_progress(Project.objects.visible_to(request.user)).order_by("id")
    rows = [{"project": p, "role": roles.get(p.pk, "admin")} for p in projects]
    return render(request, "annotate/home.html", {"rows": rows})
