"""Project-level sums: the green report and the COCO ``info["green_computing"]`` block."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Sum

from energy.factors import BASIS, METHODOLOGY_VERSION, clean_sources, emission_factors
from energy.models import Certificate, DeferredJob, LedgerEntry, Site
from energy.tags import Attributed, attribute_entries, summarise, tag_of


def _totals(items: list[Attributed]) -> dict:
    s = summarise(items)
    tag = tag_of(s)
    t = s.total
    return {
        "energy_kwh": tag["kwh"] or 0.0,
        "clean_kwh": float(t.clean_kwh) if tag["clean_share"] is not None else None,
        "clean_share": tag["clean_share"],
        "co2e_g": tag["co2e_g"],
        "basis": tag["basis"],
        "coverage": float(t.covered_kwh / t.kwh) if t.kwh else None,
    }


def _contract(site_ids: set[int]) -> dict:
    mwh = Certificate.objects.filter(site_id__in=site_ids).aggregate(m=Sum("mwh"))["m"]
    return {
        "basis": "market-based (certificates); never included in clean_share",
        "gec_mwh_allocated": None,
        "site_certificates_mwh": mwh,
    }


def project_green_summary(project_id: int, task_ids: list[int] | None = None) -> dict:
    """The COCO ``info["green_computing"]`` block; totals are the sum over the given tasks."""
    entries = LedgerEntry.objects.filter(project_id=project_id)
    if task_ids is not None:
        entries = entries.filter(task_id__in=[int(t) for t in task_ids])
    attributed = attribute_entries(entries)
    per_task: dict[int | None, list[Attributed]] = defaultdict(list)
    for a in attributed:
        per_task[a.entry.task_id].append(a)
    counts = {"measured": 0, "estimated": 0, "mixed": 0, "unknown": 0}
    for task_id in (task_ids if task_ids is not None else [t for t in per_task if t is not None]):
        counts[tag_of(summarise(per_task.get(int(task_id), [])))["basis"]] += 1
    summary = summarise(attributed)
    return {
        "methodology_version": METHODOLOGY_VERSION,
        "basis": BASIS,
        "boundary": {
            "workstation": "active labeling time x device watts, idle cut-off 60 s, PUE=1",
            "server": "celery jobs, CPU time x watts per core x PUE",
        },
        "supply_sources": sorted(summary.sources),
        "clean_sources": sorted(clean_sources()),
        "emission_factors_g_per_kwh": {**emission_factors(), "clean": 0},
        "totals": _totals(attributed),
        "quality_counts": counts,
        "contract_based": _contract({a.entry.site_id for a in attributed}),
    }


def _series(items: list[Attributed], tz: str) -> dict:
    """Hourly (last 168 h with data) and daily series in the site's time zone, gaps filled with zeros."""
    zone = ZoneInfo(tz)
    hourly: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0.0])
    daily: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for a in items:
        for sl in a.result.slices:
            hour = sl.start.astimezone(zone).replace(minute=0, second=0, microsecond=0)
            for bucket, key in ((hourly, hour), (daily, hour.replace(hour=0))):
                bucket[key][0] += float(sl.kwh)
                bucket[key][1] += float(sl.clean_kwh)

    def rows(bucket, step: timedelta, fmt: str, limit: int) -> list[dict]:
        if not bucket:
            return []
        last = max(bucket)
        first = max(min(bucket), last - step * (limit - 1))
        out, t = [], first
        while t <= last:
            kwh, clean = bucket.get(t, (0.0, 0.0))
            out.append({"t": t.strftime(fmt), "kwh": kwh, "clean_kwh": clean, "clean_share": clean / kwh if kwh else None})
            # Step in UTC and come back, so the walk is right in any zone.
            t = (t.astimezone(ZoneInfo("UTC")) + step).astimezone(zone) if step < timedelta(days=1) else t + step
        return out

    return {
        "timezone": tz,
        "hourly": rows(hourly, timedelta(hours=1), "%Y-%m-%dT%H:00", 168),
        "daily": rows(daily, timedelta(days=1), "%Y-%m-%d", 366),
    }


def _grouped(items: list[Attributed], key) -> dict:
    groups: dict = defaultdict(list)
    for a in items:
        groups[key(a.entry)].append(a)
    return {k: _totals(v) for k, v in groups.items()}


def _deferrals(project_id: int, site: Site) -> dict:
    jobs = list(DeferredJob.objects.filter(project_id=project_id).order_by("-created_at", "-id")[:50])
    ef = emission_factors().get("unknown", 995)
    rows, avoided = [], 0.0
    for j in jobs:
        gain = (j.share_planned - j.share_now) if j.decision == "deferred" and j.share_now is not None else 0.0
        # One busy core for the expected duration: an estimate, labelled as such.
        kwh = j.expected_seconds * site.watts_per_core * site.default_pue / 3.6e6
        avoided += kwh * gain * ef
        rows.append({
            "id": j.pk, "kind": j.kind, "decision": j.decision, "reason": j.reason, "state": j.state,
            "created_at": j.created_at.isoformat(), "planned_start": j.planned_start.isoformat(),
            "deadline": j.deadline.isoformat() if j.deadline else None,
            "share_now": j.share_now, "share_planned": j.share_planned, "gain": gain,
        })
    return {
        "jobs": rows,
        "deferred_count": sum(1 for j in jobs if j.decision == "deferred"),
        "estimated_avoided_co2e_g": avoided,
        "note": "avoided gCO2e assumes one busy core for the expected duration and the non-clean part at the 'unknown' factor",
    }


def project_energy_report(*, project_id: int, site_slug: str, people: bool) -> dict:
    """The green report. ``people=False`` (clients) leaves out per-annotator figures."""
    from energy.ledger import site_for_project

    # A project naming a site that does not exist yet gets one with no supply data.
    site = Site.objects.filter(slug=site_slug).first() or site_for_project(project_id)
    items = attribute_entries(LedgerEntry.objects.filter(project_id=project_id))
    report = {
        "project_id": project_id,
        "site": {"slug": site.slug, "name": site.name, "timezone": site.timezone, "default_pue": site.default_pue,
                 "static_profile": site.static_profile or None},
        "totals": _totals(items),
        "tasks_with_energy": len({a.entry.task_id for a in items if a.entry.task_id is not None}),
        "series": _series(items, site.timezone),
        "by_kind": _grouped(items, lambda e: e.job_kind or e.consumer),
        "supply_sources": sorted(summarise(items).sources),
        "deferrals": _deferrals(project_id, site),
        "contract_based": _contract({site.pk} | {a.entry.site_id for a in items}),
    }
    if people:
        per_user = _grouped([a for a in items if a.entry.consumer == "workstation"], lambda e: e.user_id)
        names = dict(get_user_model().objects.filter(pk__in=[u for u in per_user if u]).values_list("pk", "username"))
        report["by_annotator"] = [
            {"user_id": uid, "username": names.get(uid, "unknown"), **vals} for uid, vals in sorted(per_user.items(), key=lambda kv: str(kv[0]))
        ]
    return report
