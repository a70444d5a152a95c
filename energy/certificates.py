"""Market-based claims: a site's certificates allocated to a project's consumption.

A certificate (GEC, I-REC, green-power contract) covers a volume (MWh) over a
period of days at one site. Its volume is shared among the energy the ledger
recorded at that site in that period, pro rata to each project's kWh, and a
project never gets more than it consumed there in that period (a certificate
cannot cover energy that was not used). What is left stays with the site,
unallocated. None of this enters ``clean_share``: the physical, hourly,
location-based share is reported apart (GHG Protocol Scope 2 dual reporting).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum

from energy.models import Certificate, LedgerEntry, Site
from django.utils.translation import gettext_noop

RULE = gettext_noop(
    "pro rata: each certificate's volume is shared among the energy recorded at its site in its period, "
    "in proportion to each project's kWh, capped at the project's consumption in that period"
)


def _period(cert: Certificate, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The certificate's days as [first midnight, midnight after the last day) in the site's zone."""
    start = datetime.combine(cert.period_start, time.min, tzinfo=zone)
    end = datetime.combine(cert.period_end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _kwh(**filters) -> float:
    return float(LedgerEntry.objects.filter(**filters).aggregate(k=Sum("kwh"))["k"] or 0.0)


def certificates_allocated(*, project_id: int, site_ids: set[int]) -> dict:
    """The part of the sites' certificates allocated to this project, certificate by certificate."""
    rows, allocated = [], 0.0
    certs = Certificate.objects.filter(site_id__in=site_ids).select_related("site").order_by("period_start", "id")
    for cert in certs:
        start, end = _period(cert, ZoneInfo(cert.site.timezone))
        in_period = {"site_id": cert.site_id, "start__gte": start, "start__lt": end}
        project_kwh = _kwh(project_id=project_id, **in_period)
        site_kwh = _kwh(**in_period)
        volume_kwh = cert.mwh * 1000.0
        share = min(1.0, volume_kwh / site_kwh) if site_kwh else 0.0
        mine = project_kwh * share
        allocated += mine
        rows.append({
            "instrument": cert.instrument, "reference": cert.reference, "site": cert.site.slug,
            "period_start": cert.period_start.isoformat(), "period_end": cert.period_end.isoformat(),
            "volume_mwh": cert.mwh, "site_consumption_kwh": site_kwh, "project_consumption_kwh": project_kwh,
            "allocated_kwh": mine,
        })
    return {
        "basis": "market-based (certificates); never included in clean_share",
        "rule": RULE,
        "allocated_kwh": allocated,
        "certificates": rows,
    }


def site_ids_of(slugs: list[str]) -> set[int]:
    return set(Site.objects.filter(slug__in=slugs).values_list("pk", flat=True))
