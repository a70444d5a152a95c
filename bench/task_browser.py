"""Benchmark of the task browser: one page of the table at 100,000 tasks, first and deep, filtered and sorted.

    createdb plateau_bench_tasks
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_bench_tasks \
        .venv/bin/python bench/task_browser.py [--size 100000] [--repeat 15]

The project is made once with bulk inserts and reused: N tasks (5 % gold,
priorities 0-4, capture times over a year, GPS around Qinghai Lake), one
annotation per task for the first 60 % (a third submitted with a scored
report, some flagged "too_fast"), predictions on every tenth task. Each case
renders the whole page in-process through Django's test client as a
signed-in supervisor (session, gate, forms, template) and prints JSON:
milliseconds p50 / p95 / max and the SQL queries of the request.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

CHUNK = 10_000


def seed(size: int) -> tuple[int, int, int]:
    """(project id, supervisor id, annotator id) of a project with ``size`` tasks (made if missing)."""
    from django.db import connection, transaction

    from accounts.models import User
    from accounts.roles import Role
    from labeling.models import Annotation, Image, LabelClass, Membership, Prediction, Project, QualityReport, Task

    slug = f"bench-tasks-{size}"
    supervisor, _ = User.objects.get_or_create(username="bench-supervisor")
    annotator, _ = User.objects.get_or_create(username="bench-annotator")
    project = Project.objects.filter(slug=slug).first()
    if project is not None and project.tasks.count() == size:
        return project.pk, supervisor.pk, annotator.pk
    if project is not None:
        project.delete()
    project = Project.objects.create(name=f"Bench tasks {size}", slug=slug)
    for role, user in ((Role.SUPERVISOR, supervisor), (Role.ANNOTATOR, annotator)):
        Membership.objects.create(project=project, user=user, role=role)
    LabelClass.objects.create(project=project, name="yak", order=0, hotkey=1)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    flag = [{"code": "too_fast", "severity": "warning", "check": "speed", "message": ""}]
    for offset in range(0, size, CHUNK):
        with transaction.atomic():
            n = min(CHUNK, size - offset)
            images = Image.objects.bulk_create([
                Image(project=project, file="bench/shared.png", original_name=f"DJI_{offset + i:06d}.JPG",
                      width=4000, height=3000, sha256=f"{project.pk:08d}{offset + i:056d}", byte_size=1,
                      format="JPEG", captured_at=start + timedelta(minutes=5 * (offset + i)),
                      gps_latitude=36.5 + ((offset + i) % 1000) / 2000, gps_longitude=99.6 + ((offset + i) % 997) / 1000)
                for i in range(n)])
            tasks = Task.objects.bulk_create([
                Task(project=project, image=image, priority=(offset + i) % 5, is_gold=(offset + i) % 20 == 0,
                     status="review" if (offset + i) % 7 == 0 and offset + i < size * 0.6 else "open")
                for i, image in enumerate(images)])
            annotations = Annotation.objects.bulk_create([
                Annotation(task=task, annotator=annotator, status="submitted" if (offset + i) % 3 == 0 else "draft")
                for i, task in enumerate(tasks) if offset + i < size * 0.6])
            QualityReport.objects.bulk_create([
                QualityReport(annotation=a, annotation_version=0, state="done", score=0.5 + (a.pk % 50) / 100,
                              flags=flag if a.pk % 4 == 0 else [])
                for a in annotations if a.status == "submitted"])
            Prediction.objects.bulk_create([
                Prediction(task=task, model_version="bench", boxes=[], source="import")
                for i, task in enumerate(tasks) if (offset + i) % 10 == 0])
        print(f"seeded {offset + n}/{size}", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project.pk, supervisor.pk, annotator.pk


def measure(client, url: str, params: dict, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (params, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    rows = response.content.decode().count("<tr data-task-id=")
    timings.sort()
    return {"params": params, "rows": rows, "queries": len(queries),
            "ms_p50": round(statistics.median(timings), 1),
            "ms_p95": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 1),
            "ms_max": round(timings[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from labeling.models import Task

    project_id, supervisor_id, annotator_id = seed(args.size)
    client = Client()
    client.force_login(User.objects.get(pk=supervisor_id))
    url = f"/annotate/projects/{project_id}/tasks/"
    ids = list(Task.objects.filter(project_id=project_id).order_by("id").values_list("id", flat=True)
               [args.size // 2: args.size // 2 + 1])
    middle = ids[0]
    cases = [
        {}, {"after": middle}, {"before": middle}, {"sort": "-priority"}, {"sort": "-priority", "after": middle},
        {"sort": "captured", "after": middle}, {"sort": "-id"},
        {"status": "review"}, {"gold": "yes"}, {"flag": "too_fast"}, {"annotator": annotator_id},
        {"predictions": "yes", "sort": "-priority"}, {"bbox": "99.6,36.5,99.8,36.6"},
        {"captured_from": "2026-03-01", "captured_to": "2026-03-02"},
    ]
    client.get(url)  # warm the caches and the session
    print(json.dumps({"tasks": args.size, "repeat": args.repeat,
                      "load_average": [round(x, 2) for x in os.getloadavg()],
                      "cases": [measure(client, url, params, args.repeat) for params in cases]}, indent=1))


if __name__ == "__main__":
    main()
