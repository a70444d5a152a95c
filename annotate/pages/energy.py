"""The green report page: the same data as GET /api/v1/projects/{id}/energy/, drawn."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from django.utils.translation import gettext as _

from annotate import energy_charts as charts
from annotate.pages.guard import page_access
from energy.services import energy_display, energy_range_display, grams_display, site_clean_forecast
from labeling.energy_reads import project_energy_report_for


def _pct(share: float | None) -> str:
    return _("unknown") if share is None else f"{share * 100:.1f} %"


def _figures(report: dict) -> dict:
    """The totals as people read them: sized units, a range for the coarse estimate, coverage, PUE."""
    t, method = report["totals"], report["method"]
    rel = method["uncertainty"]["relative_error"]
    co2 = method["uncertainty"]["co2e_g_range"]
    return {
        "energy": energy_range_display(t["energy_kwh"], rel),
        "co2e": (f"{grams_display(t['co2e_g'])} ({grams_display(co2[0])}–{grams_display(co2[1])})"
                 if t["co2e_g"] is not None else _("unknown")),
        "coverage": None if t["coverage"] is None else f"{t['coverage'] * 100:.1f} %",
        "uncovered": energy_display(t["uncovered_kwh"]),
        "pue": "; ".join(f"{k}: {', '.join(f'{v:g}' for v in vals)}" for k, vals in method["pue_applied"].items()),
        "allocated": energy_display(report["contract_based"]["allocated_kwh"]),
    }


def _local(iso: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")


@login_required
def project_energy_page(request: HttpRequest, project_id: int) -> HttpResponse:
    report = page_access(project_energy_report_for, request.user, project_id)
    tz = ZoneInfo(report["site"]["timezone"])
    series = report["series"]["hourly"] if len(report["series"]["daily"]) <= 3 else report["series"]["daily"]
    forecast = site_clean_forecast(site=report["site"]["slug"], start=timezone.now(), hours=24)
    marks = [
        (datetime.fromisoformat(j["planned_start"]), f'{j["kind"]} planned {j["planned_start"]}')
        for j in report["deferrals"]["jobs"] if j["state"] == "waiting"
    ]
    for job in report["deferrals"]["jobs"]:
        job["now_pct"], job["planned_pct"] = _pct(job["share_now"]), _pct(job["share_planned"])
        job["achieved_pct"] = _pct(job["share_achieved"]) if job["released_at"] else "–"
        job["planned_local"] = _local(job["planned_start"], tz)
        job["deadline_local"] = _local(job["deadline"], tz) if job["deadline"] else "–"
    context = {
        "share_pct": _pct(report["totals"]["clean_share"]),
        "figures": _figures(report),
        "certificates": [{**c, "allocated": energy_display(c["allocated_kwh"])}
                         for c in report["contract_based"]["certificates"]],
        "report": report,
        "project_id": report["project_id"],
        "series_label": _("hour") if series is report["series"]["hourly"] else _("day"),
        "chart_time": charts.stacked_energy(series, label=_("Energy and clean share over time"), tz=tz,
                                            hourly=series is report["series"]["hourly"]),
        "chart_kind": charts.share_bars(sorted(report["by_kind"].items()), label=_("Clean share per kind of work")),
        "chart_people": charts.share_bars(
            [(r["username"], r) for r in report.get("by_annotator", [])], label=_("Clean share per annotator")
        ) if "by_annotator" in report else None,
        "chart_forecast": charts.forecast_line(forecast, marks, label=_("Clean share forecast, next 24 hours"), tz=tz),
    }
    return render(request, "annotate/energy_report.html", context)
