"""Per-call cost of the annotator hot path, in process: SQL queries and CPU ms.

Runs the Django test client (token auth, no HTTP) through next → task GET →
annotation GET → heartbeat → save → submit for ``--rounds`` tasks, then the
tool's own loop for ``--rounds`` more (save, then Ctrl+Enter's one request:
``submit+next``, the last boxes with the submit and the next task in its
answer), on the
database given by DATABASE_URL (**flushed** first: give it a database of its
own) and prints, per call, the median number of SQL
queries, median wall ms and median process CPU ms. ``--profile NAME`` prints
a cProfile of that call instead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_i4 \
        python bench/hotpath.py --rounds 40
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "hotpath-bench-" + "x" * 50)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profile", default="")
    parser.add_argument("--sql", default="", help="print the SQL of the last call of this name")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from tests.factories import add_member, api_client, make_project, make_task, make_user

    project = make_project(overlap=1, gold_rate=0.05)
    gold = [{"label": "yak", "x": 10, "y": 10, "width": 20, "height": 20}]
    for n in range(2 * args.rounds + 5):
        # 5 % gold, as in bench/assignment.py.
        make_task(project, **({"is_gold": True, "gold_boxes": gold} if n % 20 == 7 else {}))
    annotator = make_user()
    add_member(project, annotator, "annotator")
    client: APIClient = api_client(annotator)
    client.defaults["SERVER_NAME"] = "127.0.0.1"
    stats: dict[str, list[tuple[int, float, float]]] = {}
    last_sql: dict[str, list[str]] = {}
    profiler = cProfile.Profile() if args.profile else None

    def call(name, method, path, body=None):
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            if profiler and name == args.profile:
                profiler.enable()
            response = getattr(client, method)(path, body, format="json") if body is not None else getattr(
                client, method)(path)
            if profiler and name == args.profile:
                profiler.disable()
        last_sql[name] = [q["sql"] for q in queries.captured_queries]
        stats.setdefault(name, []).append(
            (len(queries), (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
        assert response.status_code < 300, (name, response.status_code, response.content[:300])
        return response.json() if response.status_code == 200 else None

    for _ in range(args.rounds):
        task = call("next", "post", f"/api/v1/projects/{project.pk}/tasks/next/")
        tid = task["id"]
        call("task.get", "get", f"/api/v1/tasks/{tid}/")
        current = call("annotation.get", "get", f"/api/v1/tasks/{tid}/annotation/")
        call("heartbeat", "post", f"/api/v1/tasks/{tid}/heartbeat/", {"active_seconds": 1.0})
        boxes = [{"label": "yak", "x": 10, "y": 10, "width": 20, "height": 20}] * 3
        call("save", "put", f"/api/v1/tasks/{tid}/annotation/", {"boxes": boxes, "version": current["version"]})
        call("submit", "post", f"/api/v1/tasks/{tid}/submit/", {"active_seconds": 1.0})
    task = call("next", "post", f"/api/v1/projects/{project.pk}/tasks/next/")
    for _ in range(args.rounds):
        tid = task["id"]
        saved = call("save", "put", f"/api/v1/tasks/{tid}/annotation/",
                     {"boxes": boxes[:2], "version": task["annotation"]["version"]})
        answer = call("submit+next", "post", f"/api/v1/tasks/{tid}/submit/",
                      {"boxes": boxes, "version": saved["version"], "active_seconds": 1.0, "next": True})
        task = answer["next"]
    if args.sql:
        print("\n".join(sql[:400] for sql in last_sql[args.sql]))
        return
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("LINES", "45")))
        return
    print(json.dumps({name: {"queries": statistics.median(q for q, _, _ in rows),
                             "wall_ms": round(statistics.median(w for _, w, _ in rows), 2),
                             "cpu_ms": round(statistics.median(c for _, _, c in rows), 2)}
                      for name, rows in stats.items()}, indent=1))
    print(json.dumps({"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
