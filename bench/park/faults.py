"""Fault drills under the park's load model: a gunicorn worker killed, PostgreSQL
restarted, Redis stopped for 30 s.

Everything runs on servers of its own, so the drill disturbs nobody else on
the machine: the project's embedded PostgreSQL (``config/dbserver.py``, data in
``--pgdata``), a ``redis-server`` on ``--redis-port`` (no persistence: what it
held when stopped is gone, the worst case), gunicorn and a Celery worker with
beat (``bench/park/stack.py``). Locust drives ``--annotators`` people with
tasks of ``--think`` seconds and records every acknowledged save and every
failed request with its time (``PARK_LEDGER``).

    .venv/bin/python -m bench.park.faults --annotators 60 --think 8,15

At ``--first`` seconds a gunicorn worker gets SIGKILL; ``--gap`` seconds later
PostgreSQL is restarted (fast shutdown, then start); ``--gap`` later Redis is
stopped for ``--redis-down`` seconds. Prints JSON: per fault the failed
requests, the burst (first to last failure, from the fault's start and from
the recovery) and by request kind; and for the whole run the annotations lost
(acknowledged saves the database does not hold), tasks leased to two people,
and quality reports still pending at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.park.stack import ROOT, Stack


def _redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    return process


def _burst(failures: list[dict], start: float, end: float, recovered: float) -> dict:
    inside = [f for f in failures if start <= f["at"] < end]
    if not inside:
        return {"failures": 0}
    first, last = min(f["at"] for f in inside), max(f["at"] for f in inside)
    return {
        "failures": len(inside),
        "first_after_fault_s": round(first - start, 2),
        "last_after_fault_s": round(last - start, 2),
        "last_after_recovery_s": round(last - recovered, 2),
        "by_kind": dict(Counter(f["name"] for f in inside).most_common()),
        "errors": dict(Counter(f["error"][:60] for f in inside).most_common(3)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotators", type=int, default=60)
    parser.add_argument("--think", default="8,15", help="seconds per task, low,high")
    parser.add_argument("--first", type=float, default=40)
    parser.add_argument("--gap", type=float, default=50)
    parser.add_argument("--redis-down", type=float, default=30)
    parser.add_argument("--pgdata", default="/tmp/park-faults-pg")
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--out", default="/tmp/park-faults")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ledger = out / "ledger.jsonl"
    ledger.unlink(missing_ok=True)

    from config import dbserver

    pgdata = Path(args.pgdata)
    running = dbserver.ensure_running(pgdata)
    redis = _redis(args.redis_port)
    env = {"DATABASE_URL": running.url(), "CELERY_BROKER_URL": f"redis://127.0.0.1:{args.redis_port}/0",
           "MEDIA_ROOT": str(out / "media")}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    subprocess.run([sys.executable, "-m", "bench.park.fill", "--tasks", "5000", "--annotators", str(args.annotators),
                    "--state", str(out / "state.json")], cwd=ROOT, check=True, env={**os.environ})
    stack = Stack(port=args.port, workers=2, threads=4, env=env, log_dir=out).start()
    duration = args.first + 2 * args.gap + args.redis_down + 40
    people = args.annotators + 4
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/park/locustfile.py"), "--headless",
         "-u", str(people), "-r", "10", "-t", f"{int(duration)}s", "--stop-timeout", "20",
         "--host", f"http://127.0.0.1:{args.port}", "--csv", str(out / "park"), "--only-summary"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PARK_STATE": str(out / "state.json"), "PARK_TOKENS": str(out / "tokens.json"),
             "PARK_LEDGER": str(ledger), "PARK_THINK": args.think},
    )
    t0 = time.time()
    events = {}
    try:
        time.sleep(args.first)
        victim = stack.web_workers()[0]
        events["kill_worker"] = {"at": time.time()}
        os.kill(victim, signal.SIGKILL)
        events["kill_worker"]["recovered"] = time.time()

        time.sleep(args.gap)
        events["restart_postgres"] = {"at": time.time()}
        dbserver.stop(pgdata)
        dbserver.ensure_running(pgdata)
        events["restart_postgres"]["recovered"] = time.time()

        time.sleep(args.gap)
        events["stop_redis"] = {"at": time.time()}
        redis.send_signal(signal.SIGTERM)
        redis.wait()
        time.sleep(args.redis_down)
        redis = _redis(args.redis_port)
        events["stop_redis"]["recovered"] = time.time()
        locust.wait()
    finally:
        if locust.poll() is None:
            locust.terminate()
            locust.wait()
        stack.stop()

    import django

    django.setup()
    from bench.park import checks
    from labeling.models import QualityReport

    rows = checks.read(ledger)
    failures = [row for row in rows if row["kind"] == "failure"]
    names = list(events)
    report = {"annotators": args.annotators, "think_s": args.think,
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()], "faults": {}}
    for i, name in enumerate(names):
        end = events[names[i + 1]]["at"] if i + 1 < len(names) else time.time()
        report["faults"][name] = {
            "at_s": round(events[name]["at"] - t0, 1),
            "recovery_took_s": round(events[name]["recovered"] - events[name]["at"], 2),
            **_burst(failures, events[name]["at"], end, events[name]["recovered"]),
        }
    report["failures_outside_faults"] = len([f for f in failures if f["at"] < events[names[0]]["at"]])
    report["acknowledged_saves"] = checks.counts(rows).get("save", 0)
    report["lost_annotations"] = len(checks.lost_saves(rows))
    report["tasks_with_two_people"] = len(checks.shared_leases(rows, json.loads((out / "state.json").read_text())["project"]))
    report["quality_reports_pending_at_end"] = QualityReport.objects.exclude(state=QualityReport.State.DONE).count()
    print(json.dumps(report, indent=1))
    redis.terminate()
    dbserver.stop(pgdata)


if __name__ == "__main__":
    main()
