"""The synthetic profile (§3.4) and the scheduler on it (§4.11 I)."""

from datetime import datetime, timedelta, timezone

import pytest

from energy.providers.static import CLEAN_V1, QINGHAI_SAMPLE_V1, StaticProfileProvider
from energy.scheduling import Forecast, Point, plan_start

CST = timezone(timedelta(hours=8))
DAY = datetime(2025, 7, 1, tzinfo=CST)
PROFILE = StaticProfileProvider("qinghai-sample-v1")


def forecast(start=DAY, hours=48):
    return Forecast([Point(s.start, s.end, s.share) for s in PROFILE.forecast(tz="Asia/Shanghai", start=start, end=start + timedelta(hours=hours))])


def plan(h, m, minutes, deadline_h, **kw):
    return plan_start(now=DAY.replace(hour=h, minute=m), duration=timedelta(minutes=minutes),
                      deadline=DAY.replace(hour=deadline_h), forecast=forecast(), tick=timedelta(minutes=30), **kw)


def test_static_profile_rows_sum_to_one():
    for row, clean in zip(QINGHAI_SAMPLE_V1, CLEAN_V1):
        assert sum(row) == pytest.approx(1.0, abs=1e-12)
        assert clean == pytest.approx(1 - row[-1], abs=1e-12)


def test_static_profile_mean_clean_share():
    assert sum(CLEAN_V1) / 24 == pytest.approx(0.889, abs=5e-4)


def test_static_profile_is_local_time_and_labelled():
    utc_midnight = datetime(2025, 7, 1, tzinfo=timezone.utc)  # 08:00 in Xining
    first = PROFILE.actuals(tz="Asia/Shanghai", start=utc_midnight, end=utc_midnight + timedelta(hours=1))[0]
    assert first.share == 0.88 and first.quality == "estimated" and first.source == "static:qinghai-sample-v1"


def test_scheduler_defers_to_best_window():
    f = forecast()
    means = [f.time_weighted_mean(DAY.replace(hour=7, minute=30) + timedelta(minutes=30 * k),
                                  DAY.replace(hour=9) + timedelta(minutes=30 * k)) for k in range(5)]
    assert means == pytest.approx([0.853333333333, 0.906666666667, 0.933333333333, 0.973333333333, 0.986666666667], rel=1e-9)
    p = plan(7, 30, 90, 11)
    assert p.reason == "deferred" and p.start == DAY.replace(hour=9, minute=30)
    assert p.expected_share == pytest.approx(1.48 / 1.5, rel=1e-9)
    assert p.start + timedelta(minutes=90) <= DAY.replace(hour=11)  # deadline respected


def test_scheduler_run_now_threshold():
    p = plan(12, 0, 60, 18)
    assert (p.reason, p.start, p.current_share) == ("good-enough-now", DAY.replace(hour=12), 1.0)


def test_scheduler_tie_takes_earliest():
    p = plan(6, 0, 120, 16)
    assert p.current_share == pytest.approx(0.795, rel=1e-9)
    assert p.reason == "deferred" and p.start == DAY.replace(hour=10) and p.expected_share == 1.0


def test_scheduler_min_gain():
    p = plan(7, 30, 90, 11, min_gain=0.2)
    assert p.reason == "gain-too-small" and p.start == DAY.replace(hour=7, minute=30)


def test_scheduler_no_forecast_runs_now():
    now = DAY.replace(hour=7)
    p = plan_start(now=now, duration=timedelta(hours=1), deadline=now + timedelta(hours=6), forecast=Forecast([]))
    assert (p.reason, p.start) == ("no-forecast-or-no-slack", now)
    gappy = Forecast([Point(now, now + timedelta(hours=1), 0.5), Point(now + timedelta(hours=2), now + timedelta(hours=6), 1.0)])
    assert plan_start(now=now, duration=timedelta(hours=1), deadline=now + timedelta(hours=6), forecast=gappy).reason == "no-forecast-or-no-slack"


def test_scheduler_no_slack_runs_now():
    p = plan(7, 30, 120, 9)
    assert p.reason == "no-forecast-or-no-slack"
