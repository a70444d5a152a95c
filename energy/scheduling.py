"""Best start window for a deferrable job (energy.md §4.8).

The Carbon Aware SDK's ``forecasts/current`` algorithm, maximising clean share:
slide a window of the job's duration over the forecast in ``tick`` steps, take
the time-weighted average of each position, keep the best (earliest on ties).
Run now when the current window is good enough, when deferring gains little,
or when there is no forecast covering the time until the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from energy.attribution import hours

GOOD_ENOUGH_NOW = "good-enough-now"
GAIN_TOO_SMALL = "gain-too-small"
NO_FORECAST = "no-forecast-or-no-slack"
DEFERRED = "deferred"


@dataclass(frozen=True)
class Point:
    """Forecast clean share over [start, end)."""

    start: datetime
    end: datetime
    share: float


class Forecast:
    def __init__(self, points: Sequence[Point]) -> None:
        self.points = sorted(points, key=lambda p: p.start)

    def covers(self, start: datetime, end: datetime) -> bool:
        """True when the points tile [start, end) without a gap."""
        cursor = start
        for p in self.points:
            if p.end <= cursor:
                continue
            if p.start > cursor:
                return False
            cursor = p.end
            if cursor >= end:
                return True
        return cursor >= end

    def time_weighted_mean(self, start: datetime, end: datetime) -> float | None:
        """Mean share over [start, end), each point weighted by its overlap."""
        if end <= start or not self.covers(start, end):
            return None
        total = weight = 0
        for p in self.points:
            overlap = min(end, p.end) - max(start, p.start)
            if overlap > timedelta(0):
                h = hours(overlap)
                total += p.share * h
                weight += h
        return total / weight


@dataclass(frozen=True)
class Plan:
    start: datetime
    reason: str
    current_share: float | None
    expected_share: float | None

    @property
    def deferred(self) -> bool:
        return self.reason == DEFERRED


def plan_start(
    *,
    now: datetime,
    duration: timedelta,
    deadline: datetime,
    forecast: Forecast,
    tick: timedelta = timedelta(minutes=15),
    run_now_threshold: float = 0.95,
    min_gain: float = 0.05,
) -> Plan:
    """Pick when to start a job of ``duration`` that must end by ``deadline``."""
    latest = deadline - duration
    if latest <= now or not forecast.covers(now, deadline):
        current = forecast.time_weighted_mean(now, now + duration)
        return Plan(now, NO_FORECAST, current, current)
    current = forecast.time_weighted_mean(now, now + duration)
    if current >= run_now_threshold:
        return Plan(now, GOOD_ENOUGH_NOW, current, current)
    best, best_avg = now, current
    k = 1
    while now + k * tick <= latest:
        start = now + k * tick
        avg = forecast.time_weighted_mean(start, start + duration)
        # Rounded so float noise cannot beat an equal, earlier window.
        if avg is not None and round(avg, 12) > round(best_avg, 12):
            best, best_avg = start, avg
        k += 1
    if best_avg - current < min_gain:
        return Plan(now, GAIN_TOO_SMALL, current, current)
    return Plan(best, DEFERRED, current, best_avg)
