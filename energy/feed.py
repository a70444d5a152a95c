"""Polling the HTTP supply feed (Electricity Maps power-breakdown shape)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError

from energy.providers.emaps import FeedError, fetch, map_history
from energy.supply import site_get, supply_store

log = logging.getLogger("energy.feed")


def feed_poll(
    *,
    base_url: str | None = None,
    zone: str | None = None,
    site: str | None = None,
    token: str | None = None,
    timeout: float | None = None,
) -> dict:
    """Fetch the feed and store its intervals; failures are logged, nothing half-written."""
    base_url = base_url if base_url is not None else getattr(settings, "ENERGY_FEED_URL", "")
    if not base_url:
        return {"status": "disabled", "stored": 0, "problems": []}
    the_site = site_get(site or getattr(settings, "ENERGY_FEED_SITE", None))
    zone = zone or the_site.feed_zone or getattr(settings, "ENERGY_FEED_ZONE", "")
    token = token if token is not None else getattr(settings, "ENERGY_FEED_TOKEN", "")
    timeout = timeout or getattr(settings, "ENERGY_FEED_TIMEOUT_S", 10.0)
    provider = f"emaps:{zone or the_site.slug}"
    try:
        records, problems = map_history(fetch(base_url=base_url, zone=zone, token=token, timeout=timeout), provider=provider)
    except FeedError as exc:
        log.warning("energy feed not read, nothing stored: %s", exc)
        return {"status": "error", "error": str(exc), "stored": 0, "problems": []}
    for p in problems:
        log.warning("energy feed element %s skipped: %s", p["row"], p["error"])
    try:
        result = supply_store(site=the_site, records=records, strict=False)
    except IntegrityError as exc:  # another poll or import wrote the same interval meanwhile
        log.warning("energy feed not stored (concurrent write), will retry next poll: %s", exc)
        return {"status": "error", "error": "concurrent write", "stored": 0, "problems": problems}
    for p in result.skipped:
        log.warning("energy feed element %s not stored: %s", p["row"], p["error"])
    return {
        "status": "ok",
        "stored": result.created + result.updated + result.unchanged,
        "kept": result.kept,
        "problems": problems + result.skipped,
    }
