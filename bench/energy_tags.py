"""Energy tags and reports from the ledger: time and query count as the ledger grows.

For each size N this fills the ledger of a bench project (plain ids, no labeling
rows needed) with N tasks × 2 entries (workstation + server job) spread over 30
days, with measured supply for the first 15 days and the static profile after,
then times (median of --repeat runs):
- task_energy_tags for a page of 50 tasks (a task list / API page),
- task_energy_tags for all N tasks (what an export asks),
- project_green_summary over all N tasks (COCO info block),
- project_energy_report (the green report page / API).

Usage (see bench/README.md):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_i8 \\
        .venv/bin/python bench/energy_tags.py [--sizes 1000 10000] [--repeat 5]
Bench rows are replaced on each run (project id 900000008, site bench-energy).
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
PROJECT = 900000008
START = datetime(2025, 7, 1, tzinfo=timezone(timedelta(hours=8)))


def fill(size: int) -> list[int]:
    from energy.attribution import Supply
    from energy.models import LedgerEntry, Site, SupplyInterval
    from energy.supply import supply_store

    LedgerEntry.objects.filter(project_id=PROJECT).delete()
    site, _ = Site.objects.get_or_create(slug="bench-energy", defaults={"name": "bench"})
    SupplyInterval.objects.filter(site=site).delete()
    records = []
    for h in range(15 * 24):
        share = 0.8 + 0.2 * ((h % 24) in range(10, 17))
        t = START + timedelta(hours=h)
        records.append((h + 2, Supply(t, t + timedelta(hours=1), 1000.0, 1000.0 * share, {"solar": 1000 * share, "coal": 1000 * (1 - share)}, None, "measured", "csv:bench")))
    supply_store(site=site, records=records, strict=True)
    task_ids = list(range(10**9, 10**9 + size))
    step = timedelta(days=30) / size
    rows = []
    for i, tid in enumerate(task_ids):
        t0 = START + step * i
        rows.append(LedgerEntry(consumer="workstation", site=site, project_id=PROJECT, task_id=tid, user_id=1 + i % 8,
                                start=t0, end=t0 + timedelta(minutes=4), it_kwh=0.004, kwh=0.004, method="active_time_x_watts"))
        rows.append(LedgerEntry(consumer="server", site=site, project_id=PROJECT, task_id=tid, job_kind="quality",
                                start=t0 + timedelta(minutes=5), end=t0 + timedelta(minutes=5, seconds=1), it_kwh=2e-5,
                                pue_applied=1.15, kwh=2.3e-5, method="cpu_time_x_w_per_core"))
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    return task_ids


def measure(fn, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return {"median_ms": round(statistics.median(times) * 1000, 1), "min_ms": round(min(times) * 1000, 1), "queries": len(q)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from energy.services import project_energy_report, project_green_summary, task_energy_tags

    out = {"results": []}
    for size in args.sizes:
        ids = fill(size)
        out["results"].append({
            "tasks": size,
            "ledger_entries": 2 * size,
            "tags_page_50": measure(lambda: task_energy_tags(ids[size // 2: size // 2 + 50]), args.repeat),
            "tags_all": measure(lambda: task_energy_tags(ids), args.repeat),
            "green_summary_all": measure(lambda: project_green_summary(PROJECT, ids), args.repeat),
            "report": measure(lambda: project_energy_report(project_id=PROJECT, site="bench-energy"), args.repeat),
        })
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
