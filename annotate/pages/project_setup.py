"""Supervisors set a project up in the browser: a new project, then its settings page.

Thin views: each form post calls one service of ``labeling`` and shows its
answer (a refusal of the domain lands next to the field it is about, or on top).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role
from annotate.pages.guard import page_access
from annotate.pages.project_forms import RULE_FIELDS, MemberAddForm, ProjectRulesForm, label_formset
from config.errors import DomainError
from labeling import members, projects
from labeling.access import access_project, capabilities_held, grantable_roles, may_create_projects, project_role
from labeling.labels import box_counts, labels_apply
from labeling.models import Project


def _rules(form: ProjectRulesForm) -> dict:
    return {name: form.cleaned_data[name] for name in RULE_FIELDS if name != "name"}


def _warn_overlap(request: HttpRequest, project: Project) -> None:
    warning = projects.overlap_warning(project)
    if warning:
        messages.warning(request, warning)


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    """Name, rules and labels in one form; the creator becomes its supervisor."""
    if not may_create_projects(request.user):
        raise PermissionDenied(_("Only supervisors and admins create projects."))
    form = ProjectRulesForm(request.POST or None, instance=Project())
    labels = label_formset(data=request.POST or None, extra=5)
    if request.method == "POST" and form.is_valid() and labels.is_valid():
        rows = [row for _form, row in labels.rows() if not row.remove]
        try:
            with transaction.atomic():
                project = projects.project_create(
                    creator=request.user, name=form.cleaned_data["name"], **_rules(form),
                    labels=[{"name": row.name.strip(), "hotkey": row.hotkey,
                             **({"color": row.color} if row.color else {})} for row in rows])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Project “%(name)s” created. Add its people and its first images.")
                             % {"name": project.name})
            _warn_overlap(request, project)
            return redirect(reverse("project-settings", args=[project.pk]))
    return render(request, "annotate/projects/new.html", {"form": form, "labels": labels})


def _member_rows(request: HttpRequest, project: Project) -> list[dict]:
    grantable = grantable_roles(request.user, project.pk)
    rows = []
    for membership in project.memberships.select_related("user").order_by("role", "user__username"):
        rows.append({
            "membership": membership,
            "role_label": Role(membership.role).label,
            "may_change": membership.role in grantable,
            "choices": [(value, label) for value, label in Role.choices if value in grantable],
            "is_me": membership.user_id == request.user.pk,
        })
    return rows


def _post(request: HttpRequest, project: Project, state: dict) -> bool:
    """Handle one form of the page; True when it worked (then the page redirects)."""
    action = request.POST.get("action", "")
    if action == "rules":
        form = state["form"] = ProjectRulesForm(request.POST, instance=Project.objects.get(pk=project.pk))
        if not form.is_valid():
            return False
        projects.project_update(project=project, actor=request.user, name=form.cleaned_data["name"],
                                **_rules(form))
        messages.success(request, _("Rules saved: they apply from each annotator's next task."))
        _warn_overlap(request, project)
        return True
    if action == "labels":
        formset = state["labels"] = label_formset(data=request.POST, labels=state["label_objects"], extra=2)
        if not formset.is_valid():
            return False
        try:
            labels_apply(project=project, rows=[row for _form, row in formset.rows()], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return False
        messages.success(request, _("Labels saved."))
        return True
    if action == "member_add":
        form = state["member_form"] = MemberAddForm(request.POST, grantable=state["grantable"])
        if not form.is_valid():
            return False
        try:
            _membership, created = members.membership_set(project=project, actor=request.user,
                                                          **form.cleaned_data)
        except DomainError as exc:
            form.add_error("role" if exc.code in ("role_not_grantable", "last_supervisor") else "username",
                           exc.detail)
            return False
        messages.success(request, (_("%(name)s joined as %(role)s.") if created else
                                   _("%(name)s is now %(role)s.")) % {
            "name": form.cleaned_data["username"], "role": Role(form.cleaned_data["role"]).label})
        _warn_overlap(request, project)
        return True
    if action in ("member_role", "member_remove"):
        user_id = request.POST.get("user", "")
        valid_id = user_id.isdigit() and len(user_id) < 19
        member = project.memberships.select_related("user").filter(user_id=user_id).first() if valid_id else None
        try:
            if member is None:
                raise DomainError(_("That person is not a member of this project."), code="not_a_member")
            if action == "member_role":
                members.membership_set(project=project, actor=request.user, username=member.user.username,
                                       role=request.POST.get("role", ""))
                messages.success(request, _("Role of %(name)s changed.") % {"name": member.user.username})
            else:
                members.membership_remove(project=project, user_id=member.user_id, actor=request.user)
                messages.success(request, _("%(name)s left the project; their work stays.")
                                 % {"name": member.user.username})
        except DomainError as exc:
            messages.error(request, exc.detail)
            return False
        return True
    if action in ("archive", "restore"):
        projects.project_archive(project=project, actor=request.user, archived=action == "archive")
        messages.success(request, _("Project archived: annotators get no more tasks from it. Nothing was deleted.")
                         if action == "archive" else _("Project restored: annotators get its tasks again."))
        return True
    messages.error(request, _("Unknown action."))
    return False


@login_required
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    project = page_access(access_project, request.user, project_id, "project.manage")
    held = capabilities_held(request.user, project_role(request.user, project.pk))
    label_objects = list(project.labels.order_by("order", "id"))
    grantable = grantable_roles(request.user, project.pk)
    state = {
        "form": ProjectRulesForm(instance=project),
        "labels": label_formset(labels=label_objects, extra=2),
        "label_objects": label_objects,
        "member_form": MemberAddForm(grantable=grantable),
        "grantable": grantable,
    }
    if request.method == "POST":
        if request.POST.get("action", "").startswith("member") and "members.manage" not in held:
            raise PermissionDenied(_("Your role in this project does not allow this."))
        if _post(request, project, state):
            return redirect(reverse("project-settings", args=[project.pk]))
    counts = box_counts(project)
    for form in state["labels"].forms:
        form.box_count = counts.get(form.initial.get("id"), 0)
    return render(request, "annotate/projects/settings.html", {
        "project": project, **state,
        "members": _member_rows(request, project) if "members.manage" in held else None,
        "backends": project.ml_backends.order_by("id") if "models.manage" in held else None,
        "overlap_warning": projects.overlap_warning(project),
    })
