"""Box metrics: IoU, optimal matching, precision/recall, agreement, consensus (no database)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeling.quality.metrics import (
    BoxT,
    agreement_matrix,
    as_box,
    consensus_merge,
    greedy_match,
    iou,
    iou_matrix,
    match_boxes,
    pairwise_agreement,
    score_against,
)

coord = st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False)
size = st.floats(min_value=0.5, max_value=300, allow_nan=False, allow_infinity=False)
boxes_st = st.builds(BoxT, st.sampled_from(["yak", "tent"]), coord, coord, size, size)


@given(boxes_st, boxes_st)
def test_iou_is_symmetric_and_in_unit_interval(a, b):
    value = iou(a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(iou(b, a))


@given(boxes_st)
def test_iou_of_a_box_with_itself_is_one(a):
    assert iou(a, a) == pytest.approx(1.0)


@given(st.lists(boxes_st, max_size=6), st.lists(boxes_st, max_size=6))
def test_matrix_agrees_with_scalar_iou(pred, ref):
    m = iou_matrix(pred, ref)
    for i, p in enumerate(pred):
        for j, r in enumerate(ref):
            assert m[i, j] == pytest.approx(iou(p, r), abs=1e-9)


def test_iou_known_values():
    a = BoxT("yak", 0, 0, 10, 10)
    assert iou(a, BoxT("yak", 5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert iou(a, BoxT("yak", 10, 0, 10, 10)) == 0.0  # touching edges share no area
    assert iou(a, BoxT("yak", 2, 2, 5, 5)) == pytest.approx(25 / 100)


# Boxes placed near each other so that matches and conflicts actually happen.
near = st.builds(
    BoxT, st.sampled_from(["yak", "tent"]),
    st.floats(0, 40), st.floats(0, 40), st.floats(5, 30), st.floats(5, 30),
)


@settings(max_examples=200)
@given(st.lists(near, max_size=7), st.lists(near, max_size=7), st.sampled_from([0.1, 0.3, 0.5]))
def test_optimal_matching_is_never_worse_than_greedy(pred, ref, threshold):
    best = match_boxes(pred, ref, threshold=threshold)
    greedy = greedy_match(pred, ref, threshold=threshold)
    assert best.matched >= greedy.matched
    if best.matched == greedy.matched:
        assert sum(p[2] for p in best.pairs) >= sum(p[2] for p in greedy.pairs) - 1e-9
    # One-to-one, same label, above the threshold.
    assert len({i for i, _, _ in best.pairs}) == best.matched
    assert len({j for _, j, _ in best.pairs}) == best.matched
    for i, j, value in best.pairs:
        assert pred[i].label == ref[j].label
        assert value >= threshold


def test_optimal_matching_beats_greedy_on_a_known_case():
    # Greedy takes the best pair (p0-r0) and strands p1; the optimum matches both.
    pred = [BoxT("yak", 0, 0, 10, 10), BoxT("yak", 3, 0, 10, 10)]
    ref = [BoxT("yak", 1, 0, 10, 10), BoxT("yak", 0, 0, 6, 10)]
    greedy = greedy_match(pred, ref, threshold=0.5)
    best = match_boxes(pred, ref, threshold=0.5)
    assert greedy.matched == 1
    assert best.matched == 2


def test_labels_must_agree_to_match():
    result = match_boxes([BoxT("yak", 0, 0, 10, 10)], [BoxT("tent", 0, 0, 10, 10)], threshold=0.5)
    assert result.matched == 0


def test_precision_recall_f1_mean_iou():
    ref = [BoxT("yak", 0, 0, 10, 10), BoxT("yak", 50, 50, 10, 10), BoxT("tent", 100, 100, 20, 20)]
    pred = [BoxT("yak", 1, 0, 10, 10), BoxT("tent", 100, 100, 20, 20), BoxT("yak", 300, 300, 5, 5)]
    s = score_against(pred, ref, threshold=0.5)
    assert s.matched == 2
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 / 3)
    assert s.mean_iou == pytest.approx((90 / 110 + 1.0) / 2)


def test_empty_against_empty_is_perfect_and_empty_against_something_is_zero():
    assert score_against([], [], threshold=0.5).f1 == 1.0
    s = score_against([], [BoxT("yak", 0, 0, 5, 5)], threshold=0.5)
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)


def test_pairwise_agreement_of_three():
    a = [BoxT("yak", 0, 0, 10, 10)]
    b = [BoxT("yak", 0, 0, 10, 10)]
    c = [BoxT("yak", 200, 200, 10, 10)]
    # Pairs: a-b 1.0, a-c 0, b-c 0.
    assert pairwise_agreement([a, b, c], threshold=0.5) == pytest.approx(1 / 3)
    assert pairwise_agreement([a], threshold=0.5) == 1.0
    m = agreement_matrix([a, b, c], threshold=0.5)
    assert m[0][1] == 1.0 and m[0][2] == 0.0 and m[2][2] == 1.0


def test_consensus_keeps_objects_with_a_quorum():
    yak = [BoxT("yak", 10, 10, 20, 20), BoxT("yak", 11, 10, 20, 20), BoxT("yak", 12, 10, 20, 20)]
    tent_once = BoxT("tent", 200, 200, 30, 30)
    merged = consensus_merge([[yak[0], tent_once], [yak[1]], [yak[2]]], threshold=0.5, quorum=0.5)
    assert len(merged) == 1
    assert merged[0].label == "yak"
    assert merged[0].x == pytest.approx(11)
    # Quorum 0.3 of 3 needs one vote: the tent stays.
    assert len(consensus_merge([[yak[0], tent_once], [yak[1]], [yak[2]]], quorum=0.3)) == 2
    assert consensus_merge([]) == []


@given(st.lists(st.lists(near, max_size=4), min_size=1, max_size=4))
def test_consensus_never_has_more_objects_than_a_unanimous_vote_allows(annotations):
    merged = consensus_merge(annotations, threshold=0.5, quorum=1.0)
    assert len(merged) <= min(len(a) for a in annotations)
    for box in merged:
        assert math.isfinite(box.x) and box.width > 0


def test_as_box_accepts_dicts_and_tuples():
    assert as_box({"label": "yak", "x": 1, "y": 2, "width": 3, "height": 4}) == BoxT("yak", 1, 2, 3, 4)
    assert as_box(("yak", 1, 2, 3, 4)) == BoxT("yak", 1.0, 2.0, 3.0, 4.0)
