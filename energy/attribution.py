"""Attribution of consumption to the supply mix, interval by interval (energy.md §4.3).

Pure functions over plain data, no database. Numbers may be floats or
``fractions.Fraction``: given Fractions the results are exact, which is how the
worked examples of §4.11 are asserted.

Rules kept here:
- a consumption slice is split across every supply interval it overlaps, with
  its power assumed uniform over the slice (hourly matching, never an annual
  average);
- the clean share of a set of slices is Σ clean kWh / Σ kWh (energy-weighted,
  not the mean of interval shares);
- PUE multiplies server (data-centre) energy only; workstations get 1;
- time not covered by any supply interval stays uncovered: its share is
  unknown, never invented.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Iterable, Mapping, NamedTuple, Sequence, Union

from energy.factors import factor_for

Number = Union[float, Fraction, int]


def hours(delta: timedelta) -> Fraction:
    """Exact hours of a timedelta (microsecond resolution)."""
    return Fraction(delta // timedelta(microseconds=1), 3_600_000_000)


@dataclass(frozen=True)
class Supply:
    """Average supply power over [start, end) at one site."""

    start: datetime
    end: datetime
    total_kw: Number
    clean_kw: Number
    by_source_kw: Mapping[str, Number] = field(default_factory=dict)
    pue: Number | None = None
    quality: str = "estimated"
    source: str = ""

    @property
    def share(self) -> Number:
        return self.clean_kw / self.total_kw


# Consumption and Slice are made once per ledger row (an export attributes every
# row of its tasks): immutable tuples cost a third of what frozen dataclasses do.
class Consumption(NamedTuple):
    """IT energy used uniformly over [start, end); ``pue`` is the site default."""

    start: datetime
    end: datetime
    it_kwh: Number
    apply_pue: bool = False
    pue: Number = 1


class Slice(NamedTuple):
    start: datetime
    end: datetime
    kwh: Number
    clean_kwh: Number
    co2e_g: Number
    quality: str
    source: str
    pue: Number = 1  # the PUE really multiplied in: the interval's when metered, else the site default


@dataclass(slots=True)
class Attribution:
    kwh: Number = 0
    clean_kwh: Number = 0
    co2e_g: Number = 0
    covered_kwh: Number = 0
    uncovered_kwh: Number = 0
    slices: list[Slice] = field(default_factory=list)
    # (start, end, kWh) of the parts with no supply data, so charts can show them where they were used.
    gaps: list[tuple[datetime, datetime, Number]] = field(default_factory=list)

    @property
    def clean_share(self) -> Number | None:
        """Clean share, or None when any of the energy has no supply data."""
        if self.uncovered_kwh or not self.kwh:
            return None
        return self.clean_kwh / self.kwh


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc)


class SupplySeries:
    """Non-overlapping supply intervals of one site, searchable by time."""

    def __init__(self, supplies: Iterable[Supply]) -> None:
        self.items = sorted((s for s in supplies if s.total_kw > 0), key=lambda s: s.start)
        # The bounds again in UTC, for comparing: ledger times come from the database in
        # UTC, and comparing datetimes of two different zones costs ~20 times more.
        self._starts = [_utc(s.start) for s in self.items]
        self._ends = [_utc(s.end) for s in self.items]

    def _positions(self, start: datetime, end: datetime) -> range:
        """Positions in ``items`` of the intervals overlapping [start, end)."""
        first = last = bisect.bisect_right(self._ends, start)
        while last < len(self._starts) and self._starts[last] < end:
            last += 1
        return range(first, last)

    def overlapping(self, start: datetime, end: datetime) -> list[Supply]:
        return [self.items[i] for i in self._positions(start, end)]

    def at(self, moment: datetime) -> Supply | None:
        found = self.overlapping(moment, moment + timedelta(microseconds=1))
        return found[0] if found else None


def supply_co2_per_kwh(supply: Supply, *, clean: frozenset[str], factors: dict[str, float]) -> Number:
    """gCO2e of one kWh drawn from this supply mix."""
    if supply.by_source_kw:
        return sum(
            (kw / supply.total_kw) * factor_for(src, clean=clean, factors=factors)
            for src, kw in supply.by_source_kw.items()
        )
    # Only a clean/total split is known: the rest counts as "unknown".
    return (1 - supply.share) * factors.get("unknown", 995)


def attribute(
    consumption: Consumption,
    series: SupplySeries,
    *,
    clean: frozenset[str],
    factors: dict[str, float],
    co2_cache: dict[int, Number] | None = None,
) -> Attribution:
    """Split one consumption across the supply intervals it overlaps.

    ``co2_cache`` (keyed by id of the supply) saves recomputing a mix's
    emission factor when many consumptions share a series.
    """
    c = consumption
    c_start, c_end = c.start, c.end
    exact = not isinstance(c.it_kwh, float)
    out = Attribution()
    default_pue = c.pue if c.apply_pue else 1
    # A slice runs from max(c.start, s.start) to min(max(c.end, c.start), s.end),
    # each the very object max() and min() would return (the first of equals); the
    # supply's bounds are compared in UTC (see SupplySeries).
    latest_end = c_start if c_start > c_end else c_end
    if c_end <= c_start:
        # An instantaneous reading belongs wholly to the interval holding its start.
        found = series._positions(c_start, c_start + timedelta(microseconds=1))[:1]
        pieces = [(i, Fraction(1)) for i in found]
        covered = Fraction(1) if found else Fraction(0)
    else:
        span = c_end - c_start
        pieces, covered_time = [], _NOTHING
        for i in series._positions(c_start, c_end):
            s_start, s_end = series._starts[i], series._ends[i]
            overlap = (s_end if s_end < c_end else c_end) - (s_start if s_start > c_start else c_start)
            if overlap > _NOTHING:
                pieces.append((i, _ratio(overlap, span, exact)))
                covered_time += overlap
        covered = _ratio(covered_time, span, exact)
    for i, ratio in pieces:
        s = series.items[i]
        pue = (s.pue if s.pue is not None else c.pue) if c.apply_pue else 1
        e = c.it_kwh * ratio * pue
        clean_e = e * s.share
        if co2_cache is None:
            per_kwh = supply_co2_per_kwh(s, clean=clean, factors=factors)
        elif (per_kwh := co2_cache.get(id(s))) is None:
            per_kwh = co2_cache[id(s)] = supply_co2_per_kwh(s, clean=clean, factors=factors)
        co2 = e * per_kwh
        out.kwh += e
        out.covered_kwh += e
        out.clean_kwh += clean_e
        out.co2e_g += co2
        out.slices.append(Slice(
            s.start if series._starts[i] > c_start else c_start,
            s.end if series._ends[i] < latest_end else latest_end,
            e, clean_e, co2, s.quality, s.source, pue,
        ))
    if covered < 1:
        out.uncovered_kwh = c.it_kwh * (1 - covered) * default_pue
        out.kwh += out.uncovered_kwh
        out.gaps = _gaps(c, [(sl.start, sl.end) for sl in out.slices], out.uncovered_kwh)
    return out


def _gaps(c: Consumption, covered: list[tuple[datetime, datetime]], uncovered_kwh: Number) -> list:
    """The uncovered stretches of ``c`` with their share of ``uncovered_kwh`` (by duration)."""
    if c.end <= c.start:
        return [(c.start, c.start, uncovered_kwh)]
    holes, cursor = [], c.start
    for start, end in sorted(covered):
        if start > cursor:
            holes.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < c.end:
        holes.append((cursor, c.end))
    total = sum(((e - s) for s, e in holes), timedelta(0))
    return [(s, e, uncovered_kwh * ((e - s) / total)) for s, e in holes] if total else []


_NOTHING = timedelta(0)


def _ratio(part: timedelta, whole: timedelta, exact: bool) -> Number:
    # Floats in, floats out (fast); anything else gets exact Fractions.
    if not exact:
        return part / whole
    return Fraction(part // timedelta(microseconds=1), whole // timedelta(microseconds=1))


def combine(parts: Sequence[Attribution]) -> Attribution:
    """Sum attributions; the share of the sum is energy-weighted."""
    total = Attribution()
    for p in parts:
        total.kwh += p.kwh
        total.clean_kwh += p.clean_kwh
        total.co2e_g += p.co2e_g
        total.covered_kwh += p.covered_kwh
        total.uncovered_kwh += p.uncovered_kwh
        total.slices.extend(p.slices)
        total.gaps.extend(p.gaps)
    return total
