"""What the green report says about deferrable jobs: every decision, planned vs achieved share."""

from __future__ import annotations

from datetime import timedelta

from energy.factors import emission_factors
from energy.models import DeferredJob, Site
from energy.supply import forecast_for
from django.utils.translation import gettext_noop

NOTE = gettext_noop("achieved share: the site's supply over the job's expected run after its release, from the supply data "
        "stored now (measured where imported, else the site's profile); avoided gCO2e assumes one busy core for the "
        "expected duration and the non-clean part at the 'unknown' factor")


def achieved_share(job: DeferredJob, site: Site) -> float | None:
    """Clean share of the supply over [released_at, released_at + expected run), as now known."""
    if job.released_at is None:
        return None
    end = job.released_at + timedelta(seconds=max(job.expected_seconds, 1.0))
    return forecast_for(site=site, start=job.released_at, end=end).time_weighted_mean(job.released_at, end)


def deferrals(project_id: int) -> dict:
    jobs = list(DeferredJob.objects.filter(project_id=project_id).select_related("site")
                .prefetch_related("decisions").order_by("-created_at", "-id")[:50])
    ef = emission_factors().get("unknown", 995)
    rows, avoided = [], 0.0
    for j in jobs:
        achieved = achieved_share(j, j.site)
        gain = (achieved - j.share_now) if j.decision == "deferred" and None not in (achieved, j.share_now) else 0.0
        # One busy core for the expected duration: an estimate, labelled as such.
        kwh = j.expected_seconds * j.site.watts_per_core * j.site.default_pue / 3.6e6
        avoided += kwh * gain * ef
        rows.append({
            "id": j.pk, "kind": j.kind, "site": j.site.slug, "decision": j.decision, "reason": j.reason,
            "state": j.state, "created_at": j.created_at.isoformat(), "planned_start": j.planned_start.isoformat(),
            "deadline": j.deadline.isoformat() if j.deadline else None,
            "released_at": j.released_at.isoformat() if j.released_at else None,
            "share_now": j.share_now, "share_planned": j.share_planned, "share_achieved": achieved, "gain": gain,
            "decisions": [
                {"at": d.decided_at.isoformat(), "decision": d.decision, "reason": d.reason,
                 "planned_start": d.planned_start.isoformat(), "share_now": d.share_now,
                 "share_planned": d.share_planned}
                for d in j.decisions.all()
            ],
        })
    return {
        "jobs": rows,
        "deferred_count": sum(1 for j in jobs if j.decision == "deferred"),
        "estimated_avoided_co2e_g": avoided,
        "note": NOTE,
    }
