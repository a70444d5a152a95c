"""Server-side (Celery job) energy (energy.md §4.7).

The CPU-time model is always available: cpu_seconds × watts per core. RAPL
counters, when readable, give a measured figure attributed by CPU-time share;
they wrap at ``max_energy_range_uj``. PUE is applied later, in attribution,
so it is applied exactly once.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from typing import Union

Number = Union[float, Fraction, int]


def cpu_kwh(*, cpu_seconds: Number, watts_per_core: Number) -> Number:
    """IT energy of a job from its CPU time, before PUE."""
    return cpu_seconds * watts_per_core / 3_600_000


def rapl_delta_uj(*, start_uj: int, end_uj: int, max_energy_range_uj: int) -> int:
    """Energy between two readings of a RAPL counter that may have wrapped once."""
    return (end_uj - start_uj) % max_energy_range_uj


def rapl_share_joules(*, delta_uj: int, cpu_share: Number) -> Number:
    """The job's part of the package energy, by its share of busy CPU time."""
    return Fraction(delta_uj, 1_000_000) * cpu_share


def _cpu_now() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class CpuMeter:
    """``with CpuMeter() as m: ...`` then m.cpu_seconds, m.started_at, m.ended_at.

    Process CPU time is right under Celery's prefork pool (one job per process
    at a time); under threaded pools it over-counts.
    """

    started_at: datetime | None = None
    ended_at: datetime | None = None
    cpu_seconds: float = 0.0
    _cpu0: float = field(default=0.0, repr=False)

    def __enter__(self) -> "CpuMeter":
        self.started_at = datetime.now(timezone.utc)
        self._cpu0 = _cpu_now()
        return self

    def __exit__(self, *exc) -> None:
        self.cpu_seconds = max(0.0, _cpu_now() - self._cpu0)
        self.ended_at = datetime.now(timezone.utc)


def wall_clock() -> float:
    return time.time()
