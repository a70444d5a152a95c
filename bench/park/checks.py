"""What a park run's ledger (``PARK_LEDGER``) says against the database.

Used by the smoke test and the fault drills: every save the server answered
2xx must be in the database (the same version or a later one; the same boxes
when it is the same version), and no task may be leased to two people in a
project of overlap 1 (gold tasks aside: every annotator may get those).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path


def read(path: Path) -> list[dict]:
    if not Path(path).exists():
        return []
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def lost_saves(rows: list[dict]) -> list[tuple[str, int]]:
    """(username, task id) whose last acknowledged save the database does not hold."""
    from labeling.models import Annotation, Box

    last: dict[tuple[str, int], dict] = {}
    for row in rows:
        if row["kind"] != "save":
            continue
        key = (row["user"], row["task"])
        if key not in last or row["version"] > last[key]["version"]:
            last[key] = row
    stored = {(a.annotator.username, a.task_id): a
              for a in Annotation.objects.select_related("annotator").filter(task_id__in={t for _, t in last})}
    lost = []
    for key, row in last.items():
        annotation = stored.get(key)
        if annotation is None or annotation.version < row["version"]:
            lost.append(key)
        elif annotation.version == row["version"]:
            boxes = sorted((b.label.name, round(b.x, 2), round(b.y, 2), round(b.width, 2), round(b.height, 2))
                           for b in Box.objects.filter(annotation=annotation).select_related("label"))
            sent = sorted((b["label"], b["x"], b["y"], b["width"], b["height"]) for b in row["boxes"])
            if boxes != sent:
                lost.append(key)
    return lost


def shared_leases(rows: list[dict], project_id: int) -> dict[int, set[str]]:
    """Non-gold tasks leased to, or annotated by, more than one person."""
    from labeling.models import Annotation, Task

    gold = set(Task.objects.filter(project_id=project_id, is_gold=True).values_list("id", flat=True))
    holders: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row["kind"] == "lease" and row["task"] not in gold:
            holders[row["task"]].add(row["user"])
    for task_id, username in Annotation.objects.filter(task__project_id=project_id, task__is_gold=False) \
            .values_list("task_id", "annotator__username"):
        holders[task_id].add(username)
    return {task: people for task, people in holders.items() if len(people) > 1}


def counts(rows: list[dict]) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for row in rows:
        found[row["kind"]] += 1
    return dict(found)
