"""Queued ingest benchmark: ``import_images --queue`` with 1 and 2 worker processes.

For each ``--concurrency`` it starts a real Celery worker on Redis, queues N
generated 4000×3000 JPEGs (the same files as bench/ingest.py) in chunks
through ``labeling.ingest.queued`` (the code behind ``--queue``), and times:

- ingest: until every chunk is done (images/s, the chunks' CPU seconds, images
  per CPU-second: one CPU-second is one core busy for a second);
- with derivatives: until every thumbnail/display image exists, and the
  worker's whole CPU time (ingest + derivatives + the worker's own upkeep).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \\
    .venv/bin/python bench/ingest_queued.py --count 400 --concurrency 1 2

Prints JSON. The worker sees the files under bench/out/ingest/jpegs/ and
writes to bench/out/ingest/media/, as one machine with a shared disk would.
"""

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ingest as plain  # noqa: E402 - bench/ingest.py: the JPEGs and the Django set-up

IMAGE_MB = 3.4  # mean size of the generated JPEGs, as bench/ingest.py reports it


def _celery(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "celery"), "-A", "config", *args], cwd=ROOT,
                          env=plain._worker_env(), **kwargs)


def _start_worker(concurrency: int, log_path: Path) -> tuple[subprocess.Popen, object]:
    log = open(log_path, "w")
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-l", "info",
         "--concurrency", str(concurrency), "--without-mingle", "--without-gossip",
         "-n", f"bench-queued-{concurrency}@%h"],
        cwd=ROOT, env=plain._worker_env(), stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "ready." not in log_path.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    return worker, log


def run_once(count: int, concurrency: int, chunk_files: int) -> dict:
    from labeling.ingest.batch import summarize
    from labeling.ingest.queued import run_follow, run_queue
    from labeling.models import Image, IngestChunk, Project

    _celery("purge", "-f", check=True, capture_output=True)
    project = Project.objects.create(name=f"bench queued {concurrency}", slug=f"bench-q{concurrency}-{int(time.time())}")
    paths = [str(plain.JPEGS / f"DJI_{i:04d}.JPG") for i in range(count)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker, log = _start_worker(concurrency, plain.OUT / f"worker-queued-{concurrency}.log")
    load_before = os.getloadavg()[0]
    try:
        started = time.perf_counter()
        queued = run_queue(project=project, paths=paths, chunk_files=chunk_files)
        results = list(run_follow(queued.run, poll_seconds=0.2))
        ingest_seconds = time.perf_counter() - started
        while True:  # derivative jobs were queued behind the chunks, by the workers
            pending = Image.objects.filter(project=project, derivatives="pending").count()
            if pending == 0 or time.perf_counter() - started > 3600:
                break
            time.sleep(0.5)
        all_seconds = time.perf_counter() - started
        load_after = os.getloadavg()[0]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
        log.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    chunks = IngestChunk.objects.filter(run=queued.run)
    ingest_cpu = sum(c.cpu_seconds for c in chunks)
    processes = sorted({c.worker for c in chunks})
    counts = summarize(results)
    created = counts["created"]
    report = {
        "concurrency": concurrency,
        "chunks": queued.chunks,
        "worker_processes_used": len(processes),
        "results": counts,
        "ingest_seconds": round(ingest_seconds, 1),
        "ingest_images_per_second": round(created / ingest_seconds, 2),
        "ingest_cpu_seconds": round(ingest_cpu, 1),
        "ingest_images_per_cpu_second": round(created / ingest_cpu, 2) if ingest_cpu else None,
        "with_derivatives_seconds": round(all_seconds, 1),
        "with_derivatives_images_per_second": round(created / all_seconds, 2),
        "worker_cpu_seconds": round(worker_cpu, 1),
        "with_derivatives_images_per_cpu_second": round(created / worker_cpu, 2) if worker_cpu else None,
        "derivatives_failed": Image.objects.filter(project=project, derivatives="failed").count(),
        "load_average_1min": [round(load_before, 1), round(load_after, 1)],
    }
    chunks.delete()
    return report


def plan(per_cpu_second: float, target_images_per_second: float) -> dict:
    """Cores (one worker process each) for a target rate, at the measured cost."""
    cores = target_images_per_second / per_cpu_second
    return {"target_images_per_second": target_images_per_second,
            "target_mb_per_second": round(target_images_per_second * IMAGE_MB),
            "cores": round(cores, 1), "worker_processes": int(-(-cores // 1))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-files", type=int, default=20)
    parser.add_argument("--target", type=float, default=170.0, help="images/s to plan for (580 MB/s at 3.4 MB)")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", "") or "redis" not in os.environ.get("CELERY_BROKER_URL", ""):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis): see the docstring.")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    report: dict = {"image": f"{plain.WIDTH}x{plain.HEIGHT} JPEG q85 with EXIF GPS", "cores": os.cpu_count(),
                    "generate": plain.generate(args.count)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT, env=plain._worker_env())
    plain._django()
    report["runs"] = [run_once(args.count, n, args.chunk_files) for n in args.concurrency]
    best = max(report["runs"], key=lambda r: r["concurrency"])
    report["plan_ingest_only"] = plan(best["ingest_images_per_cpu_second"], args.target)
    report["plan_with_derivatives"] = plan(best["with_derivatives_images_per_cpu_second"], args.target)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
