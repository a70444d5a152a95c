"""Ingest benchmark: N generated 4000×3000 drone-like JPEGs through the service.

Prints JSON: images per second for validation + metadata + storage, peak
memory (ru_maxrss of a fresh process, for two batch sizes to show it does
not grow with the batch), a per-stage cost breakdown of one image, and the
time until every thumbnail exists with a real Celery worker on Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_i3 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \\
    .venv/bin/python bench/ingest.py --count 1000 --workers 2

The JPEGs are generated once into bench/out/ingest/jpegs/ (gitignored).
"""

import argparse
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "ingest"
JPEGS = OUT / "jpegs"
MEDIA = OUT / "media"
WIDTH, HEIGHT = 4000, 3000
_BASE = None  # the shared gradient, made once per generating process


def _jpeg(index: int) -> bytes:
    import numpy as np
    from PIL import Image as PILImage
    from PIL.TiffImagePlugin import IFDRational

    global _BASE
    rng = np.random.default_rng(index)
    if _BASE is None:
        ys = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None, None]
        xs = np.linspace(0, 1, WIDTH, dtype=np.float32)[None, :, None]
        base = np.array([80, 115, 60], np.float32) * (0.6 + 0.4 * xs) + np.array([40, 30, 90], np.float32) * ys
        _BASE = base.astype(np.uint8)
    # Cheap but not flat: a shared gradient, a per-image noise texture and a unique block.
    tile = rng.integers(0, 48, (500, 500, 3), dtype=np.uint8)
    pixels = _BASE + np.tile(tile, (HEIGHT // 500, WIDTH // 500, 1))
    row, col = divmod(index % 48, 8)
    pixels[row * 400 : row * 400 + 300, col * 500 : col * 500 + 300] = rng.integers(0, 255, 3, dtype=np.uint8)
    exif = PILImage.Exif()
    lat = 36.6 + (index % 40) * 0.01
    lon = 99.8 + (index // 40) * 0.01
    exif[0x8825] = {
        1: "N", 2: (IFDRational(int(lat), 1), IFDRational(int(lat % 1 * 60), 1), IFDRational(0, 1)),
        3: "E", 4: (IFDRational(int(lon), 1), IFDRational(int(lon % 1 * 60), 1), IFDRational(0, 1)),
        5: b"\x00", 6: IFDRational(32000 + index, 10),
    }
    exif[0x8769] = {0x9003: f"2024:07:{1 + index % 28:02d} {index % 24:02d}:{index % 60:02d}:00"}
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def _write(index: int) -> int:
    path = JPEGS / f"DJI_{index:04d}.JPG"
    if not path.exists():
        data = _jpeg(index)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.rename(path)
    return path.stat().st_size


def generate(count: int) -> dict:
    JPEGS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=2) as pool:
        sizes = list(pool.map(_write, range(count), chunksize=8))
    return {"files": count, "mean_bytes": int(sum(sizes) / len(sizes)), "seconds": round(time.monotonic() - started, 1)}


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    import django

    django.setup()


def phase_ingest(count: int, workers: int, slug: str) -> dict:
    """In a fresh process: ingest ``count`` files into a new project."""
    _django()
    from labeling.ingest.batch import ingest_paths, summarize
    from labeling.models import Project

    project = Project.objects.create(name=f"bench {slug}", slug=slug)
    paths = [str(JPEGS / f"DJI_{i:04d}.JPG") for i in range(count)]
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    results = ingest_paths(project=project, paths=paths, workers=workers)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    counts = summarize(results)
    return {
        "project_id": project.pk,
        "count": count,
        "workers": workers,
        "seconds": round(seconds, 2),
        "images_per_second": round(counts["created"] / seconds, 2),
        # Wall time depends on what else runs on the machine; CPU time much less.
        "cpu_seconds": round(cpu, 1),
        "images_per_cpu_second": round(counts["created"] / cpu, 2),
        "cores_used": round(cpu / seconds, 2),
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "results": counts,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_stages(samples: int) -> dict:
    """Single-thread cost of each stage for one image (medians, ms)."""
    _django()
    import hashlib
    import statistics

    from django.conf import settings
    from PIL import Image as PILImage

    from labeling.ingest.limits import current_limits
    from labeling.ingest.metadata import read_metadata
    from labeling.ingest.validate import decode_fully

    limits = current_limits()
    stages: dict[str, list[float]] = {"read_and_sha256": [], "open_and_check_decode": [], "metadata": [],
                                      "compare_full_scale_grayscale_decode": [],
                                      "compare_full_scale_colour_decode": []}
    for i in range(samples):
        path = JPEGS / f"DJI_{i:04d}.JPG"
        t0 = time.perf_counter()
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        t1 = time.perf_counter()
        image = decode_fully(io.BytesIO(data), "JPEG", limits)
        t2 = time.perf_counter()
        read_metadata(image, capture_timezone=settings.INGEST_CAPTURE_TIMEZONE)
        t3 = time.perf_counter()
        image.close()
        gray = PILImage.open(io.BytesIO(data))
        gray.draft("L", (WIDTH, HEIGHT))  # same scale: every block decoded, no colour conversion
        gray.load()
        t4 = time.perf_counter()
        full = PILImage.open(io.BytesIO(data))
        full.load()  # what the check did before it decoded at 1/8 scale
        t5 = time.perf_counter()
        for key, value in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            stages[key].append(value * 1000)
    return {key: round(statistics.median(values), 1) for key, values in stages.items()}


def _run_phase(*args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _worker_env() -> dict:
    env = dict(os.environ, MEDIA_ROOT=str(MEDIA), DJANGO_SETTINGS_MODULE="config.settings.base")
    return env


def thumbnails(project_id: int, count: int, timeout: float) -> dict:
    """Start a real worker and time until every image of the project has its thumbnail."""
    _django()
    from labeling.models import Image

    celery = Path(sys.executable).parent / "celery"
    log = open(OUT / "worker.log", "w")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_before = children.ru_utime + children.ru_stime
    worker = subprocess.Popen(
        [str(celery), "-A", "config", "worker", "-l", "warning", "--concurrency", "2", "--without-mingle",
         "--without-gossip", "-n", "bench-ingest@%h"],
        cwd=ROOT, env=_worker_env(), stdout=log, stderr=subprocess.STDOUT,
    )
    started = time.perf_counter()
    try:
        while True:
            ready = Image.objects.filter(project_id=project_id).exclude(thumbnail="").count()
            failed = Image.objects.filter(project_id=project_id, derivatives="failed").count()
            if ready + failed >= count or time.perf_counter() - started > timeout:
                break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = children.ru_utime + children.ru_stime - children_before
    return {"worker_concurrency": 2, "thumbnails": ready, "failed": failed,
            "seconds_after_worker_start": round(seconds, 1), "thumbnails_per_second": round(ready / seconds, 2),
            "worker_cpu_seconds": round(worker_cpu, 1),
            "images_per_worker_cpu_second": round(ready / worker_cpu, 2) if worker_cpu else None,
            "load_average_1min_after": round(os.getloadavg()[0], 1)}


def rederive(project_id: int, count: int) -> dict:
    """Forget a project's derivatives, queue every job again, then time a real worker."""
    _django()
    from labeling.jobs import image_derivatives
    from labeling.models import Image

    subprocess.run([str(Path(sys.executable).parent / "celery"), "-A", "config", "purge", "-f"], check=True,
                   cwd=ROOT, env=_worker_env(), capture_output=True)
    images = Image.objects.filter(project_id=project_id)
    images.update(thumbnail="", display="", derivatives=Image.Derivatives.PENDING)
    for image_id in images.values_list("id", flat=True):
        image_derivatives.delay(image_id)
    return thumbnails(project_id, min(count, images.count()), timeout=1800)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="a second, smaller batch to compare memory")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--phase", choices=["ingest", "stages"])
    parser.add_argument("--slug", default="")
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--derivatives-only", type=int, metavar="PROJECT_ID",
                        help="re-make the derivatives of an ingested project with a real worker, and time it")
    args = parser.parse_args()
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args.count, args.workers, args.slug)))
        return
    if args.phase == "stages":
        print(json.dumps(phase_stages(args.count)))
        return
    if args.generate_only:
        print(json.dumps(generate(args.count)))
        return
    if "postgres" not in os.environ.get("DATABASE_URL", "") or "redis" not in os.environ.get("CELERY_BROKER_URL", ""):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis): see the docstring.")
    # DEBUG off, as in production: with DEBUG on Django keeps every query in memory.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    if args.derivatives_only:
        print(json.dumps(rederive(args.derivatives_only, args.count), indent=2))
        return
    report: dict = {"image": f"{WIDTH}x{HEIGHT} JPEG q85 with EXIF GPS", "cores": os.cpu_count()}
    report["generate"] = generate(args.count)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT, env=_worker_env())
    subprocess.run([str(Path(sys.executable).parent / "celery"), "-A", "config", "purge", "-f"], check=True,
                   cwd=ROOT, env=_worker_env(), capture_output=True)
    stamp = str(int(time.time()))
    report["stages_ms_single_thread"] = _run_phase("--phase", "stages", "--count", "20")
    report["ingest_small"] = _run_phase("--phase", "ingest", "--count", str(args.small),
                                        "--workers", str(args.workers), "--slug", f"bench-s-{stamp}")
    # Only the large batch's derivative jobs stay queued for the worker.
    subprocess.run([str(Path(sys.executable).parent / "celery"), "-A", "config", "purge", "-f"], check=True,
                   cwd=ROOT, env=_worker_env(), capture_output=True)
    report["ingest"] = _run_phase("--phase", "ingest", "--count", str(args.count),
                                  "--workers", str(args.workers), "--slug", f"bench-l-{stamp}")
    if not args.no_worker:
        report["derivatives"] = thumbnails(report["ingest"]["project_id"], args.count, timeout=1800)
        report["derivatives"]["seconds_from_ingest_start"] = round(
            report["ingest"]["seconds"] + report["derivatives"]["seconds_after_worker_start"], 1
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
