"""The task browser: every task of a project, filtered and sorted, with bulk actions.

Reads through ``labeling.task_browser`` (keyset pages), writes through
``labeling.task_bulk`` (all or nothing, ids checked against the project).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from annotate.pages.guard import page_access
from annotate.pages.project_forms import BulkForm, TaskFilterForm
from annotate.pages.task_links import task_url
from config.errors import DomainError
from labeling.access import access_project, has_capability
from labeling.members import members_holding
from labeling.models import Task
from labeling.task_browser import TaskFilter, task_page
from labeling.task_bulk import tasks_bulk

YES_NO = {"yes": True, "no": False, "": None, None: None}
# Actions that move work between people need "tasks.assign", gold needs "gold.manage"; the rest
# change the project's data.
ACTION_CAPABILITY = {"assign": "tasks.assign", "release": "tasks.assign", "gold": "gold.manage",
                     "ungold": "gold.manage"}


def _filters(data: dict) -> TaskFilter:
    return TaskFilter(
        status=data.get("status") or None, annotator_id=data.get("annotator"), flag=data.get("flag") or None,
        gold=YES_NO[data.get("gold")], has_predictions=YES_NO[data.get("predictions")],
        export_excluded=YES_NO[data.get("excluded")], captured_from=data.get("captured_from"),
        captured_to=data.get("captured_to"), bbox=data.get("bbox"),
    )


def _task_ids(values: list[str]) -> list[int] | None:
    """The ticked task ids, or None when one of them is not an id at all."""
    ids = []
    for value in values:
        if not value.isdigit() or len(value) > 18:
            return None
        ids.append(int(value))
    return ids


def _bulk(request: HttpRequest, project, annotators) -> None:
    form = BulkForm(request.POST, annotators=annotators, auto_id="bulk_%s")
    ids = _task_ids(request.POST.getlist("task"))
    if not form.is_valid() or ids is None:
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
                    if name in form.fields]
        messages.error(request, " ".join(problems) or _("Those are not task ids; nothing was changed."))
        return
    action = form.cleaned_data["action"]
    if not has_capability(request.user, project.pk, ACTION_CAPABILITY.get(action, "project.manage")):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        count = tasks_bulk(project=project, task_ids=ids, action=action, actor=request.user,
                           annotator_id=form.cleaned_data.get("annotator"),
                           priority=form.cleaned_data.get("priority"))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return
    messages.success(request, _("%(action)s: %(count)s tasks.") % {
        "action": dict(form.fields["action"].choices)[action], "count": count})


@login_required
def task_browser(request: HttpRequest, project_id: int) -> HttpResponse:
    project = page_access(access_project, request.user, project_id, "tasks.view_all")
    annotators = members_holding(project, "tasks.annotate")
    if request.method == "POST":
        _bulk(request, project, annotators)
        back = request.POST.get("back", "")
        # Back to the same filtered page; only a query string of this page is followed.
        query = back if back.startswith("?") and "\n" not in back else ""
        return redirect(reverse("task-browser", args=[project.pk]) + query)
    form = TaskFilterForm(request.GET, statuses=Task.Status.choices, annotators=annotators)
    page, status = None, 200
    if form.is_valid():
        data = form.cleaned_data
        page = page_access(task_page, project=project, filters=_filters(data), sort=data.get("sort") or "id",
                           after=data.get("after"), before=data.get("before"))
        for row in page.rows:
            row["task_url"] = task_url(project_id=project.pk, task_id=row["task"].pk, status=row["task"].status,
                                       image_id=row["image"].pk)
    else:
        status = 400
    kept = {key: value for key, value in request.GET.items() if key not in ("after", "before") and value}
    return render(request, "annotate/projects/tasks.html", {
        "project": project, "form": form, "page": page,
        "bulk": BulkForm(annotators=annotators, auto_id="bulk_%s"),
        "query": urlencode(kept), "here": request.get_full_path()[len(request.path):],
    }, status=status)
