"""Supply data of a site: stored intervals, gaps filled by the static profile.

Writes go through :func:`supply_store`, which keeps a site's intervals free of
overlaps: an identical interval is replaced when the new reading is at least
as good (measured beats estimated), a partial overlap is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from config.errors import DomainError, NotFound
from config.rows import Reader, fetchall
from energy.attribution import Supply, SupplySeries
from energy.models import Site, SupplyInterval
from energy.models.sites import DEFAULT_SITE
from energy.providers.static import StaticProfileProvider
from energy.scheduling import Forecast, Point

_RANK = {"estimated": 1, "measured": 2}


class ImportRefused(DomainError):
    """Supply data refused as a whole; ``errors`` lists each row's problem."""

    default_code = "supply_refused"

    def __init__(self, errors: list[dict]) -> None:
        lines = "; ".join(f"row {e['row']}: {e['error']}" if e.get("row") else e["error"] for e in errors[:20])
        super().__init__(f"Nothing imported. {lines}", errors=errors)
        self.errors = errors


def site_get(slug: str | None) -> Site:
    """The named site; the demo default is created on first use so the demo works offline."""
    slug = slug or DEFAULT_SITE
    if slug == DEFAULT_SITE:
        site, _ = Site.objects.get_or_create(
            slug=DEFAULT_SITE, defaults={"name": "Qinghai demo (synthetic sample profile)"}
        )
        return site
    site = Site.objects.filter(slug=slug).first()
    if site is None:
        raise NotFound(gettext("Unknown energy site %(slug)s.") % {"slug": repr(slug)}, code="unknown_site")
    return site


def _to_supply(row: SupplyInterval) -> Supply:
    return Supply(row.start, row.end, row.total_kw, row.clean_kw, row.by_source_kw, row.pue, row.quality, row.provider)


def _fill_gaps(stored: list[Supply], filler: list[Supply]) -> list[Supply]:
    """Pieces of ``filler`` not covered by ``stored`` (both sorted, non-overlapping); linear time."""
    out, i = [], 0
    for f in filler:
        while i < len(stored) and stored[i].end <= f.start:
            i += 1
        cursor, j = f.start, i
        while j < len(stored) and stored[j].start < f.end:
            if stored[j].start > cursor:
                out.append(_trim(f, cursor, stored[j].start))
            cursor = max(cursor, stored[j].end)
            j += 1
        if cursor < f.end:
            out.append(_trim(f, cursor, f.end))
    return out


def _trim(s: Supply, start: datetime, end: datetime) -> Supply:
    return Supply(start, end, s.total_kw, s.clean_kw, s.by_source_kw, s.pue, s.quality, s.source)


_interval = Reader(SupplyInterval, "v")
# Fixed SQL (``config.rows``): every task view and "next" reads its task's energy
# through here, and building this query with the ORM cost ~1 ms of CPU each time.
_INTERVALS = (f"SELECT {_interval.columns} FROM {_interval.table} v"
              ' WHERE v.site_id = %(site)s AND v."end" > %(start)s AND v.start < %(end)s ORDER BY v.start')


def supply_list(*, site: Site, start: datetime, end: datetime) -> list[Supply]:
    stored = [
        _to_supply(_interval.build(row))
        for row in fetchall(_INTERVALS, {"site": site.pk, "start": start, "end": end})
    ]
    if not site.static_profile:
        return stored
    filler = StaticProfileProvider(site.static_profile).actuals(tz=site.timezone, start=start, end=end)
    return sorted(stored + _fill_gaps(stored, filler), key=lambda s: s.start)


def supply_series(*, site: Site, start: datetime, end: datetime) -> SupplySeries:
    return SupplySeries(supply_list(site=site, start=start, end=end))


def forecast_for(*, site: Site, start: datetime, end: datetime) -> Forecast:
    return Forecast(
        [Point(s.start, s.end, s.clean_kw / s.total_kw) for s in supply_list(site=site, start=start, end=end) if s.total_kw > 0]
    )


@dataclass
class StoreResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    skipped: list[dict] = field(default_factory=list)


def _same_values(row: SupplyInterval, values: dict) -> bool:
    return all(getattr(row, k) == v for k, v in values.items())


def supply_store(*, site: Site, records: list[tuple[int | None, Supply]], strict: bool) -> StoreResult:
    """Upsert supply records of one site, keeping intervals free of overlaps.

    ``records`` pairs each record with its row number (for messages). With
    ``strict`` (CSV import) any conflict refuses the whole batch; otherwise
    (feed polling) conflicting records are skipped and reported.
    """
    result = StoreResult()
    problems: list[dict] = []
    ordered = sorted(records, key=lambda r: r[1].start)
    for (row_a, a), (row_b, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            problems.append({"row": row_b, "error": f"interval overlaps row {row_a} ({a.start.isoformat()} to {a.end.isoformat()})"})
    if problems and strict:
        raise ImportRefused(problems)
    with transaction.atomic():
        for row, rec in ordered:
            clash = list(SupplyInterval.objects.select_for_update().filter(site=site, end__gt=rec.start, start__lt=rec.end))
            same = [c for c in clash if c.start == rec.start and c.end == rec.end]
            if clash and not same or len(clash) > 1:
                problems.append({"row": row, "error": f"interval {rec.start.isoformat()} to {rec.end.isoformat()} overlaps stored data of site {site.slug}"})
                continue
            if same and _RANK[same[0].quality] > _RANK[rec.quality]:
                result.kept += 1
                continue
            values = dict(end=rec.end, total_kw=rec.total_kw, clean_kw=rec.clean_kw, by_source_kw=dict(rec.by_source_kw),
                          pue=rec.pue, provider=rec.source, quality=rec.quality)
            if same and _same_values(same[0], values):
                result.unchanged += 1
            elif same:
                SupplyInterval.objects.filter(pk=same[0].pk).update(**values, fetched_at=timezone.now())
                result.updated += 1
            else:
                SupplyInterval.objects.create(site=site, start=rec.start, **values)
                result.created += 1
        if problems and strict:
            raise ImportRefused(problems)  # leaving atomic() by an exception rolls back
    result.skipped = problems
    return result
