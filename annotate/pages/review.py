"""Supervisors' pages: the review queue and annotator stats."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from annotate.chart_frame import rate_text
from annotate.charts import line_chart
from annotate.pages.guard import page_access
from labeling.access import access_project
from labeling.models import Project
from labeling.api.palette import annotator_colour
from labeling.stats import project_stats

# (key, title, y top, percent, y-axis title)
CHARTS = [
    ("gold_accuracy", _("Gold accuracy (F1)"), 1.0, True, _("F1 on gold tasks (%)")),
    ("agreement", _("Agreement with other annotators (F1)"), 1.0, True, _("F1 with the others (%)")),
    ("tasks_per_hour", _("Tasks per hour of active time"), None, False, _("tasks / hour")),
    ("rejection_rate", _("Rejection rate"), 1.0, True, _("rejected (%)")),
]


def _project(request: HttpRequest, project_id: int, capability: str) -> Project:
    return page_access(access_project, request.user, project_id, capability)


@login_required
@ensure_csrf_cookie
def review_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """The queue itself is fetched by the page's script from the review API."""
    project = _project(request, project_id, "review.work")
    labels = list(project.labels.values("name", "color"))
    return render(request, "annotate/review/queue.html", {"project": project, "labels": labels})


@login_required
def stats_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, "stats.view")
    data = project_stats(project=project)
    days = [d["date"] for d in data["days"]]
    charts = []
    for key, title, top, percent, y_title in CHARTS:
        series = []
        for index, annotator in enumerate(data["annotators"]):
            by_day = {d["date"]: d[key] for d in annotator["days"]}
            series.append({"name": annotator["username"], "colour": annotator_colour(index),
                           "values": [by_day.get(day) for day in days]})
        charts.append(line_chart(title=title, days=days, series=series, y_max=top, percent=percent, y_title=y_title))
    legend = [{"name": a["username"], "colour": annotator_colour(i), **a["totals"],
               "tasks_per_hour_text": rate_text(a["totals"]["tasks_per_hour"])}
              for i, a in enumerate(data["annotators"])]
    totals = {**data["totals"], "tasks_per_hour_text": rate_text(data["totals"]["tasks_per_hour"])}
    return render(request, "annotate/review/stats.html",
                  {"project": project, "charts": charts, "legend": legend, "totals": totals})
