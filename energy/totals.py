"""Sums of task summaries that never invent a share: unknown supply makes the share unknown."""

from __future__ import annotations

from dataclasses import dataclass, field

from energy.tags import Summary, basis_of, basis_of_summary


@dataclass
class GreenTotals:
    """Energy, clean energy and gCO2e summed over summaries, with what is needed to disclose them."""

    kwh: float = 0.0
    clean_kwh: float = 0.0
    co2e_g: float = 0.0
    covered_kwh: float = 0.0
    uncovered_kwh: float = 0.0
    basis_counts: dict[str, int] = field(default_factory=lambda: {"measured": 0, "estimated": 0, "mixed": 0,
                                                                   "unknown": 0})
    kwh_by_basis: dict[str, float] = field(default_factory=dict)
    source_quality: dict[str, set[str]] = field(default_factory=dict)
    qualities: set[str] = field(default_factory=set)
    pue: dict[str, set[float]] = field(default_factory=dict)
    watts: dict[str, set[float]] = field(default_factory=dict)
    # "consumer:job kind:basis" -> {"entries": n, "kwh": x}
    entries: dict[str, dict] = field(default_factory=dict)

    def add(self, summary: Summary | None, *, count: bool = True) -> None:
        """Add one task's (or any group's) summary; ``count`` adds it to the basis counts."""
        if count:
            self.basis_counts[basis_of_summary(summary)] += 1
        if summary is None or not summary.components:
            return
        t = summary.total
        self.kwh += float(t.kwh)
        self.clean_kwh += float(t.clean_kwh)
        self.co2e_g += float(t.co2e_g)
        self.covered_kwh += float(t.covered_kwh)
        self.uncovered_kwh += float(t.uncovered_kwh)
        self.qualities |= summary.qualities
        for c in summary.components:
            self.kwh_by_basis[c["quality"]] = self.kwh_by_basis.get(c["quality"], 0.0) + float(c["kwh"])
            row = self.entries.setdefault(f"{c['consumer']}:{c['job_kind'] or '-'}:{c['quality']}",
                                          {"entries": 0, "kwh": 0.0})
            row["entries"] += 1
            row["kwh"] += float(c["kwh"])
        for consumer, values in summary.watts.items():
            self.watts.setdefault(consumer, set()).update(values)
        for consumer, values in summary.pue.items():
            self.pue.setdefault(consumer, set()).update(values)
        for source, q in summary.source_quality.items():
            self.source_quality.setdefault(source, set()).update(q)

    @property
    def complete(self) -> bool:
        """Every kWh has supply data."""
        return self.kwh > 0 and not self.uncovered_kwh

    def as_dict(self) -> dict:
        """``clean_share``, ``clean_kwh`` and ``co2e_g`` only when every kWh has supply data, else null."""
        known = self.complete
        return {
            "energy_kwh": self.kwh,
            "clean_kwh": self.clean_kwh if known else None,
            "clean_share": self.clean_kwh / self.kwh if known else None,
            "co2e_g": self.co2e_g if known else None,
            "coverage": self.covered_kwh / self.kwh if self.kwh else None,
            "uncovered_kwh": self.uncovered_kwh,
            "basis": basis_of(self.qualities),
        }
