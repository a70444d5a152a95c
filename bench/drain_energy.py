"""What a quality drain batch costs per task and per report, and what recording its energy adds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_bench \\
    .venv/bin/python bench/drain_energy.py [--tasks 1000] [--batch 100] [--repeat 3]

For one answer and for three answers a task (5 boxes each), ``--tasks``
submitted tasks with pending reports are drained in the job's batches
(``quality_drain_batch``), in this process; each batch's process CPU time is
read, then the batch's energy is written as the job writes it
(``quality_energy_record``: one ledger row per task, one INSERT). Prints CPU
ms per task and per report (the basis of the share weights in
``labeling/quality/job_energy.py``) and the recording's CPU as a share of the
batch's. The bench project is deleted at the start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone as dj_timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from energy.models import LedgerEntry  # noqa: E402
from labeling.models import Annotation, Box, Image, LabelClass, Membership, Project, QualityReport, Task  # noqa: E402
from labeling.quality.drain import Batch, Drain, quality_drain_batch  # noqa: E402
from labeling.quality.job_energy import quality_energy_record  # noqa: E402

SLUG = "bench-drain-energy"
W, H = 4000, 3000


def reset() -> None:
    for project in Project.objects.filter(slug=SLUG):
        LedgerEntry.objects.filter(project_id=project.pk).delete()
        with connection.cursor() as cur:
            cur.execute("DELETE FROM labeling_qualityreport WHERE annotation_id IN (SELECT a.id FROM "
                        "labeling_annotation a JOIN labeling_task t ON a.task_id=t.id WHERE t.project_id=%s)",
                        [project.pk])
            cur.execute("DELETE FROM labeling_box WHERE annotation_id IN (SELECT a.id FROM labeling_annotation a "
                        "JOIN labeling_task t ON a.task_id=t.id WHERE t.project_id=%s)", [project.pk])
        project.delete()
    User.objects.filter(username__startswith="bench-de-").delete()


def build(answers: int, n_tasks: int, rng: random.Random) -> Project:
    """A project of ``n_tasks`` submitted tasks, ``answers`` annotations of 5 boxes each, reports pending."""
    project = Project.objects.create(name="Bench drain energy", slug=SLUG, overlap=3)
    label = LabelClass.objects.create(project=project, name="yak", order=0)
    users = [User.objects.create(username=f"bench-de-{i}") for i in range(answers)]
    Membership.objects.bulk_create([Membership(project=project, user=u, role="annotator") for u in users])
    images = Image.objects.bulk_create([
        Image(project=project, file=f"bench/de{i}.jpg", width=W, height=H, sha256=f"{i:064d}", byte_size=1,
              format="JPEG") for i in range(n_tasks)])
    tasks = Task.objects.bulk_create([Task(project=project, image=im, status=Task.Status.SUBMITTED,
                                           submitted_count=answers, started=True) for im in images])
    now = datetime.now(timezone.utc)
    annotations = Annotation.objects.bulk_create([
        Annotation(task=t, annotator=u, status=Annotation.Status.SUBMITTED, version=1, active_seconds=60,
                   submitted_at=now) for t in tasks for u in users])
    boxes = []
    for k in range(0, len(annotations), answers):
        truth = [(rng.uniform(0, W - 300), rng.uniform(0, H - 300), rng.uniform(40, 280), rng.uniform(40, 280))
                 for _ in range(5)]
        for j, annotation in enumerate(annotations[k:k + answers]):
            boxes += [Box(annotation=annotation, label=label, x=x + 3 * j, y=y, width=w, height=h)
                      for x, y, w, h in truth]
    Box.objects.bulk_create(boxes, batch_size=5000)
    QualityReport.objects.bulk_create([QualityReport(annotation=a, annotation_version=1) for a in annotations],
                                      batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE labeling_task, labeling_annotation, labeling_box, labeling_qualityreport")
    return project


def drain(project: Project, batch: int) -> dict:
    scoring, recording, tasks, reports = [], [], 0, 0
    while True:
        started, cpu = dj_timezone.now(), time.process_time()
        done = quality_drain_batch(project_id=project.pk, limit=batch)
        cpu = time.process_time() - cpu
        if not done:
            break
        one = Batch(tasks=done, cpu_seconds=cpu, started_at=started, ended_at=dj_timezone.now())
        rec = time.process_time()
        quality_energy_record(project_id=project.pk, job_id="bench", started_at=started, ended_at=one.ended_at,
                              cpu_seconds=cpu, drain=Drain([one]))
        recording.append(time.process_time() - rec)
        scoring.append(cpu)
        tasks += len(done)
        reports += sum(done.values())
    return {"tasks": tasks, "reports": reports, "batches": len(scoring), "scoring_s": sum(scoring),
            "recording_s": sum(recording)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assert "postgresql" in connection.settings_dict["ENGINE"], "set DATABASE_URL to PostgreSQL"
    rng = random.Random(7)
    result: dict = {"bench": "drain_energy", "tasks": args.tasks, "batch": args.batch, "repeat": args.repeat,
                    "load_average": os.getloadavg()[0]}
    for answers in (1, 3):
        runs = []
        for _ in range(args.repeat):
            reset()
            runs.append(drain(build(answers, args.tasks, rng), args.batch))
        reset()
        per_task = [r["scoring_s"] * 1000 / r["tasks"] for r in runs]
        per_report = [r["scoring_s"] * 1000 / r["reports"] for r in runs]
        share = [r["recording_s"] / r["scoring_s"] for r in runs]
        result[f"answers_{answers}"] = {
            "scoring_cpu_ms_per_task_median": round(statistics.median(per_task), 3),
            "scoring_cpu_ms_per_report_median": round(statistics.median(per_report), 3),
            "recording_cpu_ms_per_batch_median": round(statistics.median(
                r["recording_s"] * 1000 / r["batches"] for r in runs), 2),
            "recording_share_of_batch_cpu_median": round(statistics.median(share), 3),
        }
    result["cost_ratio_3_to_1_answers"] = round(result["answers_3"]["scoring_cpu_ms_per_task_median"]
                                                / result["answers_1"]["scoring_cpu_ms_per_task_median"], 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
