"""Hourly and daily series of a set of attributed ledger rows, in the site's time zone.

Every kWh appears: clean, other (known supply) and unknown (no supply data
for that time) are three series. A piece that spans an hour boundary is split
by duration, so the series sum to the totals. A period with no energy, or
whose share is unknown, has ``clean_share: null`` so a chart breaks its line
there instead of drawing through the gap.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from energy.tags import Attributed

UTC = ZoneInfo("UTC")
HOUR = timedelta(hours=1)


def _hour_pieces(start: datetime, end: datetime, zone: ZoneInfo):
    """(local hour, fraction of the piece) for each hour [start, end) touches; fraction 1 when instantaneous."""
    if end <= start:
        yield start.astimezone(zone).replace(minute=0, second=0, microsecond=0), 1.0
        return
    span = (end - start).total_seconds()
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while cursor < end:
        hour_end = cursor.replace(minute=0, second=0, microsecond=0) + HOUR
        piece_end = min(hour_end, end)
        yield cursor.astimezone(zone).replace(minute=0, second=0, microsecond=0), (piece_end - cursor).total_seconds() / span
        cursor = piece_end


def _rows(bucket: dict, step: timedelta, fmt: str, limit: int, zone: ZoneInfo) -> list[dict]:
    if not bucket:
        return []
    last = max(bucket)
    first = max(min(bucket), last - step * (limit - 1))
    out, t = [], first
    while t <= last:
        kwh, clean, unknown = bucket.get(t, (0.0, 0.0, 0.0))
        known = kwh - unknown
        out.append({
            "t": t.strftime(fmt), "kwh": kwh, "clean_kwh": clean, "other_kwh": max(known - clean, 0.0),
            "unknown_kwh": unknown, "coverage": known / kwh if kwh else None,
            "clean_share": clean / kwh if kwh and not unknown else None,
        })
        # Step in UTC and come back, so the walk is right in any zone.
        t = (t.astimezone(UTC) + step).astimezone(zone) if step < timedelta(days=1) else t + step
    return out


def series(items: list[Attributed], tz: str) -> dict:
    """Hourly (the last 168 hours with data) and daily series, empty periods as zeros."""
    zone = ZoneInfo(tz)
    hourly: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for a in items:
        for sl in a.result.slices:
            for hour, frac in _hour_pieces(sl.start, sl.end, zone):
                hourly[hour][0] += float(sl.kwh) * frac
                hourly[hour][1] += float(sl.clean_kwh) * frac
        for start, end, kwh in a.result.gaps:
            for hour, frac in _hour_pieces(start, end, zone):
                hourly[hour][0] += float(kwh) * frac
                hourly[hour][2] += float(kwh) * frac
    daily: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for hour, values in hourly.items():
        day = daily[hour.replace(hour=0)]
        for i in range(3):
            day[i] += values[i]
    return {
        "timezone": tz,
        "hourly": _rows(hourly, HOUR, "%Y-%m-%dT%H:00", 168, zone),
        "daily": _rows(daily, timedelta(days=1), "%Y-%m-%d", 366, zone),
    }
