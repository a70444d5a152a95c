"""Quality checks without a database: geometry, agreement, gold, speed, the verdict."""

import pytest

from labeling.quality.checks import (
    check_agreement,
    check_geometry,
    check_gold,
    check_speed,
    run_checks,
    speed_norm,
)
from labeling.quality.metrics import BoxT


def codes(result):
    return {f["code"]: f["severity"] for f in result.flags}


def test_clean_boxes_score_one_without_flags():
    boxes = [BoxT("yak", 100, 100, 40, 30), BoxT("tent", 300, 200, 60, 50)]
    result = check_geometry(boxes, image_width=640, image_height=480)
    assert result.score == 1.0
    assert result.flags == []


def test_geometry_flags_tiny_sliver_duplicate_and_border_bulk():
    boxes = [
        BoxT("yak", 10, 10, 2, 2),  # tiny
        BoxT("yak", 100, 100, 200, 5),  # sliver 40:1
        BoxT("tent", 300, 300, 50, 50),
        BoxT("tent", 301, 300, 50, 50),  # duplicate of the one above
    ]
    result = check_geometry(boxes, image_width=640, image_height=480)
    assert codes(result) == {"tiny_boxes": "warning", "extreme_aspect": "warning", "duplicate_boxes": "red"}
    assert result.score == pytest.approx(1 - 3 / 4)


def test_same_place_different_label_is_not_a_duplicate():
    boxes = [BoxT("yak", 300, 300, 50, 50), BoxT("tent", 300, 300, 50, 50)]
    assert "duplicate_boxes" not in codes(check_geometry(boxes, image_width=640, image_height=480))


def test_border_boxes_flagged_in_bulk_only():
    one = [BoxT("yak", 0, 100, 30, 30), BoxT("yak", 200, 200, 30, 30)]
    assert codes(check_geometry(one, image_width=640, image_height=480)) == {}
    many = [BoxT("yak", 0, 100, 30, 30), BoxT("yak", 610, 10, 30, 30), BoxT("yak", 100, 450, 30, 30),
            BoxT("yak", 200, 200, 30, 30)]
    result = check_geometry(many, image_width=640, image_height=480)
    assert codes(result) == {"border_boxes": "warning"}
    assert result.score == pytest.approx(0.8)


def test_no_boxes_is_geometrically_fine():
    assert check_geometry([], image_width=10, image_height=10).score == 1.0


def test_agreement_needs_others_and_flags_disagreement():
    mine = [BoxT("yak", 0, 0, 10, 10), BoxT("yak", 50, 50, 10, 10)]
    assert check_agreement(mine, {}, threshold=0.5) is None
    same = check_agreement(mine, {"7": list(mine), "8": list(mine)}, threshold=0.5)
    assert same.score == 1.0 and same.flags == []
    apart = check_agreement(mine, {"7": [BoxT("yak", 300, 300, 10, 10)]}, threshold=0.5)
    assert codes(apart) == {"low_agreement": "red"}
    half = check_agreement(mine, {"7": [mine[0]]}, threshold=0.5)
    assert half.score == pytest.approx(2 / 3)
    assert codes(half) == {"partial_agreement": "warning"}


def test_gold_pass_and_fail():
    gold = [BoxT("yak", 0, 0, 10, 10), BoxT("tent", 100, 100, 20, 20)]
    passed = check_gold(list(gold), gold, threshold=0.5, pass_mark=0.7)
    assert passed.metrics["passed"] is True and passed.flags == []
    failed = check_gold([gold[0]], gold, threshold=0.5, pass_mark=0.7)
    assert failed.metrics["passed"] is False
    assert codes(failed) == {"gold_failed": "red"}


def test_speed_norm_and_too_fast():
    assert speed_norm([5.0] * 9) is None  # too few samples for a norm
    assert speed_norm([5.0] * 10 + [0.0]) == 5.0
    assert check_speed(active_seconds=0, box_count=3, norm=5.0) is None
    assert check_speed(active_seconds=30, box_count=3, norm=None) is None
    normal = check_speed(active_seconds=15, box_count=3, norm=5.0)
    assert normal.score == 1.0 and normal.flags == []
    fast = check_speed(active_seconds=1.5, box_count=3, norm=5.0)
    assert codes(fast) == {"too_fast": "warning"}
    assert fast.score == pytest.approx(0.5)


def verdict(**overrides):
    args = dict(image_width=640, image_height=480, others={}, gold=None, threshold=0.5,
                gold_pass_mark=0.7, active_seconds=0.0, speed_norm_seconds=None)
    args.update(overrides)
    boxes = args.pop("boxes", [BoxT("yak", 100, 100, 40, 30)])
    return run_checks(boxes, **args)


def test_verdict_with_geometry_only():
    v = verdict()
    assert v.score == 1.0
    assert set(v.metrics) == {"geometry"}
    assert not v.gold_failed and not v.has_red


def test_verdict_weights_and_gold_failure():
    v = verdict(gold=[BoxT("tent", 400, 400, 30, 30)])
    # geometry 1.0 (weight 1), gold 0.0 (weight 3).
    assert v.score == pytest.approx(0.25)
    assert v.gold_failed and v.has_red
    assert set(v.metrics) == {"geometry", "gold"}
