"""CSV from a site meter: one row per interval, validated before anything is written.

Columns (energy.md §4.6): ``interval_start, interval_end`` (ISO 8601 with an
offset), ``total_kw`` and per-source ``<source>_kw`` columns (or ``*_kwh``,
divided by the interval's hours), optional ``it_kwh``/``facility_kwh`` (their
ratio is the interval PUE), optional ``pue`` and ``quality``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Iterable

from energy.attribution import Supply, hours
from energy.factors import clean_sources

KNOWN_SOURCES = ("solar", "wind", "hydro", "biomass", "geothermal", "nuclear", "storage_clean",
                 "storage_other", "coal", "gas", "oil", "other", "unknown")
SUM_TOLERANCE = 0.005  # Σ sources must match total within 0.5 %


class RowError(ValueError):
    pass


def _time(value: str, column: str) -> datetime:
    try:
        moment = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"{column} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise RowError(f"{column} {value!r} has no time zone offset")
    return moment


def _number(row: dict, column: str) -> float | None:
    raw = (row.get(column) or "").strip()
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise RowError(f"{column} {raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowError(f"{column} {raw!r} is not a finite number")
    if value < 0:
        raise RowError(f"{column} is negative ({raw})")
    return value


def parse_row(row: dict, *, provider: str) -> Supply:
    start = _time(row.get("interval_start", ""), "interval_start")
    end = _time(row.get("interval_end", ""), "interval_end")
    if end <= start:
        raise RowError("interval_end must be after interval_start")
    h = float(hours(end - start))
    by_source: dict[str, float] = {}
    for src in KNOWN_SOURCES:
        kw, kwh = _number(row, f"{src}_kw"), _number(row, f"{src}_kwh")
        if kw is not None:
            by_source[src] = kw
        elif kwh is not None:
            by_source[src] = kwh / h
    total = _number(row, "total_kw")
    if total is None and _number(row, "total_kwh") is not None:
        total = _number(row, "total_kwh") / h
    if total is None:
        if not by_source:
            raise RowError("total_kw is missing")
        total = sum(by_source.values())
    if by_source and abs(sum(by_source.values()) - total) > SUM_TOLERANCE * max(total, 1e-12):
        raise RowError(f"sources sum to {sum(by_source.values()):g} kW but total_kw is {total:g}")
    clean_set = clean_sources()
    clean = _number(row, "clean_kw")
    if clean is None:
        clean = sum(v for s, v in by_source.items() if s in clean_set)
    if clean > total * (1 + 1e-9):
        raise RowError(f"clean power {clean:g} kW is above total {total:g} kW")
    pue = _number(row, "pue")
    it_kwh, facility_kwh = _number(row, "it_kwh"), _number(row, "facility_kwh")
    if pue is None and it_kwh and facility_kwh is not None:
        pue = facility_kwh / it_kwh
    if pue is not None and not 1.0 <= pue <= 3.0:
        raise RowError(f"PUE {pue:g} is outside [1.0, 3.0]")
    quality = (row.get("quality") or "measured").strip()
    if quality not in ("measured", "estimated"):
        raise RowError(f"quality {quality!r} must be measured or estimated")
    return Supply(start, end, total, min(clean, total), by_source, pue, quality, provider)


def parse_csv(text: str | Iterable[str], *, provider: str) -> tuple[list[tuple[int, Supply]], list[dict]]:
    """Parse every row; return (records with their line numbers, errors with line numbers)."""
    lines = io.StringIO(text) if isinstance(text, str) else text
    reader = csv.DictReader(lines)
    if not reader.fieldnames or "interval_start" not in reader.fieldnames or "interval_end" not in reader.fieldnames:
        return [], [{"row": 1, "error": "header must name interval_start and interval_end"}]
    records, errors = [], []
    for row in reader:
        line = reader.line_num
        try:
            records.append((line, parse_row(row, provider=provider)))
        except RowError as exc:
            errors.append({"row": line, "error": str(exc)})
    if not records and not errors:
        errors.append({"row": None, "error": "the file has no data rows"})
    return records, errors
