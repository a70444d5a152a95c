"""Annotator workstation energy from browser activity (energy.md §4.4).

Only active labeling time is attributed, not idle tab time: each gap between
interaction events counts up to ``idle_cutoff`` seconds, and a gap that starts
while the tab is hidden counts nothing. No PUE: a workstation is not in a data
centre.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence, Union

Number = Union[float, Fraction, int]

DEFAULT_IDLE_CUTOFF_S = 60


@dataclass(frozen=True)
class Event:
    """One browser interaction, ``t`` in seconds; kind "hidden" pauses counting until "visible"."""

    t: Number
    kind: str = "input"


def active_spans(events: Sequence[Event | Number], *, idle_cutoff: Number = DEFAULT_IDLE_CUTOFF_S) -> list[tuple[Number, Number]]:
    """The [start, end) spans of active time, so they can be split into supply intervals."""
    evs = sorted((e if isinstance(e, Event) else Event(e) for e in events), key=lambda e: e.t)
    spans: list[tuple[Number, Number]] = []
    hidden = False
    for here, nxt in zip(evs, evs[1:]):
        if here.kind == "hidden":
            hidden = True
        elif here.kind in ("visible", "input", "end"):
            hidden = False
        if hidden or here.kind == "end":
            continue
        gap = min(nxt.t - here.t, idle_cutoff)
        if gap > 0:
            spans.append((here.t, here.t + gap))
    return spans


def active_seconds(events: Sequence[Event | Number], *, idle_cutoff: Number = DEFAULT_IDLE_CUTOFF_S) -> Number:
    """Σ min(gap, idle_cutoff) over visible gaps; nothing after the last event."""
    return sum((end - start for start, end in active_spans(events, idle_cutoff=idle_cutoff)), 0)


def workstation_kwh(*, active_seconds: Number, watts: Number) -> Number:
    """IT energy of a workstation: seconds × watts, in kWh (PUE is 1 by definition)."""
    return active_seconds * watts / 3_600_000
