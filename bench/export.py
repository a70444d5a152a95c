"""Benchmark of the exports: seconds, peak RSS and bytes at 10k, 30k and 100k images.

Run against PostgreSQL (the numbers in bench/README.md come from this):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_i7 \
        .venv/bin/python bench/export.py [--sizes 10000,30000,100000] [--repeat 3] \
        [--format coco|yolo|voc]

Each size is a project of N accepted images with 3 boxes each (bulk inserts,
made once and reused). Each export runs in a fresh child process through the
service (``jobs.export_request``, Celery eager, JSON written to storage), so
the peak RSS printed is that of the exporting process alone; the baseline
(Django loaded, before exporting) is printed beside it. Prints JSON.
"""

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

BOXES_PER_IMAGE = 3
CHUNK = 10_000


def setup_django() -> None:
    import django

    django.setup()


def seed(size: int) -> int:
    """Return the id of a project with ``size`` accepted images (made if missing)."""
    from django.db import transaction

    from accounts.models import User
    from labeling.models import Annotation, Box, Image, LabelClass, Project, Task

    slug = f"bench-export-{size}"
    project = Project.objects.filter(slug=slug).first()
    if project is not None and project.tasks.count() == size:
        return project.pk
    if project is not None:
        project.delete()
    annotator, _ = User.objects.get_or_create(username="bench-annotator")
    project = Project.objects.create(name=f"Bench export {size}", slug=slug)
    labels = [LabelClass.objects.create(project=project, name=name, order=i, supercategory=sup)
              for i, (name, sup) in enumerate([("yak", "livestock"), ("snow_leopard", "wildlife"),
                                                ("tibetan_antelope", "wildlife"), ("tent", "structure")])]
    started = time.perf_counter()
    for start in range(0, size, CHUNK):
        with transaction.atomic():
            images = Image.objects.bulk_create([
                Image(project=project, file=f"images/{project.pk}/{i:08d}.jpg", original_name=f"DJI_{i:06d}.JPG",
                      format="JPEG", width=5472, height=3648,
                      sha256=hashlib.sha256(f"{slug}-{i}".encode()).hexdigest(), byte_size=8_000_000,
                      gps_latitude=36.5 + i * 1e-6, gps_longitude=100.2 + i * 1e-6, gps_altitude=3200.0 + i % 50)
                for i in range(start, min(start + CHUNK, size))], batch_size=2000)
            tasks = Task.objects.bulk_create(
                [Task(project=project, image=image, status="accepted") for image in images], batch_size=2000)
            annotations = Annotation.objects.bulk_create(
                [Annotation(task=task, annotator=annotator, status="accepted", version=2) for task in tasks],
                batch_size=2000)
            Box.objects.bulk_create([
                Box(annotation=a, label=labels[(a.pk + j) % len(labels)], x=100.0 + j * 700 + (a.pk % 97) / 7,
                    y=200.0 + j * 300 + (a.pk % 89) / 3, width=80.5 + j, height=60.25 + j)
                for a in annotations for j in range(BOXES_PER_IMAGE)], batch_size=5000)
    print(f"seeded {size} images in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return project.pk


def peak_rss_kb() -> int:
    """VmHWM of this process: unlike ru_maxrss it is not inherited across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def backend_cpu_seconds(pid: int) -> float:
    """CPU time of the PostgreSQL backend serving this process (same machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(project_id: int, fmt: str) -> dict:
    """Child process: one export through the service, with its own peak RSS."""
    from django.db import connection

    from labeling.export import jobs
    from labeling.models import Export, Project

    baseline_kb = peak_rss_kb()
    project = Project.objects.get(pk=project_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_before = backend_cpu_seconds(backend)
    started, cpu_started = time.perf_counter(), time.process_time()
    export, _ = jobs.export_request(project=project, user=None, fmt=fmt)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    backend_cpu = backend_cpu_seconds(backend) - backend_before
    export = Export.objects.get(pk=export.pk)
    peak_kb = peak_rss_kb()
    assert export.state == "done", export.error
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "db_backend_cpu_seconds": round(backend_cpu, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "baseline_rss_mb": round(baseline_kb / 1024, 1),
        "bytes": export.byte_size,
        "images": export.image_count,
        "boxes": export.annotation_count,
        "sha256": export.sha256,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="coco", choices=("coco", "yolo", "voc"))
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django()
    if args.measure:
        print(json.dumps(measure(args.measure, args.format)))
        return
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as media:
        env = {**os.environ, "MEDIA_ROOT": media, "EXPORT_KEEP_VERSIONS": "1"}
        for size in (int(s) for s in args.sizes.split(",")):
            project_id = seed(size)
            # Fresh bulk inserts have no planner statistics yet; autovacuum would add them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            connection.close()
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run([sys.executable, __file__, "--measure", str(project_id),
                                      "--format", args.format], env=env,
                                     capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            results.append({
                "images": runs[0]["images"],
                "boxes": runs[0]["boxes"],
                "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
                "seconds_runs": [r["seconds"] for r in runs],
                "exporter_cpu_seconds_median": statistics.median(r["cpu_seconds"] for r in runs),
                "db_backend_cpu_seconds_median": round(statistics.median(
                    r["db_backend_cpu_seconds"] or 0.0 for r in runs), 2),
                "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs),
                "baseline_rss_mb": runs[0]["baseline_rss_mb"],
                "bytes": runs[0]["bytes"],
                "same_sha256_every_run": len({r["sha256"] for r in runs}) == 1,
                # To compare two versions of the code on the same database.
                "sha256": runs[0]["sha256"],
            })
    for row in results:
        row["us_per_image"] = round(row["seconds_median"] / row["images"] * 1e6, 1)
    print(json.dumps({"format": args.format, "cpu_count": os.cpu_count(),
                      "load_average": os.getloadavg(),
                      "exports": results}, indent=2))


if __name__ == "__main__":
    main()
