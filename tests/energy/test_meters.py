"""Workstation active time (D), RAPL wrap-around (G), CPU-time model, storage pool (H)."""

from fractions import Fraction as F

import pytest

from energy.server import CpuMeter, cpu_kwh, rapl_delta_uj, rapl_share_joules
from energy.storage import StoragePool
from energy.workstation import Event, active_seconds, active_spans, workstation_kwh


def test_active_time_idle_cutoff():
    seconds = active_seconds([0, 20, 50, 200, 230], idle_cutoff=60)
    assert seconds == 140
    assert workstation_kwh(active_seconds=seconds, watts=60) * 3_600_000 == 8400  # joules
    assert workstation_kwh(active_seconds=F(seconds), watts=60) == F(7, 3000)  # 0.0023333 kWh


def test_nothing_counted_after_last_event():
    assert active_seconds([100]) == 0
    assert active_spans([0, 200]) == [(0, 60)]


def test_visibility_hidden_excluded():
    events = [Event(0), Event(20), Event(30, "hidden"), Event(500, "visible"), Event(510), Event(520, "end"), Event(900)]
    # 0→20 and 20→30 count; hidden 30→500 does not; 500→510, 510→520 count; nothing after "end".
    assert active_seconds(events) == 50


def test_rapl_wraparound():
    delta = rapl_delta_uj(start_uj=262143000000, end_uj=1000000, max_energy_range_uj=262143328850)
    assert delta == 1_328_850
    assert rapl_share_joules(delta_uj=delta, cpu_share=F(1, 4)) == F(3322125, 10_000_000)
    assert rapl_delta_uj(start_uj=10, end_uj=25, max_energy_range_uj=1000) == 15


def test_cpu_time_model_prefork():
    assert cpu_kwh(cpu_seconds=F(5), watts_per_core=15) == F(75, 3_600_000)
    with CpuMeter() as meter:
        sum(i * i for i in range(200_000))
    assert meter.cpu_seconds > 0 and meter.ended_at >= meter.started_at


def test_storage_pool():
    pool = StoragePool()
    pool.charge(kwh=100, clean_share=F(8, 10))
    pool.charge(kwh=100, clean_share=1)
    assert pool.stock_kwh == 164 and pool.clean_kwh == F(1476, 10)
    clean, share = pool.discharge(kwh=50)
    assert share == F(9, 10) and clean == 45
    assert pool.clean_share == F(9, 10)  # pro-rata: the share of what remains is unchanged
    assert pool.split(discharge_kw=10) == {"storage_clean": 9, "storage_other": 1}
    solo = StoragePool()
    solo.charge(kwh=10, clean_share=1)
    assert solo.discharge(kwh=3)[1] == 1
    with pytest.raises(ValueError):
        solo.discharge(kwh=100)
