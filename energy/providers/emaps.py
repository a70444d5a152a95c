"""An HTTP feed in the Electricity Maps ``power-breakdown`` shape (energy.md §1.4, §4.6).

Electricity Maps has no Qinghai zone, so ``ENERGY_FEED_URL`` points at our own
small server replaying a meter or dispatch-centre feed in this shape; the same
code reads the real API for other regions. Values are MW; we store kW.

Mapping of one history element: ``datetime`` is the period start, the period
is one hour; nulls count as 0; ``battery discharge``/``hydro discharge`` are
storage, clean only in the share the server states in our extension
``storageCleanShare`` (otherwise not clean, as Electricity Maps does). Without
a breakdown, ``renewablePercentage`` gives the clean part.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from energy.attribution import Supply
from energy.factors import clean_sources

log = logging.getLogger("energy.feed")

STORAGE_KEYS = ("battery discharge", "hydro discharge")


class FeedError(Exception):
    """The feed could not be read; nothing was stored."""


def _mw(value, key: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key} is not a number: {value!r}")
    # Negative discharge means charging: no supply from that source this hour.
    return max(float(value), 0.0)


def map_element(item: dict, *, provider: str, step: timedelta = timedelta(hours=1)) -> Supply:
    """One ``power-breakdown`` object → a Supply record (raises ValueError on garbage)."""
    if not isinstance(item, dict):
        raise ValueError("element is not an object")
    raw_time = item.get("datetime")
    try:
        start = datetime.fromisoformat(str(raw_time).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"datetime {raw_time!r} is not ISO 8601") from None
    if start.tzinfo is None:
        raise ValueError(f"datetime {raw_time!r} has no time zone")
    clean_set = clean_sources()
    breakdown = item.get("powerConsumptionBreakdown")
    by_source: dict[str, float] = {}
    if isinstance(breakdown, dict) and any(v is not None for v in breakdown.values()):
        storage_share = item.get("storageCleanShare")
        if storage_share is not None:
            storage_share = _mw(storage_share, "storageCleanShare")
            if storage_share > 1:
                raise ValueError("storageCleanShare is above 1")
        for key, value in breakdown.items():
            kw = _mw(value, key) * 1000
            if key in STORAGE_KEYS:
                clean_part = kw * (storage_share or 0)
                by_source["storage_clean"] = by_source.get("storage_clean", 0) + clean_part
                by_source["storage_other"] = by_source.get("storage_other", 0) + kw - clean_part
            else:
                by_source[key] = by_source.get(key, 0) + kw
        by_source = {k: v for k, v in by_source.items() if v}
        total = sum(by_source.values())
        clean = sum(v for k, v in by_source.items() if k in clean_set)
    else:
        pct = item.get("renewablePercentage")
        if pct is None:
            raise ValueError("neither powerConsumptionBreakdown nor renewablePercentage is given")
        pct = _mw(pct, "renewablePercentage")
        if pct > 100:
            raise ValueError("renewablePercentage is above 100")
        total = _mw(item.get("powerConsumptionTotal"), "powerConsumptionTotal") * 1000 or 1.0
        clean = total * pct / 100
    if total <= 0:
        raise ValueError("total power is zero")
    quality = "estimated" if item.get("isEstimated", True) is not False else "measured"
    return Supply(start, start + step, total, min(clean, total), by_source, None, quality, provider)


def map_history(payload, *, provider: str) -> tuple[list[tuple[int, Supply]], list[dict]]:
    """A ``history`` (or single ``latest``) payload → (records, problems per element)."""
    if isinstance(payload, dict) and isinstance(payload.get("history"), list):
        items = payload["history"]
    elif isinstance(payload, dict) and "datetime" in payload:
        items = [payload]
    else:
        raise FeedError("the feed's JSON has neither a history list nor a datetime")
    records, problems = [], []
    for index, item in enumerate(items, start=1):
        try:
            records.append((index, map_element(item, provider=provider)))
        except ValueError as exc:
            problems.append({"row": index, "error": str(exc)})
    return records, problems


def fetch(*, base_url: str, zone: str, token: str = "", timeout: float = 10.0) -> dict:
    """GET ``{base}/v3/power-breakdown/history?zone=…``; FeedError on any failure."""
    url = f"{base_url.rstrip('/')}/v3/power-breakdown/history?{urllib.parse.urlencode({'zone': zone})}"
    request = urllib.request.Request(url, headers={"auth-token": token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            body = response.read(5_000_000)
    except TimeoutError:
        raise FeedError(f"energy feed {url} timed out after {timeout:g}s") from None
    except urllib.error.HTTPError as exc:
        raise FeedError(f"energy feed {url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise FeedError(f"energy feed {url} timed out after {timeout:g}s") from None
        raise FeedError(f"energy feed {url} unreachable: {reason}") from None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise FeedError(f"energy feed {url} returned something that is not JSON ({body[:60]!r})") from None
