"""Supervisors' "Models" page: model servers, runs, and each model version's quality over time."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from annotate.charts import line_chart
from annotate.pages.guard import page_access
from config.errors import DomainError
from labeling.access import access_project
from labeling.mlbackends import backends, runs
from labeling.models import ModelRun
from labeling.predictions.quality import model_quality

SERIES = (("map50", "mAP@0.5", "#1f77b4"), ("map", "mAP@[.5:.95]", "#ff7f0e"))


def _act(request: HttpRequest, project) -> None:
    """One form post: connect, check, remove a backend, or start a run."""
    action = request.POST.get("action", "")
    backend_id = request.POST.get("backend", "")
    backend = project.ml_backends.filter(pk=backend_id).first() if backend_id.isdigit() else None
    if action == "connect":
        backend = backends.backend_create(project=project, user=request.user, name=request.POST.get("name", "").strip(),
                                          url=request.POST.get("url", ""),
                                          auth_header=request.POST.get("auth_header", ""))
        messages.info(request, _("Connected %(name)s: %(state)s.") % {"name": backend.name,
                                                                       "state": backend.get_state_display()})
    elif backend is None:
        raise DomainError(_("Choose a model server first."), code="no_backend")
    elif action == "check":
        backends.backend_check(backend)
    elif action == "remove":
        backends.backend_delete(backend=backend, user=request.user)
    elif action in ("predict", "train"):
        kind = ModelRun.Kind.PREDICT if action == "predict" else ModelRun.Kind.TRAIN
        run = runs.run_request(project=project, backend=backend, user=request.user, kind=kind,
                               deferrable=request.POST.get("deferrable") == "on")
        messages.info(request, _("Run %(id)s queued (%(decision)s).") % {"id": run.pk,
                                                                          "decision": run.schedule.get("decision")})


@login_required
def models_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = page_access(access_project, request.user, project_id, "models.manage")
    if request.method == "POST":
        try:
            _act(request, project)
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect(reverse("models-page", args=[project.pk]))
    quality = model_quality(project)
    versions = quality["versions"]
    labels = list(project.labels.order_by("id").values_list("name", flat=True))
    for version in versions:
        version["class_ap50"] = [version["per_class"].get(label, {}).get("ap50") for label in labels]
    chart = line_chart(
        title=_("Model quality on accepted work it had not seen"), days=[v["model_version"] for v in versions],
        series=[{"name": name, "colour": colour, "values": [v[key] for v in versions]} for key, name, colour in SERIES],
        y_max=1.0, percent=True, tick=lambda version: version[:18],
        x_title=_("Model version"), y_title=_("mAP (%)"))
    return render(request, "annotate/models/models.html", {
        "project": project, "backends": project.ml_backends.order_by("id"),
        "runs": ModelRun.objects.filter(project=project).select_related("backend").order_by("-id")[:20],
        "quality": quality, "chart": chart, "labels": labels,
    })
