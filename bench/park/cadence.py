"""When a simulated annotator does what, the same for Plateau and Label Studio.

A task takes ``PARK_THINK`` seconds, uniform (default 30–60). During it the
person makes ``PARK_EDITS`` changes (default 3–5: three boxes drawn, some
moved), spread at random over the task; each change is saved ``SAVE_DELAY_S``
later (``SAVE_DELAY_MS`` in ``annotate/static/annotate/tool/autosave.js``
debounces each change by 0.8 s; changes closer than that are one save). A save
renews the lease, so the tool heartbeats only ``PARK_HEARTBEAT`` seconds
(default 30 = ``LABELING_TOOL_HEARTBEAT_SECONDS``) after the task opened or the
last save or heartbeat (``LeaseKeeper.start``/``due`` in
``annotate/static/annotate/tool/lease.js``).
"""

from __future__ import annotations

import os
import random


def span(name: str, default: str) -> tuple[float, float]:
    low, _, high = os.environ.get(name, default).partition(",")
    return float(low), float(high or low)


THINK = span("PARK_THINK", "30,60")
EDITS = tuple(int(n) for n in span("PARK_EDITS", "3,5"))
HEARTBEAT_S = float(os.environ.get("PARK_HEARTBEAT", "30"))
SAVE_DELAY_S = 0.8
REVIEW_EVERY = span("PARK_REVIEW_EVERY", "10,20")
EXPORT_EVERY_S = float(os.environ.get("PARK_EXPORT_EVERY", "180"))
SUPERVISORS = int(os.environ.get("PARK_SUPERVISORS", "3"))
CLIENTS = int(os.environ.get("PARK_CLIENTS", "1"))
LABELS = ("yak", "snow_leopard", "tibetan_antelope", "herder_tent")
WIDTH, HEIGHT = 640, 480


def task_plan(rng: random.Random, heartbeats: bool = True) -> tuple[float, list[tuple[float, str]]]:
    """(the task's seconds, [(second, "save" | "heartbeat"), ...] in time order)."""
    duration = rng.uniform(*THINK)
    edits = sorted(rng.uniform(0.05, 0.9) * duration for _ in range(rng.randint(*EDITS)))
    # A change closer than the debounce to the next one is saved with it.
    saves = [t + SAVE_DELAY_S for i, t in enumerate(edits) if i + 1 == len(edits) or edits[i + 1] - t > SAVE_DELAY_S]
    events = [(t, "save") for t in saves]
    if heartbeats:
        # The timer is re-armed by every save and heartbeat (each renews the lease).
        renewed = 0.0
        for t in [*saves, duration]:
            while renewed + HEARTBEAT_S < t:
                renewed += HEARTBEAT_S
                events.append((renewed, "heartbeat"))
            renewed = t
    return duration, sorted(events)


def next_boxes(rng: random.Random, boxes: list[dict]) -> list[dict]:
    """The boxes after one more change: a box drawn (up to three, then sometimes more) or moved."""
    w, h = rng.uniform(12, 120), rng.uniform(10, 90)
    box = {"label": rng.choice(LABELS), "x": round(rng.uniform(0, WIDTH - w), 2),
           "y": round(rng.uniform(0, HEIGHT - h), 2), "width": round(w, 2), "height": round(h, 2)}
    if len(boxes) < 3 or rng.random() < 0.3:
        return boxes + [box]
    return boxes[:-1] + [box]
