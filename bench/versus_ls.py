"""Plateau and Label Studio 1.23.2 side by side, in one run: same N, same images, same boxes.

    .venv/bin/python -m bench.versus_ls --n 2000 --db plateau_versus --broker redis://127.0.0.1:6379/10

LS runs as its anchor runs it (setup.sh, start.sh --fresh, its bench.py --n N, stop.sh).
Plateau runs as ``make run`` serves it (bench/park/stack.py: gunicorn ``--workers`` x
``--threads``, a Celery worker of ``--celery-processes`` processes, with beat, DEBUG=0), on PostgreSQL (``--db``,
dropped and created afresh) and Redis (``--broker``, flushed). Images and boxes come from the anchor's own ``gen_images``/``box_for`` (imported, so
the very same files); each client is one keep-alive ``requests`` session, as the anchor's.

Plateau's phases: upload (100 files a request), derivative jobs; the annotator flow next ->
save (PUT, 3 boxes) -> submit for N-2R tasks (1 client), R tasks (4 clients, 4 annotators),
R more (1 client: the stream, LS's next-task phase); quality checks until all are in review;
a supervisor accepts each from the review queue; a client requests the COCO export of the
accepted, polls every 0.1 s and downloads it, without then with images; pycocotools loads it
and every box is compared with what was sent.

Memory is PSS (smaps_rollup: shared pages split among their sharers) every 0.5 s, the same
way for both: LS's process tree (SQLite inside it); our gunicorn + Celery trees ("app") plus
the PostgreSQL backends of ``--db`` ("app_db"); the shared postmaster and Redis are not
counted. Memory per served annotator = peak PSS in the 4-client phase / the annotators that
phase's throughput serves, one task per 45 s each (the park's 30-60 s think time,
bench/park/cadence.py). A task is LS's annotation POST, our next + save + submit. One JSON out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

# The parts are in bench/versus/: each side's phases, the ratios, the anchor's shared pieces.
from bench.versus.anchor import FILES_ROOT, A
from bench.versus.label_studio import ls_run
from bench.versus.plateau import plateau_run
from bench.versus.ratios import compare
from config.launcher import WORKER_PROCESSES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--stream", type=int, default=200, help="R: tasks of the 4-client phase and of the stream")
    parser.add_argument("--db", default="plateau_versus", help="dropped and created afresh")
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/10"),
                        help="flushed first")
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--workers", type=int, default=4, help="make run's 4 x 2; bench/README's runs: 2 x 4")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--celery-processes", type=int, default=WORKER_PROCESSES,
                        help="the worker's job processes: make run's default (the runs before 2026-12-03 16:00 UTC: 2)")
    parser.add_argument("--newcomer", action="store_true",
                        help="Plateau as make run serves a newcomer: DEBUG on, no broker configured (a folder queue)")
    parser.add_argument("--out", default="/tmp/versus")
    parser.add_argument("--order", default="plateau,ls", help="which side runs first")
    parser.add_argument("--ls-setup", action="store_true", help="run the anchor's setup.sh even if the venv exists")
    args = parser.parse_args()
    args.size, args.r = (640, 480), min(args.stream, max(1, args.n // 4))
    Path(args.out).mkdir(parents=True, exist_ok=True)
    img_rel = "bench-%d-%dx%d" % (args.n, *args.size)
    names, _, _ = A.gen_images(os.path.join(FILES_ROOT, img_rel), args.n, *args.size)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    sides = {}
    for side in args.order.split(","):
        sides[side] = plateau_run(args, names, Path(FILES_ROOT) / img_rel) if side == "plateau" else ls_run(args)
    doc = {"n_tasks": args.n, "image_size": list(args.size), "boxes_per_task": 3, "started_utc": started,
           "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "order": args.order,
           "cpus": os.cpu_count(), "ratios_ls_over_plateau": compare(sides["plateau"], sides["ls"])
           if len(sides) == 2 else None, **sides}
    path = Path(args.out) / f"versus-{args.n}-{started.replace(':', '')}.json"
    path.write_text(json.dumps(doc, indent=1))
    print(json.dumps(doc, indent=1))
    print(f"written: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
