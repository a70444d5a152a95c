"""energy.md §4.11 A, B, C, E asserted exactly, plus the share invariants."""

from datetime import timedelta
from fractions import Fraction as F

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from energy.attribution import Consumption, attribute, combine
from energy.server import cpu_kwh
from energy.workstation import workstation_kwh
from tests.energy.helpers import CLEAN, FACTORS, at, series, supply

TWO_HALVES = series(supply(at(10), at(10, 30), F(92, 100)), supply(at(10, 30), at(11), F(60, 100)))
PUE = F(115, 100)


def _workstation(start=at(10), end=at(10, 30)):
    return Consumption(start, end, workstation_kwh(active_seconds=1800, watts=F(60)))


def _qc_job(cpu_s=F(5), cores=1):
    it = cpu_kwh(cpu_seconds=cpu_s, watts_per_core=15 * cores)
    return Consumption(at(10, 40), at(10, 40) + timedelta(seconds=5), it, apply_pue=True, pue=PUE)


def _run(*consumptions, supplies=TWO_HALVES):
    return combine([attribute(c, supplies, clean=CLEAN, factors=FACTORS) for c in consumptions])


def test_attribute_example_A():
    ws = attribute(_workstation(), TWO_HALVES, clean=CLEAN, factors=FACTORS)
    assert ws.kwh == F(3, 100) and ws.clean_kwh == F(276, 10000)
    server = attribute(_qc_job(), TWO_HALVES, clean=CLEAN, factors=FACTORS)
    assert cpu_kwh(cpu_seconds=F(5), watts_per_core=15) == F(75, 3_600_000)  # 2.0833e-5 kWh
    assert server.kwh == F(8625, 100) / 3_600_000  # 86.25 J
    assert server.clean_kwh == F(5175, 100) / 3_600_000  # 51.75 J
    task = combine([ws, server])
    assert task.kwh == F(28823, 960000)
    assert task.clean_kwh == F(44183, 1600000)
    assert task.clean_share == F(132549, 144115)
    assert task.co2e_g == F(1150817, 480000)


def test_pue_on_workstation_would_move_the_share():
    wrong = Consumption(at(10), at(10, 30), F(3, 100), apply_pue=True, pue=PUE)
    share = _run(wrong, _qc_job()).clean_share
    assert abs(float(share) - 0.919778) < 1e-6  # the regression the ledger's constraint prevents
    assert _run(_workstation(), _qc_job()).clean_share == F(132549, 144115)


def test_attribute_straddle_boundary():
    result = _run(_workstation(at(10, 15), at(10, 45)))
    assert result.kwh == F(3, 100)
    assert [s.kwh for s in result.slices] == [F(15, 1000), F(15, 1000)]
    assert result.clean_share == F(76, 100)


def test_heavy_job_changes_share():
    heavy = Consumption(at(10, 30), at(10, 40), cpu_kwh(cpu_seconds=F(600), watts_per_core=60), apply_pue=True, pue=PUE)
    assert heavy.it_kwh == F(1, 100)
    assert attribute(heavy, TWO_HALVES, clean=CLEAN, factors=FACTORS).clean_kwh == F(69, 10000)
    task = _run(_workstation(), _qc_job(), heavy)
    assert float(task.kwh) == pytest.approx(0.0415239583, rel=1e-9)
    assert float(task.clean_kwh) == pytest.approx(0.034514375, rel=1e-9)
    assert float(task.clean_share) == pytest.approx(0.8311918320, rel=1e-9)


def test_hourly_not_annual():
    task = _run(_workstation(), _qc_job())
    annual = task.kwh * F(897, 1000)
    assert float(annual) == pytest.approx(0.0269315, rel=1e-5)
    assert task.clean_kwh == F(44183, 1600000) != annual


def test_energy_weighted_share_not_mean_of_shares():
    task = _run(_workstation(), _qc_job())
    mean_of_shares = (F(92, 100) + F(60, 100)) / 2
    assert task.clean_share != mean_of_shares
    assert task.clean_share == task.clean_kwh / task.kwh


def test_interval_pue_beats_site_default():
    supplies = series(supply(at(10), at(11), F(1, 2), pue=F(12, 10)))
    job = Consumption(at(10), at(10, 30), F(1), apply_pue=True, pue=PUE)
    assert attribute(job, supplies, clean=CLEAN, factors=FACTORS).kwh == F(12, 10)


def test_missing_supply_gives_none_share():
    gap = series(supply(at(10), at(10, 30), F(92, 100)))
    result = _run(_workstation(at(10, 15), at(10, 45)), supplies=gap)
    assert result.kwh == F(3, 100)  # energy is still counted
    assert result.uncovered_kwh == F(15, 1000)
    assert result.clean_share is None
    assert _run(_workstation(), supplies=series()).clean_share is None


def test_instant_reading_goes_to_its_interval():
    snap = Consumption(at(10, 45), at(10, 45), F(1, 1000), apply_pue=True, pue=1)
    assert _run(snap).clean_kwh == F(6, 10000)


shares = st.fractions(min_value=0, max_value=1, max_denominator=1000)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(shares, min_size=1, max_size=12), st.integers(0, 700), st.integers(1, 720),
       st.fractions(min_value=0, max_value=10, max_denominator=1000))
def test_splitting_conserves_kwh_and_share_in_unit_interval(shares_, offset_min, length_min, it_kwh):
    base = at(0)
    supplies = series(*[supply(base + timedelta(hours=i), base + timedelta(hours=i + 1), s) for i, s in enumerate(shares_)])
    start = base + timedelta(minutes=offset_min)
    c = Consumption(start, start + timedelta(minutes=length_min), it_kwh)
    result = attribute(c, supplies, clean=CLEAN, factors=FACTORS)
    assert result.kwh == it_kwh  # covered + uncovered = everything, nothing lost or doubled
    assert sum(s.kwh for s in result.slices) + result.uncovered_kwh == it_kwh
    if result.clean_share is not None:
        assert 0 <= result.clean_share <= 1


def test_an_interval_across_a_clock_change_counts_its_real_length():
    """A local supply hour that the clocks jump over covers one hour, not the two its wall-clock times span."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from energy.attribution import Supply, SupplySeries

    berlin = ZoneInfo("Europe/Berlin")
    # 2025-03-30: 02:00 CET became 03:00 CEST; 00:00-01:00 UTC is 01:00 CET to 03:00 CEST.
    hour = Supply(datetime(2025, 3, 30, 1, tzinfo=berlin), datetime(2025, 3, 30, 3, tzinfo=berlin), 1.0, 0.5)
    used = Consumption(datetime(2025, 3, 29, 23, tzinfo=timezone.utc), datetime(2025, 3, 30, 2, tzinfo=timezone.utc),
                       3.0)
    result = attribute(used, SupplySeries([hour]), clean=CLEAN, factors=FACTORS)
    assert result.covered_kwh == 1.0 and result.uncovered_kwh == 2.0
    assert (result.slices[0].start, result.slices[0].end) == (hour.start, hour.end)
