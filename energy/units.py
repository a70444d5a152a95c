"""Energy figures for people: a unit that suits the size, three significant digits."""

from __future__ import annotations


def _sig3(value: float) -> str:
    text = f"{value:#.3g}".rstrip(".")
    return text if "e" not in text else f"{value:.0f}"


def energy_text(kwh: float | None) -> str:
    """``1.23 kWh``, ``45.6 Wh``, ``812 mWh``; an empty figure is ``0 Wh``; unknown is ``–``."""
    if kwh is None:
        return "–"
    if kwh == 0:
        return "0 Wh"
    if abs(kwh) >= 1:
        return f"{_sig3(kwh)} kWh"
    if abs(kwh) >= 0.001:
        return f"{_sig3(kwh * 1000)} Wh"
    return f"{_sig3(kwh * 1_000_000)} mWh"


def energy_range_text(kwh: float | None, relative_error: float) -> str:
    """The figure with its range when the estimate is coarse: ``12.3 Wh (6.15–18.5 Wh)``."""
    if kwh is None or not kwh or relative_error <= 0:
        return energy_text(kwh)
    return f"{energy_text(kwh)} ({energy_text(kwh * (1 - relative_error))}–{energy_text(kwh * (1 + relative_error))})"


def grams_text(grams: float | None) -> str:
    """gCO2e with three significant digits (``0.0412 g``, ``2.40 g``, ``1.20 kg``)."""
    if grams is None:
        return "–"
    if abs(grams) >= 1000:
        return f"{_sig3(grams / 1000)} kg"
    return f"{_sig3(grams)} g" if grams else "0 g"
