"""What "next" pays for an annotator's own history: the per-person lock statement.

Every "next" (and every submit that carries the next task) locks the caller's
user row and, in the same statement, counts their annotations in the project
(seen, of which gold; drafts; submitted today and ever: ``assignment/caller.py``).
That count walks every annotation the person ever made in the project, so it
grew with their history, not with the pool; it now reads a tally the database
keeps (``AnnotatorTally``) and scans only the day's submissions. This fills one
project with ``size`` tasks that one annotator has all submitted (spread over 30
days; with ``--today N`` the N latest all fall in the current day, a full day's
work), vacuums and analyses as autovacuum would have, then times the lock statement as "next" runs it (a prepared statement, in
a transaction), ``--calls`` times per size, and prints JSON: median and p95 ms,
and PostgreSQL's own execution time, the median of 21 ``EXPLAIN ANALYZE`` with
and without per-node timing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plateau_bench \\
      .venv/bin/python bench/caller_history.py --sizes 100 1000 10000 --calls 200 [--today 600]

The database is flushed first: give it one of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def fill(size: int, today: int = 0):
    from django.core.management import call_command
    from django.utils import timezone

    from labeling.counts import annotator_day
    from labeling.models import Annotation, Image, Project, Task
    from tests.factories import add_member, make_user

    call_command("flush", interactive=False, verbosity=0)
    project = Project.objects.create(name="Bench: caller history", slug="bench-caller-history", overlap=1)
    person = make_user()
    add_member(project, person, "annotator")
    now = timezone.now()
    _, day_start = annotator_day(now)

    def submitted_at(i: int):
        if i < today:  # evenly over the day so far
            return now - (now - day_start) * i / today
        return now - timedelta(days=30 * i / max(size, 1))

    batch = 5000
    for first in range(0, size + 1, batch):
        count = min(batch, size + 1 - first)
        images = Image.objects.bulk_create(
            Image(project=project, file="bench/shared-1x1.png", original_name=f"h-{first + i}.png", format="PNG",
                  width=640, height=480, sha256=f"{first + i:064d}", byte_size=70)
            for i in range(count))
        tasks = Task.objects.bulk_create(Task(project=project, image=image) for image in images)
        done = [t for k, t in enumerate(tasks) if first + k < size]  # one task left open
        Task.objects.filter(pk__in=[t.pk for t in done]).update(status=Task.Status.ACCEPTED, submitted_count=1)
        Annotation.objects.bulk_create(
            Annotation(task=t, annotator=person, status=Annotation.Status.ACCEPTED, version=2,
                       submitted_at=submitted_at(first + k))
            for k, t in enumerate(done))
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum would have by the time anyone asks "next": the bulk fill
        # leaves the tally row with thousands of dead versions at once.
        cursor.execute("VACUUM ANALYZE")
    return project, person


def measure(size: int, calls: int, today: int = 0) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from labeling.assignment.caller import _LOCK, lock_annotator
    from labeling.counts import annotator_day

    project, person = fill(size, min(today, size))
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        with transaction.atomic():
            caller = lock_annotator(user_id=person.pk, project_id=project.pk, now=timezone.now())
        times.append((time.perf_counter() - began) * 1000)
    assert caller.progress["total"] == size, caller.progress
    _, start = annotator_day(timezone.now())
    params = {"user": person.pk, "project": project.pk, "day_start": start}

    def execution_ms(options: str) -> float:
        """PostgreSQL's own execution time, median of 21 EXPLAINs."""
        with connection.cursor() as cursor:
            samples = []
            for _ in range(21):
                cursor.execute(f"EXPLAIN ({options}, FORMAT JSON) " + _LOCK, params)
                samples.append(cursor.fetchone()[0][0]["Execution Time"])
        return round(statistics.median(samples), 3)

    times.sort()
    return {"annotations_of_the_caller": size, "submitted_today": caller.progress["today"], "calls": calls,
            "p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
            "postgres_execution_ms": execution_ms("ANALYZE"),
            # Without a clock read per plan node and row, which weighs on a
            # subquery run once per row far more than on a join.
            "postgres_untimed_ms": execution_ms("ANALYZE, TIMING OFF")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--today", type=int, default=0, help="of each size, this many submitted today")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rows = [measure(size, args.calls, args.today) for size in args.sizes]
    print(json.dumps({"rows": rows, "load_average": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
