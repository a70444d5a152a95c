"""Task distribution under load: 32 annotators over HTTP against gunicorn on PostgreSQL.

For each pool size (default 10,000 and 100,000 tasks) this script

1. fills a bench project in the PostgreSQL database named by DATABASE_URL
   (bulk_create; every image row points at one tiny shared PNG, since the
   API under test never reads image bytes),
2. starts gunicorn on 127.0.0.1:8140 (stopped again by its pid at the end),
3. runs 32 client threads for a fixed time, each an annotator looping
   next -> save (1-3 boxes) -> submit over keep-alive HTTP connections,
4. prints one JSON object: latency p50/p95/p99 of next, save and submit,
   throughput, and the duplicate count (a task offered twice to one person,
   or submitted by more annotators than the overlap).

Usage (see bench/README.md):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_i4 \\
        .venv/bin/python bench/assignment.py [--sizes 10000 100000] \\
        [--clients 32] [--duration 30] [--workers 5] [--threads 1] [--think 0] [--explain] [--reuse]

The database is migrated and FLUSHED (emptied) before each pool size: give it
a database of its own (plateau_i4 here), never one whose data you want.
"""

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

HOST, PORT = "127.0.0.1", 8140
SLUG = "bench-assignment"
LABELS = ("yak", "snow_leopard", "tibetan_antelope", "herder_tent")


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (this bench measures PostgreSQL).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(*, size: int, clients: int, overlap: int, gold_share: float) -> dict:
    """Replace the bench project with ``size`` tasks and ``clients`` annotators."""
    from django.core.files.storage import default_storage
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from accounts.roles import Role
    from labeling.models import Image, LabelClass, Membership, Project, Task

    started = time.perf_counter()
    # The bench owns this database: TRUNCATE everything rather than walk
    # 100,000 tasks through Django's delete collector.
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    project = Project.objects.create(name="Bench: assignment", slug=SLUG, overlap=overlap, gold_rate=gold_share,
                                     lease_seconds=900, max_boxes_per_image=500)
    for order, name in enumerate(LABELS):
        LabelClass.objects.create(project=project, name=name, order=order)
    # One tiny shared file: the API under test never opens image bytes.
    shared = "bench/shared-1x1.png"
    if not default_storage.exists(shared):
        from django.core.files.base import ContentFile

        import io

        from PIL import Image as PILImage

        buffer = io.BytesIO()
        PILImage.new("RGB", (4, 3), (90, 120, 60)).save(buffer, "PNG")
        default_storage.save(shared, ContentFile(buffer.getvalue()))
    batch = 5000
    gold_every = int(1 / gold_share) if gold_share else 0
    for first in range(0, size, batch):
        count = min(batch, size - first)
        images = Image.objects.bulk_create(
            Image(project=project, file=shared, original_name=f"bench-{first + i}.png", format="PNG",
                  width=4000, height=3000, sha256=f"{project.pk:08d}{first + i:056d}", byte_size=70)
            for i in range(count)
        )
        Task.objects.bulk_create(
            Task(project=project, image=image, priority=random.choice((0, 0, 0, 1, 2)),
                 is_gold=bool(gold_every) and (first + i) % gold_every == 0,
                 gold_boxes=[{"label": "yak", "x": 10, "y": 10, "width": 50, "height": 40}]
                 if gold_every and (first + i) % gold_every == 0 else [])
            for i, image in enumerate(images)
        )
    tokens = []
    for n in range(clients):
        user, _ = User.objects.get_or_create(username=f"bench-annotator-{n}")
        Membership.objects.get_or_create(project=project, user=user, defaults={"role": Role.ANNOTATOR})
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"project": project.pk, "tokens": tokens, "fill_seconds": round(time.perf_counter() - started, 1)}


def explain_pool_query(project_id: int, username: str) -> list[str]:
    """EXPLAIN ANALYZE of the pool query that "next" runs, as the database plans it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from labeling.assignment.pool import pool_pick_statement
    from labeling.models import Project

    project = Project.objects.get(pk=project_id)
    user = User.objects.get(username=username)
    sql, params = pool_pick_statement(project=project, user_id=user.pk, now=timezone.now(), gold=False, passed=[])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def start_gunicorn(*, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        # Plain local HTTP: production mode would redirect every call to HTTPS.
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": HOST,
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"{HOST}:{PORT}",
         "--workers", str(workers), *(["--threads", str(threads)] if threads > 1 else []),
         "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    # Up to 60 s: five workers importing Django on a busy machine take a while.
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=1)
            conn.request("GET", "/api/v1/users/me/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    sys.exit("gunicorn did not start")


class Annotator(threading.Thread):
    def __init__(self, *, token: str, project: int, deadline: float, think: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.token, self.project, self.deadline, self.think = token, project, deadline, think
        self.random = random.Random(seed)
        self.latency: dict[str, list[float]] = {"next": [], "save": [], "submit": []}
        self.offered: list[int] = []
        self.errors: Counter = Counter()
        self.cycles = 0
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=30)

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        payload = json.dumps(body).encode() if body is not None else b""
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        try:
            self.conn.request(method, path, payload, headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            # The server closed a keep-alive connection: reconnect, retry once.
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
            started = time.perf_counter()
            self.conn.request(method, path, payload, headers)
            response = self.conn.getresponse()
            raw = response.read()
        self.latency[kind].append((time.perf_counter() - started) * 1000)
        return response.status, (json.loads(raw) if raw else None)

    def boxes(self) -> list[dict]:
        return [{"label": self.random.choice(LABELS), "x": self.random.uniform(0, 3000),
                 "y": self.random.uniform(0, 2000), "width": self.random.uniform(5, 900),
                 "height": self.random.uniform(5, 900)} for _ in range(self.random.randint(1, 3))]

    def run(self) -> None:
        if self.think:
            # Spread the starts so that paced clients do not press "next" in
            # lockstep waves (people do not start at the same instant).
            time.sleep(self.random.uniform(0, self.think))
        while time.perf_counter() < self.deadline:
            status, task = self.call("next", "POST", f"/api/v1/projects/{self.project}/tasks/next/")
            if status == 204:
                return
            if status != 200:
                self.errors[f"next {status}"] += 1
                continue
            self.offered.append(task["id"])
            if self.think:
                time.sleep(self.think * self.random.uniform(0.5, 1.5))
            status, _ = self.call("save", "PUT", f"/api/v1/tasks/{task['id']}/annotation/",
                                  {"boxes": self.boxes(), "version": task["annotation"]["version"]})
            if status != 200:
                self.errors[f"save {status}"] += 1
            status, _ = self.call("submit", "POST", f"/api/v1/tasks/{task['id']}/submit/", {})
            if status != 200:
                self.errors[f"submit {status}"] += 1
            self.cycles += 1
        self.conn.close()


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"count": len(values)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"count": len(values), "p50": round(cuts[49], 2), "p95": round(cuts[94], 2),
            "p99": round(cuts[98], 2), "max": round(max(values), 2)}


def integrity(project_id: int, overlap: int) -> dict:
    """Duplicates as the database records them, after the run."""
    from django.db.models import Count

    from labeling.models import Annotation, Lease, Task

    twice = Lease.objects.filter(task__project_id=project_id).values("task", "annotator").annotate(
        n=Count("id")).filter(n__gt=1).count()
    over = Task.objects.filter(project_id=project_id, is_gold=False, submitted_count__gt=overlap).count()
    submitted = Annotation.objects.filter(task__project_id=project_id, status="submitted").count()
    return {"leased_twice_to_one_person": twice, "tasks_beyond_overlap": over, "submitted_annotations": submitted}


def reuse(*, size: int, clients: int, overlap: int) -> dict | None:
    """The existing bench project when it has ``size`` tasks (``--reuse``), else None.

    Tasks taken by the previous run stay taken; the pool is large enough
    that a 30-60 s run never exhausts it.
    """
    from rest_framework.authtoken.models import Token

    from labeling.models import Project

    project = Project.objects.filter(slug=SLUG, overlap=overlap).first()
    if project is None or project.tasks.count() != size:
        return None
    names = [f"bench-annotator-{n}" for n in range(clients)]
    keys = dict(Token.objects.filter(user__username__in=names).values_list("user__username", "key"))
    if len(keys) != clients:
        return None
    tokens = [keys[name] for name in names]
    return {"project": project.pk, "tokens": tokens, "fill_seconds": 0.0}


def run_size(args, size: int) -> dict:
    filled = (args.reuse and reuse(size=size, clients=args.clients, overlap=args.overlap)) or fill(
        size=size, clients=args.clients, overlap=args.overlap, gold_share=args.gold
    )
    server = start_gunicorn(workers=args.workers, threads=args.threads)
    try:
        deadline = time.perf_counter() + args.duration
        clients = [Annotator(token=token, project=filled["project"], deadline=deadline, think=args.think, seed=n)
                   for n, token in enumerate(filled["tokens"])]
        began = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    explain = None
    if args.explain:
        # After the run, with fresh statistics: the plan "next" gets once
        # leases and annotations exist, as the annotator who did the most.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE labeling_task, labeling_lease, labeling_annotation")
        busiest = max(range(len(clients)), key=lambda n: clients[n].cycles)
        explain = explain_pool_query(filled["project"], f"bench-annotator-{busiest}")
    joined = {kind: [ms for c in clients for ms in c.latency[kind]] for kind in ("next", "save", "submit")}
    offered_twice = sum(n - 1 for c in clients for n in Counter(c.offered).values() if n > 1)
    checks = integrity(filled["project"], args.overlap)
    errors = sum((c.errors for c in clients), Counter())
    result = {
        "tasks": size,
        "clients": args.clients,
        "overlap": args.overlap,
        "gold_rate": args.gold,
        "duration_s": round(elapsed, 1),
        "think_s": args.think,
        "gunicorn": {"workers": args.workers, "threads": args.threads,
                     "worker_class": "gthread" if args.threads > 1 else "sync"},
        "fill_seconds": filled["fill_seconds"],
        "latency_ms": {kind: percentiles(values) for kind, values in joined.items()},
        "throughput": {
            "cycles_per_s": round(sum(c.cycles for c in clients) / elapsed, 1),
            "requests_per_s": round(sum(len(v) for v in joined.values()) / elapsed, 1),
        },
        "duplicates": offered_twice + checks["leased_twice_to_one_person"] + checks["tasks_beyond_overlap"],
        "integrity": {"offered_twice_to_one_client": offered_twice, **checks},
        "errors": dict(errors),
    }
    if explain is not None:
        result["explain_pool_query"] = explain
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0)
    # Sync workers by default: with keep-alive (gthread) one worker tends to
    # hold most client connections while the others idle.
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="> 1 switches to gthread workers")
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--gold", type=float, default=0.05, help="gold share of the pool and of each stream")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds each client 'draws' between next and save (0.5-1.5x, random start)")
    parser.add_argument("--explain", action="store_true", help="include EXPLAIN ANALYZE of the pool query")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the bench project if it already has this many tasks (skips the fill)")
    args = parser.parse_args()
    _setup_django()
    results = [run_size(args, size) for size in args.sizes]
    print(json.dumps(results if len(results) > 1 else results[0], indent=2))


if __name__ == "__main__":
    main()
