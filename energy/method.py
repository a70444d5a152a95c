"""The method block every green figure travels with: how it was made, what it covers.

One builder for the green report and every dataset format (COCO, YOLO,
VOC), so a figure never leaves without its methodology version, boundary,
factors, supply sources, PUE, certificates and uncertainty.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_noop

# The sentences below are data (every dataset carries them, in English); they are
# marked so that the green report page can show them translated.

from energy.certificates import certificates_allocated
from energy.factors import BASIS, METHODOLOGY_VERSION, clean_sources, emission_factors
from energy.models import Site
from energy.totals import GreenTotals

# Relative error of an energy figure by how it was obtained (energy.md §5):
# device watts and watts per core are assumptions (±50 %); a meter reads within ±5 %.
RELATIVE_ERROR = {"estimated": 0.5, "measured": 0.05}

PLACEMENT = gettext_noop(
    "each credited stretch of active labeling time (heartbeat, save, submit) is recorded with its start, end and "
    "seconds, ending at the credit point; its energy is split across the supply intervals it overlaps"
)
NOT_COUNTED = [
    gettext_noop("database server power (not measured; out of the boundary)"),
    gettext_noop("idle server power between requests and jobs (out of the boundary)"),
    gettext_noop("network, storage and the annotator's display beyond the device watts"),
    gettext_noop("embodied (manufacturing) emissions"),
    gettext_noop("web requests that serve no single project (sign-in, project list, admin)"),
]


WORKSTATIONS_COUNTED = gettext_noop(
    "annotator workstations: active labeling seconds (gaps capped at %(idle)s s of idleness) x device watts, PUE 1"
)
COUNTED = [
    gettext_noop("background jobs (quality checks, thumbnails, exports, predictions): CPU seconds x watts per core x PUE"),
    gettext_noop("web requests: CPU seconds of the request's thread x watts per core x PUE, attributed to the project "
                 "or task served"),
]
UNCERTAINTY = gettext_noop(
    "kWh and gCO2e are estimates: device watts and watts per core are assumed (±50 %), meters ±5 %. "
    "The clean share depends on when energy was used, not on how much, so it is far less uncertain "
    "than kWh; supply marked 'estimated' (e.g. a synthetic profile) is not a measurement."
)
FACTOR_MODE = gettext_noop("direct (combustion) factors per source; clean sources 0 g/kWh")


def boundary(watts: dict[str, set[float]]) -> dict:
    """What is counted, with the parameters actually applied to the energy in scope."""
    idle = float(settings.LABELING_IDLE_CUTOFF_SECONDS)
    return {
        "counted": [WORKSTATIONS_COUNTED % {"idle": f"{idle:g}"}, *COUNTED],
        "not_counted": NOT_COUNTED,
        "idle_cutoff_s": idle,
        "workstation_watts": sorted(watts.get("workstation", ())),
        "watts_per_core": sorted(watts.get("server", ())),
        "placement": PLACEMENT,
    }


def uncertainty(*, kwh_by_basis: dict[str, float], co2e_g: float | None) -> dict:
    """A range for kWh (and gCO2e) from each part's relative error; the share is stated, not ranged."""
    kwh = sum(kwh_by_basis.values())
    err = sum(v * RELATIVE_ERROR.get(b, 0.5) for b, v in kwh_by_basis.items())
    rel = err / kwh if kwh else 0.0
    return {
        "statement": UNCERTAINTY,
        "relative_error": rel,
        "energy_kwh_range": [kwh * (1 - rel), kwh * (1 + rel)],
        "co2e_g_range": None if co2e_g is None else [co2e_g * (1 - rel), co2e_g * (1 + rel)],
    }


def method_block(*, project_id: int, totals: GreenTotals, site_ids: set[int], scope: str) -> dict:
    """The green block: totals (nothing invented) with everything needed to check them.

    Everything but the certificates comes from the entries in scope, so a
    dataset's block changes only when its tasks' energy does.
    """
    figures = totals.as_dict()
    return {
        "methodology_version": METHODOLOGY_VERSION,
        "basis": BASIS,
        "scope": scope,
        "totals": figures,
        "basis_counts": totals.basis_counts,
        "entries": dict(sorted(totals.entries.items())),
        "boundary": boundary(totals.watts),
        "clean_sources": sorted(clean_sources()),
        "emission_factors_g_per_kwh": {**emission_factors(), "clean": 0},
        "emission_factor_mode": FACTOR_MODE,
        "supply_sources": [{"source": s, "quality": sorted(q)} for s, q in sorted(totals.source_quality.items())],
        "sites": [{"slug": s.slug, "default_pue": s.default_pue, "static_profile": s.static_profile or None}
                  for s in Site.objects.filter(pk__in=site_ids).order_by("slug")],
        # What was multiplied in (a metered interval's PUE wins over the site default); workstations get 1.
        "pue_applied": {k: sorted(v) for k, v in sorted(totals.pue.items())},
        "contract_based": certificates_allocated(project_id=project_id, site_ids=site_ids),
        "uncertainty": uncertainty(kwh_by_basis=totals.kwh_by_basis, co2e_g=figures["co2e_g"]),
    }
