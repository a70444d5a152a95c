"""A client's COCO export from request to file in hand, as bench/versus_ls.py measures it.

    .venv/bin/python -m bench.export_roundtrip --db plateau_versus --media /tmp/versus/media \\
        [--tree /path/to/another/worktree] [--repeat 3]

Runs on the database and media a ``bench/versus_ls.py`` run left behind (its
last project, its ``versus-client``): starts gunicorn (4 x 2 gthread) and a
Celery worker (concurrency 2, no beat) from ``--tree`` (this checkout by
default, so two commits can be compared on the same data), then for each
repetition requests the export without then with images, polls it every 0.1 s
and downloads it. Prints JSON: seconds per phase and the SHA-256 of each file.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import signal
import statistics
import subprocess
import time
from pathlib import Path

import requests

from bench.park.stack import ROOT, SERVER_ENV

CLIENT = (
    "from rest_framework.authtoken.models import Token; from labeling.models import Project; "
    "print(Token.objects.get(user__username='versus-client').key, Project.objects.order_by('id').last().pk)"
)


def start(tree: Path, env: dict, port: int, log_dir: Path) -> list[subprocess.Popen]:
    bin_dir = tree / ".venv" / "bin"
    web = [str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "4",
           "--worker-class", "gthread", "--threads", "2", "--preload", "--log-level", "warning"]
    worker = [str(bin_dir / "celery"), "-A", "config", "worker", "--loglevel", "warning", "--concurrency", "2",
              "--without-gossip", "--without-mingle", "--without-heartbeat"]
    processes = [subprocess.Popen(argv, cwd=tree, env=env, stdout=open(log_dir / f"roundtrip-{name}.log", "w"),
                                  stderr=subprocess.STDOUT, start_new_session=True)
                 for name, argv in (("web", web), ("worker", worker))]
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/users/me/")
            connection.getresponse().read()
            return processes
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def export_once(session: requests.Session, base: str, project: int, images: bool) -> dict:
    begun = time.perf_counter()
    response = session.post(f"{base}/api/v1/projects/{project}/exports/",
                            json={"format": "coco", "status": "accepted", "include_images": images})
    response.raise_for_status()
    export_id, state, polls = response.json()["id"], None, 0
    while state not in {"done", "failed", "expired"}:
        time.sleep(0.1)
        state = session.get(f"{base}/api/v1/exports/{export_id}/").json()["state"]
        polls += 1
    ready = time.perf_counter() - begun
    digest, size = hashlib.sha256(), 0
    with session.get(f"{base}/api/v1/exports/{export_id}/download/", stream=True) as download:
        download.raise_for_status()
        for chunk in download.iter_content(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return {"seconds": time.perf_counter() - begun, "to_done": ready, "polls": polls, "bytes": size,
            "sha256": digest.hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="plateau_versus")
    parser.add_argument("--media", default="/tmp/versus/media")
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/10"))
    parser.add_argument("--tree", default=str(ROOT), help="the checkout whose code serves (default: this one)")
    parser.add_argument("--port", type=int, default=8320)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tree = Path(args.tree)
    env = {**os.environ, **SERVER_ENV, "MEDIA_ROOT": args.media, "CELERY_BROKER_URL": args.broker,
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}", "EXPORT_KEEP_VERSIONS": "2"}
    found = subprocess.run([str(tree / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", CLIENT], cwd=tree,
                           env=env, capture_output=True, text=True, check=True)
    token, project = found.stdout.strip().splitlines()[-1].split()
    processes = start(tree, env, args.port, Path(args.media).parent)
    try:
        time.sleep(3)  # the worker's children settle
        session = requests.Session()
        session.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})
        base = f"http://127.0.0.1:{args.port}"
        kinds = {"json_only": False, "with_images": True}
        for images in kinds.values():  # warm-up: first imports and connections of each process
            export_once(session, base, int(project), images)
        runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
        for _ in range(args.repeat):
            for kind, images in kinds.items():
                runs[kind].append(export_once(session, base, int(project), images))
    finally:
        stop(processes)
    out = {"tree": str(tree), "load_average": os.getloadavg()}
    for kind, rows in runs.items():
        out[kind] = {
            "seconds_median": round(statistics.median(r["seconds"] for r in rows), 3),
            "seconds_runs": [round(r["seconds"], 3) for r in rows],
            "to_done_runs": [round(r["to_done"], 3) for r in rows],
            "polls": [r["polls"] for r in rows],
            "bytes": rows[0]["bytes"],
            "same_sha256_every_run": len({r["sha256"] for r in rows}) == 1,
            "sha256": rows[0]["sha256"],
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
