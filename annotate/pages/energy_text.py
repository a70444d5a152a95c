"""The green report's words in the reader's language.

The report's data (and every dataset's green block) keep their English sentences
and codes; ``energy`` marks them with gettext_noop, and this module turns them
into the page's language, so the page translates while the data never changes.
"""

from django.utils.translation import gettext as translated  # of data, marked where it is made
from django.utils.translation import gettext_lazy

from energy import method as energy_method

CODES = {
    # supply sources and emission factor keys
    "coal": gettext_lazy("coal"), "oil": gettext_lazy("oil"), "gas": gettext_lazy("gas"),
    "hydro": gettext_lazy("hydro"), "solar": gettext_lazy("solar"), "wind": gettext_lazy("wind"),
    "biomass": gettext_lazy("biomass"), "geothermal": gettext_lazy("geothermal"),
    "nuclear": gettext_lazy("nuclear"), "storage_clean": gettext_lazy("clean storage"),
    "storage_other": gettext_lazy("other storage"), "other": gettext_lazy("other"),
    "unknown": gettext_lazy("unknown"), "clean": gettext_lazy("clean"),
    # bases and qualities
    "measured": gettext_lazy("measured"), "estimated": gettext_lazy("estimated"),
    "mixed": gettext_lazy("partly measured"),
    # deferrable jobs: kinds, decisions, reasons, states
    "export": gettext_lazy("dataset export"), "bulk_quality": gettext_lazy("bulk quality checks"),
    "thumbnails": gettext_lazy("thumbnails"), "predictions": gettext_lazy("model predictions"),
    "training": gettext_lazy("model training"),
    "deferred": gettext_lazy("deferred"), "run_now": gettext_lazy("run now"), "released": gettext_lazy("released"),
    "good-enough-now": gettext_lazy("clean enough now"), "gain-too-small": gettext_lazy("waiting would gain too little"),
    "no-forecast-or-no-slack": gettext_lazy("no forecast, or no time to wait"),
    "waiting": gettext_lazy("waiting"), "failed": gettext_lazy("failed to queue"),
    # the sites' PUE keys
    "workstation": gettext_lazy("workstation"), "server": gettext_lazy("server"), "web": gettext_lazy("web"),
}


def code_text(code: str | None) -> str:
    """A code of the report in words, or the code itself when it is a name (a source, a kind) we do not know."""
    if code is None:
        return "–"
    return str(CODES.get(code, code))


def method_text(report: dict) -> dict:
    m = report["method"]
    boundary = m["boundary"]
    return {
        "basis": translated(m["basis"]),
        "placement": translated(boundary["placement"]),
        "counted": [translated(energy_method.WORKSTATIONS_COUNTED) % {"idle": f"{boundary['idle_cutoff_s']:g}"},
                    *(translated(line) for line in energy_method.COUNTED)],
        "not_counted": [translated(line) for line in boundary["not_counted"]],
        "factors": [(code_text(k), v) for k, v in m["emission_factors_g_per_kwh"].items()],
        "factor_mode": translated(m["emission_factor_mode"]),
        "sources": [(s["source"], ", ".join(code_text(q) for q in s["quality"])) for s in m["supply_sources"]],
        "uncertainty": translated(m["uncertainty"]["statement"]),
        "rule": translated(report["contract_based"]["rule"]),
        "note": translated(report["deferrals"]["note"]),
        "totals_basis": code_text(report["totals"]["basis"]),
    }
