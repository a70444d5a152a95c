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
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Iterable, Mapping, Sequence, Union

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


@dataclass(frozen=True)
class Consumption:
    """IT energy used uniformly over [start, end); ``pue`` is the site default."""

    start: datetime
    end: datetime
    it_kwh: Number
    apply_pue: bool = False
    pue: Number = 1


@dataclass(frozen=True)
class Slice:
    start: datetime
    end: datetime
    kwh: Number
    clean_kwh: Number
    co2e_g: Number
    quality: str
    source: str
    pue: Number = 1  # the PUE really multiplied in: the interval's when metered, else the site default


@dataclass
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


class SupplySeries:
    """Non-overlapping supply intervals of one site, searchable by time."""

    def __init__(self, supplies: Iterable[Supply]) -> None:
        self.items = sorted((s for s in supplies if s.total_kw > 0), key=lambda s: s.start)
        self._ends = [s.end for s in self.items]

    def overlapping(self, start: datetime, end: datetime) -> list[Supply]:
        i = bisect.bisect_right(self._ends, start)
        out = []
        while i < len(self.items) and self.items[i].start < end:
            out.append(self.items[i])
            i += 1
        return out

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
    exact = not isinstance(c.it_kwh, float)
    out = Attribution()
    default_pue = c.pue if c.apply_pue else 1
    if c.end <= c.start:
        # An instantaneous reading belongs wholly to the interval holding its start.
        supply = series.at(c.start)
        pieces = [(supply, Fraction(1))] if supply else []
        covered = Fraction(1) if supply else Fraction(0)
    else:
        span = c.end - c.start
        pieces, covered_time = [], timedelta(0)
        for s in series.overlapping(c.start, c.end):
            overlap = min(c.end, s.end) - max(c.start, s.start)
            if overlap > timedelta(0):
                pieces.append((s, _ratio(overlap, span, exact)))
                covered_time += overlap
        covered = _ratio(covered_time, span, exact)
    for s, ratio in pieces:
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
        out.slices.append(
            Slice(max(c.start, s.start), min(max(c.end, c.start), s.end), e, clean_e, co2, s.quality, s.source, pue)
        )
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
