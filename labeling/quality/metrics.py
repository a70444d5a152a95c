"""Box metrics without a database: IoU, optimal matching, agreement, consensus.

Boxes are ``(label, x, y, width, height)`` in image pixels (top-left corner).
Matching is one-to-one and optimal (Hungarian, scipy's
``linear_sum_assignment``) on IoU, never greedy: greedy matching can pair a
box with its second-best partner and lose a match, which CVAT and COCO avoid
the same way. Two boxes match only with the same label and IoU >= threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

import numpy as np


class BoxT(NamedTuple):
    label: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class MatchResult:
    """Pairs ``(i, j, iou)`` of matched indices into the two box lists."""

    pairs: tuple[tuple[int, int, float], ...]
    n_pred: int
    n_ref: int

    @property
    def matched(self) -> int:
        return len(self.pairs)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    mean_iou: float
    matched: int
    n_pred: int
    n_ref: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "mean_iou": round(self.mean_iou, 4),
            "matched": self.matched,
            "n_pred": self.n_pred,
            "n_ref": self.n_ref,
        }


def as_box(value: BoxT | dict | Sequence) -> BoxT:
    """Accept a BoxT, a ``{"label", "x", "y", "width", "height"}`` dict or a tuple."""
    if isinstance(value, BoxT):
        return value
    if isinstance(value, dict):
        return BoxT(str(value["label"]), float(value["x"]), float(value["y"]),
                    float(value["width"]), float(value["height"]))
    label, x, y, w, h = value
    return BoxT(str(label), float(x), float(y), float(w), float(h))


def iou(a: BoxT, b: BoxT) -> float:
    """Intersection over union of two boxes' areas (labels ignored), in [0, 1]."""
    ix = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
    iy = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
    if ix <= 0 or iy <= 0:
        return 0.0
    inter = ix * iy
    union = a.width * a.height + b.width * b.height - inter
    if union <= 0:
        return 0.0
    return max(0.0, min(1.0, inter / union))


def iou_matrix(pred: Sequence[BoxT], ref: Sequence[BoxT]) -> np.ndarray:
    """IoU of every pred/ref pair (vectorised; labels ignored)."""
    if not pred or not ref:
        return np.zeros((len(pred), len(ref)))
    p = np.array([(b.x, b.y, b.width, b.height) for b in pred], dtype=float)
    r = np.array([(b.x, b.y, b.width, b.height) for b in ref], dtype=float)
    ix = np.minimum.outer(p[:, 0] + p[:, 2], r[:, 0] + r[:, 2]) - np.maximum.outer(p[:, 0], r[:, 0])
    iy = np.minimum.outer(p[:, 1] + p[:, 3], r[:, 1] + r[:, 3]) - np.maximum.outer(p[:, 1], r[:, 1])
    inter = np.clip(ix, 0, None) * np.clip(iy, 0, None)
    union = np.add.outer(p[:, 2] * p[:, 3], r[:, 2] * r[:, 3]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(union > 0, inter / union, 0.0)
    return np.clip(out, 0.0, 1.0)


def match_boxes(pred: Sequence[BoxT], ref: Sequence[BoxT], *, threshold: float = 0.5) -> MatchResult:
    """Optimal one-to-one matching of same-label pairs with IoU >= threshold.

    Maximises the number of matched pairs, then their total IoU.
    """
    if not pred or not ref:
        return MatchResult((), len(pred), len(ref))
    m = iou_matrix(pred, ref)
    same = np.array([[p.label == r.label for r in ref] for p in pred], dtype=bool)
    eligible = same & (m >= threshold)
    if not eligible.any():
        return MatchResult((), len(pred), len(ref))
    # Each eligible pair weighs more than all IoUs together could add, so the
    # assignment first maximises the number of matches, then their total IoU.
    # Ineligible pairs weigh nothing and are dropped below.
    bonus = float(min(len(pred), len(ref)) + 1)
    weights = np.where(eligible, bonus + m, 0.0)
    # Imported here: scipy.optimize takes ~0.4 s to import, which every process importing
    # the Celery jobs (an export request, a worker) paid before its first match.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(weights, maximize=True)
    pairs = tuple(
        (int(i), int(j), float(m[i, j])) for i, j in zip(rows, cols, strict=True) if eligible[i, j]
    )
    return MatchResult(pairs, len(pred), len(ref))


def greedy_match(pred: Sequence[BoxT], ref: Sequence[BoxT], *, threshold: float = 0.5) -> MatchResult:
    """Greedy matching by descending IoU: only a yardstick for tests and docs."""
    candidates = sorted(
        ((iou(p, r), i, j) for i, p in enumerate(pred) for j, r in enumerate(ref)
         if p.label == r.label and iou(p, r) >= threshold),
        reverse=True,
    )
    used_p: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for value, i, j in candidates:
        if i not in used_p and j not in used_r:
            used_p.add(i)
            used_r.add(j)
            pairs.append((i, j, value))
    return MatchResult(tuple(pairs), len(pred), len(ref))


def score_against(pred: Sequence[BoxT], ref: Sequence[BoxT], *, threshold: float = 0.5) -> Scores:
    """Precision, recall, F1 and mean IoU of ``pred`` against the reference ``ref``.

    Two empty lists agree perfectly (1.0): an image with nothing on it,
    correctly left empty, is right.
    """
    result = match_boxes(pred, ref, threshold=threshold)
    n_pred, n_ref, tp = len(pred), len(ref), result.matched
    if n_pred == 0 and n_ref == 0:
        return Scores(1.0, 1.0, 1.0, 1.0, 0, 0, 0)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_ref if n_ref else 0.0
    f1 = 2 * tp / (n_pred + n_ref)
    mean_iou = sum(p[2] for p in result.pairs) / tp if tp else 0.0
    return Scores(precision, recall, f1, mean_iou, tp, n_pred, n_ref)


def pairwise_agreement(annotations: Sequence[Sequence[BoxT]], *, threshold: float = 0.5) -> float:
    """Mean F1 over every pair of annotators (1.0 with fewer than two)."""
    pairs = list(combinations(range(len(annotations)), 2))
    if not pairs:
        return 1.0
    total = sum(score_against(annotations[i], annotations[j], threshold=threshold).f1 for i, j in pairs)
    return total / len(pairs)


def agreement_matrix(annotations: Sequence[Sequence[BoxT]], *, threshold: float = 0.5) -> list[list[float]]:
    """Pairwise F1 of every annotator with every other (diagonal 1.0)."""
    n = len(annotations)
    out = [[1.0] * n for _ in range(n)]
    for i, j in combinations(range(n), 2):
        out[i][j] = out[j][i] = score_against(annotations[i], annotations[j], threshold=threshold).f1
    return out


def consensus_merge(
    annotations: Sequence[Sequence[BoxT]], *, threshold: float = 0.5, quorum: float = 0.5
) -> list[BoxT]:
    """Merge N annotators' boxes: keep an object found by ceil(N × quorum) of them.

    Boxes are clustered by matching every annotator against a running set of
    clusters (optimal matching each time); a cluster with enough votes
    becomes one box, the coordinate-wise mean of its members.
    """
    n = len(annotations)
    if n == 0:
        return []
    votes_needed = max(1, math.ceil(n * quorum - 1e-9))
    clusters: list[list[BoxT]] = []
    for boxes in annotations:
        centres = [_mean_box(c) for c in clusters]
        result = match_boxes(list(boxes), centres, threshold=threshold)
        taken = set()
        for i, j, _ in result.pairs:
            clusters[j].append(boxes[i])
            taken.add(i)
        clusters.extend([b] for k, b in enumerate(boxes) if k not in taken)
    return [_mean_box(c) for c in clusters if len(c) >= votes_needed]


def _mean_box(members: Sequence[BoxT]) -> BoxT:
    k = len(members)
    return BoxT(
        members[0].label,
        sum(b.x for b in members) / k,
        sum(b.y for b in members) / k,
        sum(b.width for b in members) / k,
        sum(b.height for b in members) / k,
    )
