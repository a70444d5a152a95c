"""Capacity search: the most annotators one box sustains under the park's load model.

For each step (a number of annotators, plus the fixed supervisors and client)
Locust ramps the people up, resets its statistics once everyone runs, then
measures for ``--duration`` seconds. A step passes when every annotator request
kind has p95 under ``--p95-ms`` (200) and no request of anyone failed; sign-in
(once a day per person, a full PBKDF2 check) happens before the step, two at a
time, and is reported beside it, not gated. The
search climbs ``--steps`` and stops at the first failing step, then, with
``--bisect N``, halves the gap between the last pass and the first failure N
times.

    MEDIA_ROOT=/tmp/park-media CELERY_BROKER_URL=redis://127.0.0.1:6379/7 \
      .venv/bin/python -m bench.park.capacity --pgdata /tmp/park-pg --fill 40000 \
        --steps 100,200,400,600 --duration 300 --bisect 2 --out /tmp/park-capacity

Starts its own stack (``bench/park/stack.py``: gunicorn ``--workers``,
``--threads``, ``--worker-class``; a Celery worker with beat) unless ``--base``
names a running server (e.g. Label Studio with ``--locustfile``). ``--fill``
tops the pool up first (``bench/park/fill.py``); ``--pgdata`` runs on the
project's embedded PostgreSQL, as ``make run`` does. Prints one JSON document, a line per step
on stderr as it goes.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import resource
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.park.procs import cpu_seconds, pss_mb, tree
from bench.park.stack import ROOT, Stack
from config.launcher import WORKER_PROCESSES

# Sign-in is once a day; the flow row is a sum of a task's calls, each gated on its own.
UNGATED = {"A sign-in", "A per-task flow"}


def _number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):  # "N/A": no call of that kind finished
        return 0.0


def _server_trees(args, stack) -> dict[str, list[int]]:
    """The process trees that serve the park: web, worker, database (or ``--server-pid``)."""
    trees = {name: tree(process.pid) for name, process in stack.processes.items()} if stack else {}
    if args.pgdata:
        pid_file = Path(args.pgdata) / "postmaster.pid"
        if pid_file.exists():
            trees["database"] = tree(int(pid_file.read_text().split()[0]))
    if args.server_pid:
        trees["server"] = tree(args.server_pid)
    return trees


def _cpu_by_tree(args, stack) -> dict[str, float]:
    cpu = {name: cpu_seconds(pids) for name, pids in _server_trees(args, stack).items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["load generator"] = children.ru_utime + children.ru_stime  # Locust, once it has exited
    return cpu


def _memory(args, stack) -> dict:
    """PSS in MB of what serves the park: web, worker and database (or ``--server-pid``'s tree)."""
    found = {name: round(pss_mb(pids), 1) for name, pids in _server_trees(args, stack).items()}
    found["total"] = round(sum(found.values()), 1)
    return found


def sign_in(args, annotators: int) -> dict:
    """Everyone of the step without a token signs in first, two at a time, timed.

    Sign-in is once a day per person and costs a full PBKDF2 check (~0.1–0.4 s
    of CPU): inside a step it would be the ramp, not the day, that is measured.
    """
    state = json.loads(Path(args.state).read_text())
    tokens = json.loads(Path(args.tokens).read_text()) if Path(args.tokens).exists() else {}
    names = (state["annotators"][:annotators] + state["supervisors"][: args.supervisors]
             + state["clients"][: args.clients])
    todo = [name for name in names if name not in tokens]
    parsed = urllib.parse.urlsplit(args.base)
    times: list[float] = []

    def one(name: str) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        begun = time.perf_counter()
        conn.request("POST", "/api/v1/auth/token/", json.dumps({"username": name, "password": state["password"]}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        body = json.loads(response.read())
        times.append((time.perf_counter() - begun) * 1000)
        if response.status != 200:
            raise RuntimeError(f"sign-in of {name}: {response.status} {body}")
        tokens[name] = body["token"]

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, todo))
    Path(args.tokens).write_text(json.dumps(tokens))
    times.sort()
    return {"calls": len(times), "p50_ms": round(times[len(times) // 2], 1) if times else None,
            "p95_ms": round(times[int(len(times) * 0.95)], 1) if times else None}


def step(args, annotators: int, env: dict) -> dict:
    people = annotators + args.supervisors + args.clients
    ramp = people / args.spawn_rate
    prefix = Path(args.out) / f"step-{annotators}"
    load_before = os.getloadavg()
    started = time.time()
    run = subprocess.run(
        [sys.executable, "-m", "locust", "-f", args.locustfile, "--headless", "-u", str(people),
         "-r", str(args.spawn_rate), "-t", f"{int(ramp + args.settle + args.duration)}s", "--reset-stats",
         "--host", args.base, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
         "--stop-timeout", "5"],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    with open(f"{prefix}_stats.csv") as rows:
        stats = {row["Name"]: row for row in csv.DictReader(rows)}
    kinds = {}
    for name, row in stats.items():
        if name == "Aggregated":
            continue
        kinds[name] = {"calls": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                       "p50_ms": _number(row["50%"]), "p95_ms": _number(row["95%"]),
                       "p99_ms": _number(row["99%"]), "rps": round(_number(row["Requests/s"]), 2)}
    gated = {n: k for n, k in kinds.items() if n.startswith("A ") and n not in UNGATED}
    failures = sum(k["failures"] for k in kinds.values())
    slow = sorted(n for n, k in gated.items() if k["p95_ms"] >= args.p95_ms)
    return {
        "annotators": annotators,
        "passed": bool(gated) and failures == 0 and not slow,
        "slow_kinds": slow,
        "failures": failures,
        "submits_per_minute": round(kinds.get("A submit", {}).get("calls", 0) * 60 / args.duration, 1),
        "requests_per_s": round(float(stats.get("Aggregated", {}).get("Requests/s", 0) or 0), 1),
        "wall_s": round(time.time() - started, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "locust_exit": run.returncode,
        "kinds": kinds,
        "errors_sample": run.stdout[run.stdout.find("Error report"):][:1500] if failures else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="100,200,400", help="annotator counts to climb, comma-separated")
    parser.add_argument("--bisect", type=int, default=0, help="halvings between the last pass and first failure")
    parser.add_argument("--duration", type=float, default=300, help="measured seconds per step")
    parser.add_argument("--settle", type=float, default=20, help="seconds after the ramp before measuring")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--p95-ms", type=float, default=200)
    parser.add_argument("--supervisors", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--base", help="a running server; default: start the stack")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--celery-processes", type=int, default=WORKER_PROCESSES,
                        help="the worker's job processes (make run's default)")
    parser.add_argument("--server-pid", type=int, help="with --base: the server whose memory to report")
    parser.add_argument("--locustfile", default=str(ROOT / "bench/park/locustfile.py"))
    parser.add_argument("--state", help="the fill's state file (default: OUT/state.json)")
    parser.add_argument("--tokens", help="tokens of people signed in (default: OUT/tokens.json; one per database)")
    parser.add_argument("--out", default="/tmp/park-capacity")
    parser.add_argument("--pgdata", help="run on the project's embedded PostgreSQL in this folder (as make run does)")
    parser.add_argument("--fill", type=int, default=0, help="top the pool up to this many open tasks first")
    parser.add_argument("--sign-in-only", action="store_true", help="sign the largest step's people in, then stop")
    parser.add_argument("--no-sign-in", action="store_true", help="people come with tokens (Label Studio)")
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    args.state = args.state or str(Path(args.out) / "state.json")
    args.tokens = args.tokens or str(Path(args.out) / "tokens.json")
    env = {**os.environ, "PARK_STATE": args.state, "PARK_TOKENS": args.tokens,
           "PARK_SUPERVISORS": str(args.supervisors), "PARK_CLIENTS": str(args.clients)}
    # The --settle seconds are not measured: Locust resets its figures after the ramp,
    # but the first tasks' pauses start then; a short settle lets heartbeats spread.
    if args.pgdata:
        from config import dbserver

        os.environ["DATABASE_URL"] = dbserver.ensure_running(Path(args.pgdata)).url()
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if args.fill:
        most = max(int(n) for n in args.steps.split(","))
        subprocess.run([sys.executable, "-m", "bench.park.fill", "--tasks", str(args.fill), "--annotators",
                        str(most * 2), "--supervisors", str(args.supervisors), "--clients", str(args.clients),
                        "--state", args.state], cwd=ROOT, check=True, env=env)
    stack = None
    if not args.base:
        args.base = f"http://127.0.0.1:{args.port}"
        stack = Stack(port=args.port, workers=args.workers, threads=args.threads, worker_class=args.worker_class,
                      celery_processes=args.celery_processes, log_dir=Path(args.out)).start()
    results, passed, failed = [], None, None
    if args.sign_in_only:
        try:
            print(json.dumps(sign_in(args, max(int(n) for n in args.steps.split(",")))))
        finally:
            if stack:
                stack.stop()
        return
    try:
        todo = [int(n) for n in args.steps.split(",")]
        while todo:
            annotators = todo.pop(0)
            signed_in = None if args.no_sign_in else sign_in(args, annotators)
            before = _cpu_by_tree(args, stack)
            result = step(args, annotators, env)
            result["sign_in_before_step"] = signed_in
            # Cores each part used over the step (ramp and settle included): who takes the 2 cores.
            after = _cpu_by_tree(args, stack)
            result["cores_used"] = {name: round((after[name] - before.get(name, 0.0)) / result["wall_s"], 2)
                                    for name in after}
            result["memory_pss_mb"] = _memory(args, stack)
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k not in {"kinds", "errors_sample"}}),
                  file=sys.stderr, flush=True)
            if result["passed"]:
                passed = annotators
            else:
                failed = annotators if failed is None else min(failed, annotators)
                todo = []
            if not todo and failed and passed is not None and args.bisect > 0 and failed - passed > 10:
                args.bisect -= 1
                todo = [(passed + failed) // 2]
    finally:
        if stack:
            stack.stop()
    print(json.dumps({"capacity_annotators": passed, "database": "embedded" if args.pgdata else "DATABASE_URL", "first_failing": failed, "duration_s": args.duration,
                      "p95_gate_ms": args.p95_ms, "server": {"workers": args.workers, "threads": args.threads,
                      "worker_class": args.worker_class} if stack else args.base,
                      "steps": results}, indent=1))


if __name__ == "__main__":
    main()
