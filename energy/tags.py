"""Task tags and project sums, recomputed from the ledger against the supply data.

A few queries whatever the number of tasks: the ledger rows, their sites, and
one supply query per site covering the rows' time span.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from dataclasses import dataclass, field
from typing import Iterable

from django.db.models import QuerySet

from config.rows import fetchall, int_array
from energy.attribution import Attribution, Consumption, attribute, combine
from energy.factors import clean_sources, emission_factors
from energy.models import LedgerEntry
from energy.site_rows import sites_by_id
from energy.supply import supply_series


ROW_FIELDS = ("id", "consumer", "site_id", "project_id", "task_id", "user_id", "job_kind", "start", "end",
              "it_kwh", "pue_applied", "basis", "method", "details__watts", "details__watts_per_core")


@dataclass(slots=True)
class Row:
    """The ledger fields attribution needs; plain tuples are much cheaper than model instances."""

    id: int
    consumer: str
    site_id: int
    project_id: int
    task_id: int | None
    user_id: int | None
    job_kind: str
    start: datetime
    end: datetime
    it_kwh: float
    pue_applied: float
    basis: str
    method: str
    watts: float | None  # a workstation's device watts
    watts_per_core: float | None  # a server entry's


@dataclass(slots=True)
class Attributed:
    entry: Row
    result: Attribution


@dataclass(slots=True)
class Summary:
    total: Attribution = field(default_factory=Attribution)
    qualities: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    source_quality: dict[str, set[str]] = field(default_factory=dict)
    pue: dict[str, set[float]] = field(default_factory=dict)  # consumer -> PUE values applied
    watts: dict[str, set[float]] = field(default_factory=dict)  # "workstation" (device) / "server" (per core)
    site_ids: set[int] = field(default_factory=set)
    components: list[dict] = field(default_factory=list)


def attribute_entries(entries: QuerySet) -> list[Attributed]:
    """Attribute ledger rows to the supply of their sites, one supply query per site."""
    return attribute_rows([Row(*values) for values in entries.order_by("start", "id").values_list(*ROW_FIELDS)])


def attribute_rows(entries: list[Row]) -> list[Attributed]:
    """``attribute_entries`` of rows already read (ordered by start, id)."""
    by_site: dict[int, list[Row]] = defaultdict(list)
    for e in entries:
        by_site[e.site_id].append(e)
    sites = sites_by_id(by_site)
    clean, factors = clean_sources(), emission_factors()
    out, cache = [], {}
    for site_id, rows in by_site.items():
        start = min(r.start for r in rows)
        end = max(r.end for r in rows)

        series = supply_series(site=sites[site_id], start=start, end=end + timedelta(microseconds=1))
        for r in rows:
            c = Consumption(r.start, r.end, r.it_kwh, apply_pue=r.consumer == "server", pue=r.pue_applied)
            out.append(Attributed(r, attribute(c, series, clean=clean, factors=factors, co2_cache=cache)))
    return out


def _effective_pue(a: Attributed) -> float:
    """kWh / IT kWh as attributed: the interval PUE where the meter gave one, else the site default."""
    if a.entry.it_kwh and a.result.kwh:
        return round(float(a.result.kwh) / a.entry.it_kwh, 4)
    return a.entry.pue_applied


def basis_of(qualities: set[str]) -> str:
    """measured when every entry and supply slice is measured; estimated when none; else mixed."""
    if not qualities:
        return "unknown"
    if qualities == {"measured"}:
        return "measured"
    return "mixed" if "measured" in qualities else "estimated"


def summarise(items: Iterable[Attributed]) -> Summary:
    # Once per task with ledger entries (an export summarises every image's task),
    # hence the collections held in locals and one pass over each entry's slices.
    s = Summary()
    parts = []
    qualities, sources, source_quality, site_ids = s.qualities, s.sources, s.source_quality, s.site_ids
    pue_by_consumer, watts_by_consumer, components = s.pue, s.watts, s.components
    for a in items:
        entry, result = a.entry, a.result
        consumer, slices = entry.consumer, result.slices
        parts.append(result)
        qualities.add(entry.basis)
        site_ids.add(entry.site_id)
        pues = pue_by_consumer.get(consumer)
        if pues is None:
            pues = pue_by_consumer[consumer] = set()
        watts = entry.watts if consumer == "workstation" else entry.watts_per_core
        if watts is not None:
            watts_by_consumer.setdefault(consumer, set()).add(float(watts))
        for sl in slices:
            qualities.add(sl.quality)
            sources.add(sl.source)
            source_quality.setdefault(sl.source, set()).add(sl.quality)
            pues.add(round(float(sl.pue), 4))
        if not slices:
            pues.add(round(float(entry.pue_applied), 4))
        components.append({
            "consumer": consumer, "job_kind": entry.job_kind, "kwh": result.kwh,
            "clean_share": result.clean_share, "method": entry.method,
            "pue": _effective_pue(a), "quality": entry.basis,
        })
    s.total = combine(parts)
    return s


def basis_of_summary(summary: Summary | None) -> str:
    """The ``basis`` of ``tag_of(summary)``: unknown without ledger entries."""
    if summary is None or not summary.components:
        return "unknown"
    return basis_of(summary.qualities)


def tag_of(summary: Summary | None) -> dict:
    if summary is None or not summary.components:
        return {"kwh": None, "clean_share": None, "co2e_g": None, "basis": "unknown"}
    t = summary.total
    known = not t.uncovered_kwh
    return {
        "kwh": float(t.kwh),
        "clean_share": float(t.clean_share) if t.clean_share is not None else None,
        "co2e_g": float(t.co2e_g) if known else None,
        "basis": basis_of(summary.qualities),
    }


def detail_of(summary: Summary | None) -> dict:
    tag = tag_of(summary)
    if summary is None or not summary.components:
        return {**tag, "clean_kwh": None, "coverage": None, "supply_sources": [], "components": []}
    t = summary.total
    return {
        **tag,
        "clean_kwh": float(t.clean_kwh) if not t.uncovered_kwh else None,
        "coverage": float(t.covered_kwh / t.kwh) if t.kwh else 1.0,
        "supply_sources": sorted(summary.sources),
        "components": summary.components,
    }


# ``ROW_FIELDS`` of the tasks' ledger rows as a fixed SQL text: every task view
# (each "next", each submit that takes the next task) reads its tags, and the
# ORM's query with two JSON key lookups took ~1.5 ms of CPU to build.
_COLUMNS = ", ".join(f'e."{name}"' for name in ROW_FIELDS[:-2])
_TASK_ROWS = (
    f"SELECT {_COLUMNS},"
    " (e.details ->> 'watts')::float8, (e.details ->> 'watts_per_core')::float8"
    f" FROM {LedgerEntry._meta.db_table} e WHERE e.task_id = ANY(%s::bigint[]) ORDER BY e.start, e.id"
)


def task_summaries(task_ids: list[int]) -> dict[int, Summary]:
    ids = [int(t) for t in task_ids]
    attributed = attribute_rows([Row(*values) for values in fetchall(_TASK_ROWS, [int_array(ids)])])
    grouped: dict[int, list[Attributed]] = defaultdict(list)
    for a in attributed:
        grouped[a.entry.task_id].append(a)
    return {task_id: summarise(items) for task_id, items in grouped.items()}
