"""Quality checks of one annotation, without a database.

Each check returns a :class:`CheckResult`: a score in [0, 1], named flags and
the numbers behind them. A flag is ``red`` (the task must be reviewed) or a
``warning`` (shown to the supervisor, routing unaffected). :func:`run_checks`
runs every check that has what it needs and combines the scores: a task with
no gold and no other annotators still gets the geometry check.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from labeling.quality.metrics import BoxT, iou_matrix, score_against

Severity = Literal["red", "warning"]

# Geometry limits, in image pixels. A box smaller than this on either side is
# almost always a slip of the mouse (a click without a drag).
TINY_SIDE_PX = 4.0
# Width/height (or height/width) above this: a sliver, not an animal or a tent.
EXTREME_ASPECT = 10.0
# Same label and IoU above this: one object drawn twice.
DUPLICATE_IOU = 0.9
# "Touching the border": within this many pixels of an image edge.
BORDER_PX = 1.0
# Border boxes are flagged in bulk only: at least this many, and this share.
BORDER_MIN_BOXES = 3
BORDER_SHARE = 0.5
# Agreement (mean pairwise F1 with the other annotators of the task).
AGREEMENT_RED = 0.5
AGREEMENT_WARNING = 0.8
# Seconds per box below this share of the project norm: "far below".
SPEED_SHARE = 0.2
# A norm needs this many earlier submissions.
SPEED_MIN_SAMPLES = 10
# How much each check counts in the combined score.
WEIGHTS = {"geometry": 1.0, "agreement": 2.0, "gold": 3.0, "speed": 1.0}


class Flag(TypedDict):
    code: str
    severity: Severity
    check: str
    message: str


@dataclass
class CheckResult:
    name: str
    score: float
    flags: list[Flag] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


@dataclass
class Verdict:
    score: float
    flags: list[Flag]
    metrics: dict
    gold_failed: bool

    @property
    def has_red(self) -> bool:
        return any(f["severity"] == "red" for f in self.flags)


# Every flag code a check can raise (filters in the review queue and task browser offer these).
FLAG_CODES = ("gold_failed", "low_agreement", "partial_agreement", "duplicate_boxes", "tiny_boxes",
              "extreme_aspect", "border_boxes", "too_fast")


def _flag(code: str, severity: Severity, check: str, message: str) -> Flag:
    assert code in FLAG_CODES, code
    return {"code": code, "severity": severity, "check": check, "message": message}


def check_geometry(boxes: Sequence[BoxT], *, image_width: float, image_height: float) -> CheckResult:
    """Tiny boxes, slivers, one object drawn twice, and boxes hugging the border in bulk."""
    n = len(boxes)
    tiny = [i for i, b in enumerate(boxes) if min(b.width, b.height) < TINY_SIDE_PX]
    sliver = [
        i for i, b in enumerate(boxes)
        if max(b.width / b.height, b.height / b.width) > EXTREME_ASPECT
    ]
    duplicates: set[int] = set()
    if n > 1:
        m = iou_matrix(boxes, boxes)
        for i in range(n):
            for j in range(i + 1, n):
                if m[i, j] > DUPLICATE_IOU and boxes[i].label == boxes[j].label:
                    duplicates.add(j)
    border = [
        i for i, b in enumerate(boxes)
        if b.x <= BORDER_PX or b.y <= BORDER_PX
        or b.x + b.width >= image_width - BORDER_PX or b.y + b.height >= image_height - BORDER_PX
    ]
    border_bulk = len(border) >= BORDER_MIN_BOXES and len(border) / n >= BORDER_SHARE
    flags: list[Flag] = []
    if tiny:
        flags.append(_flag("tiny_boxes", "warning", "geometry",
                           f"{len(tiny)} box(es) under {TINY_SIDE_PX:g} px on a side"))
    if sliver:
        flags.append(_flag("extreme_aspect", "warning", "geometry",
                           f"{len(sliver)} box(es) more than {EXTREME_ASPECT:g}× longer than wide"))
    if duplicates:
        flags.append(_flag("duplicate_boxes", "red", "geometry",
                           f"{len(duplicates)} box(es) duplicate another of the same label "
                           f"(IoU > {DUPLICATE_IOU:g})"))
    if border_bulk:
        flags.append(_flag("border_boxes", "warning", "geometry",
                           f"{len(border)} of {n} boxes touch the image border"))
    bad = set(tiny) | set(sliver) | duplicates
    score = 1.0 - len(bad) / n if n else 1.0
    if border_bulk:
        score *= 0.8
    return CheckResult(
        "geometry",
        score,
        flags,
        {"boxes": n, "tiny": len(tiny), "extreme_aspect": len(sliver),
         "duplicates": len(duplicates), "border": len(border)},
    )


def check_agreement(
    boxes: Sequence[BoxT], others: dict[str, Sequence[BoxT]], *, threshold: float
) -> CheckResult | None:
    """Mean F1 against each other annotator of the task; None without others."""
    if not others:
        return None
    per_other = {key: score_against(boxes, theirs, threshold=threshold) for key, theirs in others.items()}
    agreement = sum(s.f1 for s in per_other.values()) / len(per_other)
    matched = [s for s in per_other.values() if s.matched]
    mean_iou = (sum(s.mean_iou * s.matched for s in matched) / sum(s.matched for s in matched)
                if matched else 0.0)
    flags: list[Flag] = []
    if agreement < AGREEMENT_RED:
        flags.append(_flag("low_agreement", "red", "agreement",
                           f"agrees with the other annotators on {agreement:.0%} of boxes"))
    elif agreement < AGREEMENT_WARNING:
        flags.append(_flag("partial_agreement", "warning", "agreement",
                           f"agrees with the other annotators on {agreement:.0%} of boxes"))
    return CheckResult(
        "agreement",
        agreement,
        flags,
        {"agreement": round(agreement, 4), "mean_iou": round(mean_iou, 4),
         "others": {key: s.as_dict() for key, s in per_other.items()}},
    )


def check_gold(
    boxes: Sequence[BoxT], gold: Sequence[BoxT], *, threshold: float, pass_mark: float
) -> CheckResult:
    """F1 against the gold answer; below ``pass_mark`` the gold check fails (red)."""
    scores = score_against(boxes, gold, threshold=threshold)
    flags: list[Flag] = []
    if scores.f1 < pass_mark:
        flags.append(_flag("gold_failed", "red", "gold",
                           f"gold F1 {scores.f1:.2f} below the pass mark {pass_mark:.2f} "
                           f"({scores.matched} of {scores.n_ref} gold boxes found, "
                           f"{scores.n_pred - scores.matched} extra)"))
    return CheckResult("gold", scores.f1, flags,
                       {**scores.as_dict(), "passed": scores.f1 >= pass_mark, "pass_mark": pass_mark})


def speed_norm(seconds_per_box: Sequence[float]) -> float | None:
    """The project norm: median seconds per box of earlier submissions, if enough."""
    usable = [s for s in seconds_per_box if s > 0]
    if len(usable) < SPEED_MIN_SAMPLES:
        return None
    return float(statistics.median(usable))


def check_speed(*, active_seconds: float, box_count: int, norm: float | None) -> CheckResult | None:
    """Seconds per box far below the project norm; None when time or norm is unknown."""
    if active_seconds <= 0 or norm is None or norm <= 0:
        return None
    per_box = active_seconds / max(box_count, 1)
    ratio = per_box / norm
    flags: list[Flag] = []
    if ratio < SPEED_SHARE:
        flags.append(_flag("too_fast", "warning", "speed",
                           f"{per_box:.1f} s per box against a project norm of {norm:.1f} s"))
    return CheckResult("speed", min(1.0, ratio / SPEED_SHARE), flags,
                       {"seconds_per_box": round(per_box, 3), "norm": round(norm, 3),
                        "ratio": round(ratio, 4)})


def run_checks(
    boxes: Sequence[BoxT],
    *,
    image_width: float,
    image_height: float,
    others: dict[str, Sequence[BoxT]],
    gold: Sequence[BoxT] | None,
    threshold: float,
    gold_pass_mark: float,
    active_seconds: float,
    speed_norm_seconds: float | None,
) -> Verdict:
    """Run every applicable check and combine them into one verdict."""
    results = [check_geometry(boxes, image_width=image_width, image_height=image_height)]
    agreement = check_agreement(boxes, others, threshold=threshold)
    if agreement:
        results.append(agreement)
    gold_result = None
    if gold is not None:
        gold_result = check_gold(boxes, gold, threshold=threshold, pass_mark=gold_pass_mark)
        results.append(gold_result)
    speed = check_speed(active_seconds=active_seconds, box_count=len(boxes), norm=speed_norm_seconds)
    if speed:
        results.append(speed)
    total_weight = sum(WEIGHTS[r.name] for r in results)
    score = sum(WEIGHTS[r.name] * r.score for r in results) / total_weight
    flags = [f for r in results for f in r.flags]
    metrics = {r.name: {"score": round(r.score, 4), **r.metrics} for r in results}
    return Verdict(
        score=max(0.0, min(1.0, score)),
        flags=flags,
        metrics=metrics,
        gold_failed=bool(gold_result and not gold_result.metrics["passed"]),
    )
