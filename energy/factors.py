"""Which supply sources count as clean and what each emits (energy.md §4.1).

Configurable through settings so a site can adopt a lifecycle table; the
defaults are the "direct" mode: clean sources emit 0 g/kWh, fossil sources
use CodeCarbon's per-source table.
"""

from django.conf import settings
from django.utils.translation import gettext_noop

METHODOLOGY_VERSION = "2.0"
BASIS = gettext_noop("location-based, hourly matching (GHG Scope 2 location-based)")

DEFAULT_CLEAN_SOURCES = frozenset(
    {"hydro", "solar", "wind", "biomass", "geothermal", "nuclear", "storage_clean"}
)
# g CO2e per kWh; every source not listed here falls back to "unknown".
DEFAULT_EMISSION_FACTORS: dict[str, float] = {
    "coal": 995,
    "gas": 743,
    "oil": 816,
    "unknown": 995,
    "storage_other": 995,
    "other": 995,
}


def clean_sources() -> frozenset[str]:
    return frozenset(getattr(settings, "ENERGY_CLEAN_SOURCES", DEFAULT_CLEAN_SOURCES))


def emission_factors() -> dict[str, float]:
    return dict(getattr(settings, "ENERGY_EMISSION_FACTORS", DEFAULT_EMISSION_FACTORS))


def factor_for(source: str, *, clean: frozenset[str], factors: dict[str, float]) -> float:
    if source in clean:
        return factors.get(source, 0)
    return factors.get(source, factors.get("unknown", 995))
