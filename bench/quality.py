"""Quality checks in a real Celery worker: throughput and queue-to-done latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_i6 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/6 \\
    .venv/bin/python bench/quality.py [--tasks 10000] [--paced-tasks 1000] [--rate 100] [--concurrency 2]

1. Burst: ``--tasks`` submitted tasks × 3 annotators × 5 boxes, every report
   queued through each submit's after-commit hook before the worker starts (queued jobs
   coalesce: at most one per project waits), then the worker drains the backlog. Prints tasks
   scored per second (first to last report finished).
2. Paced: with the worker idle and running, ``--paced-tasks`` more tasks are
   submitted through ``quality_check_enqueue`` (the path ``annotation_submit``
   takes) at ``--rate`` tasks/s; prints queue-to-done latency p50/p95/p99
   (from the enqueue call to the report's finished_at).
Prints one JSON object. The bench project is deleted at the start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402

from accounts.models import User  # noqa: E402
from labeling.models import Annotation, Box, Image, LabelClass, Membership, Project, QualityReport, Task  # noqa: E402
from labeling.quality.enqueue import quality_check_enqueue  # noqa: E402
from labeling.quality.enqueue import _send_coalesced  # noqa: E402

SLUG = "bench-quality"
LABELS = ["yak", "snow_leopard", "tibetan_antelope", "tent"]
W, H = 4000, 3000
EXTRA = os.environ.get("BENCH_WORKER_ARGS", "").split()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def reset() -> None:
    for project in Project.objects.filter(slug=SLUG):
        with connection.cursor() as cur:
            # Cascading 150,000 boxes through the ORM is slow; delete bottom-up.
            cur.execute("DELETE FROM labeling_qualityreport WHERE annotation_id IN (SELECT a.id FROM "
                        "labeling_annotation a JOIN labeling_task t ON a.task_id=t.id WHERE t.project_id=%s)",
                        [project.pk])
            cur.execute("DELETE FROM labeling_box WHERE annotation_id IN (SELECT a.id FROM labeling_annotation a "
                        "JOIN labeling_task t ON a.task_id=t.id WHERE t.project_id=%s)", [project.pk])
        project.delete()
    User.objects.filter(username__startswith="bench-q-").delete()


def build(project: Project, users: list[User], labels: list[LabelClass], n_tasks: int, rng: random.Random,
          start: int) -> list[int]:
    """n_tasks submitted tasks, 3 annotations of 5 boxes each; returns annotation ids."""
    images = Image.objects.bulk_create([
        Image(project=project, file=f"bench/{start + i}.jpg", width=W, height=H,
              sha256=f"{start + i:064d}", byte_size=1, format="JPEG")
        for i in range(n_tasks)
    ], batch_size=2000)
    tasks = Task.objects.bulk_create([Task(project=project, image=im, status=Task.Status.SUBMITTED,
                                           submitted_count=3, started=True) for im in images], batch_size=2000)
    now = datetime.now(timezone.utc)
    annotations = Annotation.objects.bulk_create([
        Annotation(task=t, annotator=u, status=Annotation.Status.SUBMITTED, version=2,
                   active_seconds=rng.uniform(20, 120), submitted_at=now)
        for t in tasks for u in users
    ], batch_size=3000)
    boxes = []
    for k in range(0, len(annotations), 3):
        truth = [(rng.choice(labels), rng.uniform(0, W - 300), rng.uniform(0, H - 300),
                  rng.uniform(40, 280), rng.uniform(40, 280)) for _ in range(5)]
        for j, annotation in enumerate(annotations[k:k + 3]):
            jitter = 2 + 6 * j  # the third annotator is sloppier
            for label, x, y, w, h in truth:
                boxes.append(Box(annotation=annotation, label=label,
                                 x=max(0.0, x + rng.uniform(-jitter, jitter)),
                                 y=max(0.0, y + rng.uniform(-jitter, jitter)),
                                 width=w + rng.uniform(-jitter, jitter), height=h + rng.uniform(-jitter, jitter)))
    Box.objects.bulk_create(boxes, batch_size=5000)
    with connection.cursor() as cur:
        # Fresh planner statistics, as a live database has (autovacuum lags bulk loads).
        cur.execute("ANALYZE labeling_image, labeling_task, labeling_annotation, labeling_box, "
                    "labeling_qualityreport")
    return [a.pk for a in annotations]


def start_worker(concurrency: int, prefetch: int) -> subprocess.Popen:
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    log = open(ROOT / "bench" / "out" / "quality-worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning",
         f"--concurrency={concurrency}", f"--prefetch-multiplier={prefetch}",
         "--without-gossip", "--without-mingle", "--without-heartbeat", *EXTRA],
        cwd=ROOT, env={**os.environ, "LOG_LEVEL": "WARNING"}, stdout=log, stderr=subprocess.STDOUT,
    )
    return proc


def wait_done(project: Project, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = QualityReport.objects.filter(annotation__task__project=project, state="done").count()
        if done >= expected:
            return
        time.sleep(0.5)
    raise TimeoutError(f"only {done} of {expected} reports done")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--paced-tasks", type=int, default=1_000)
    parser.add_argument("--rate", type=float, default=100.0, help="paced submits, tasks per second")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--prefetch", type=int, default=1)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    assert "postgresql" in connection.settings_dict["ENGINE"], "set DATABASE_URL to PostgreSQL"
    broker = os.environ["CELERY_BROKER_URL"]
    import redis

    redis.Redis.from_url(broker).flushdb()
    rng = random.Random(args.seed)
    reset()
    project = Project.objects.create(name="Bench quality", slug=SLUG, overlap=3, auto_accept=True)
    labels = [LabelClass.objects.create(project=project, name=n, order=i) for i, n in enumerate(LABELS)]
    users = [User.objects.create(username=f"bench-q-{i}") for i in range(3)]
    Membership.objects.bulk_create([Membership(project=project, user=u, role="annotator") for u in users])

    t0 = time.perf_counter()
    burst_ids = build(project, users, labels, args.tasks, rng, 0)
    build_s = time.perf_counter() - t0
    reports = QualityReport.objects.bulk_create(
        [QualityReport(annotation_id=pk, annotation_version=2) for pk in burst_ids], batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE labeling_qualityreport")
    t0 = time.perf_counter()
    sent = sum(_send_coalesced(report.pk, project.pk) for report in reports)  # each submit's hook
    queue_s = time.perf_counter() - t0

    worker = start_worker(args.concurrency, args.prefetch)
    try:
        wait_done(project, len(burst_ids), timeout=3600)
        span = QualityReport.objects.filter(pk__in=[r.pk for r in reports]).aggregate(
            first=Min("finished_at"), last=Max("finished_at"))
        drain_s = (span["last"] - span["first"]).total_seconds()

        paced_ids = build(project, users, labels, args.paced_tasks, rng, args.tasks)
        sent_at: dict[int, float] = {}
        interval = 1.0 / args.rate
        t_start = time.time()
        for i in range(0, len(paced_ids), 3):
            target = t_start + (i // 3) * interval
            delay = target - time.time()
            if delay > 0:
                time.sleep(delay)
            for pk in paced_ids[i:i + 3]:
                sent_at[pk] = time.time()
                quality_check_enqueue(pk)  # autocommit: creates the report and sends at once
        send_s = time.time() - t_start
        wait_done(project, len(burst_ids) + len(paced_ids), timeout=3600)
        latencies = [
            finished.timestamp() - sent_at[pk]
            for pk, finished in QualityReport.objects.filter(annotation_id__in=paced_ids, state="done")
            .values_list("annotation_id", "finished_at")
        ]
        routed = dict(Task.objects.filter(project=project).values_list("status").annotate(n=Count("id"))
                      .values_list("status", "n"))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    result = {
        "bench": "quality",
        "database": "postgresql",
        "broker": broker,
        "worker_concurrency": args.concurrency,
        "prefetch_multiplier": args.prefetch,
        "burst": {
            "tasks": args.tasks,
            "reports": len(burst_ids),
            "boxes_per_annotation": 5,
            "annotators_per_task": 3,
            "build_seconds": round(build_s, 1),
            "queue_seconds": round(queue_s, 1),
            "messages_sent": sent,
            "drain_seconds": round(drain_s, 2),
            "tasks_per_second": round(args.tasks / drain_s, 1),
            "reports_per_second": round(len(burst_ids) / drain_s, 1),
        },
        "paced": {
            "tasks": args.paced_tasks,
            "rate_tasks_per_second": args.rate,
            "send_seconds": round(send_s, 1),
            "queue_to_done_ms": {
                "p50": round(pct(latencies, 0.50) * 1000, 1),
                "p95": round(pct(latencies, 0.95) * 1000, 1),
                "p99": round(pct(latencies, 0.99) * 1000, 1),
                "mean": round(statistics.mean(latencies) * 1000, 1),
            },
        },
        "routed": routed,
        "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    reset()


if __name__ == "__main__":
    main()
