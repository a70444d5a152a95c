"""``static:qinghai-sample-v1``: a SYNTHETIC 24-hour Qinghai-like supply profile.

Hand-built in energy.md §3.4 from public facts (solar bell centred ~13:30
Beijing time, hydro balancing, storage discharge in the evening, coal only at
night and in the evening peak). Not measured data: every interval it yields is
``quality="estimated"``. Values are fractions of total supply per local hour,
so intervals are per-unit (total_kw = 1).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from energy.attribution import Supply

SOURCES = ("solar", "wind", "hydro", "storage_clean", "coal")
# hour (local, UTC+8): solar, wind, hydro, storage, coal
QINGHAI_SAMPLE_V1: tuple[tuple[float, float, float, float, float], ...] = (
    (0.00, 0.30, 0.53, 0.00, 0.17),
    (0.00, 0.31, 0.52, 0.00, 0.17),
    (0.00, 0.31, 0.52, 0.00, 0.17),
    (0.00, 0.30, 0.52, 0.00, 0.18),
    (0.00, 0.29, 0.53, 0.00, 0.18),
    (0.00, 0.27, 0.54, 0.00, 0.19),
    (0.00, 0.25, 0.54, 0.00, 0.21),
    (0.03, 0.22, 0.55, 0.00, 0.20),
    (0.15, 0.18, 0.55, 0.00, 0.12),
    (0.33, 0.15, 0.48, 0.00, 0.04),
    (0.50, 0.13, 0.37, 0.00, 0.00),
    (0.62, 0.12, 0.26, 0.00, 0.00),
    (0.69, 0.12, 0.19, 0.00, 0.00),
    (0.72, 0.12, 0.16, 0.00, 0.00),
    (0.71, 0.12, 0.17, 0.00, 0.00),
    (0.65, 0.13, 0.22, 0.00, 0.00),
    (0.54, 0.15, 0.29, 0.00, 0.02),
    (0.38, 0.17, 0.39, 0.00, 0.06),
    (0.20, 0.19, 0.46, 0.03, 0.12),
    (0.06, 0.22, 0.48, 0.08, 0.16),
    (0.00, 0.25, 0.49, 0.09, 0.17),
    (0.00, 0.27, 0.49, 0.07, 0.17),
    (0.00, 0.28, 0.51, 0.04, 0.17),
    (0.00, 0.29, 0.53, 0.01, 0.17),
)
# The clean column of the table (= 1 − coal), kept as printed so shares are exact decimals.
CLEAN_V1 = (0.83, 0.83, 0.83, 0.82, 0.82, 0.81, 0.79, 0.80, 0.88, 0.96, 1.00, 1.00,
            1.00, 1.00, 1.00, 1.00, 0.98, 0.94, 0.88, 0.84, 0.83, 0.83, 0.83, 0.83)

PROFILES = {"qinghai-sample-v1": (QINGHAI_SAMPLE_V1, CLEAN_V1)}


class StaticProfileProvider:
    def __init__(self, profile: str = "qinghai-sample-v1") -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown static profile {profile!r}")
        self.profile = profile
        self.name = f"static:{profile}"
        self.rows, self.clean = PROFILES[profile]

    def actuals(self, *, tz: str, start: datetime, end: datetime) -> list[Supply]:
        zone = ZoneInfo(tz)
        local = start.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        out = []
        while local < end:
            # Step in UTC so a DST zone never repeats or skips an hour.
            nxt = (local.astimezone(ZoneInfo("UTC")) + timedelta(hours=1)).astimezone(zone)
            row = self.rows[local.hour]
            out.append(
                Supply(
                    start=local,
                    end=nxt,
                    total_kw=1.0,
                    clean_kw=self.clean[local.hour],
                    by_source_kw={s: v for s, v in zip(SOURCES, row) if v},
                    pue=None,
                    quality="estimated",
                    source=self.name,
                )
            )
            local = nxt
        return out

    forecast = actuals
