"""Score a project's pending reports in batches: many tasks per transaction.

A burst of submits (a team finishing a batch, a re-import) leaves thousands of
pending reports. One message per report would cost more than the scoring
itself, so queued jobs coalesce (see ``enqueue``) and each job, after its own
report, drains the project: it claims up to ``limit`` tasks with pending
reports (``SKIP LOCKED``: parallel jobs take different tasks), reads their
annotations, boxes and reports in three queries, scores them all and writes
them with one bulk update per table.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from labeling.models import Annotation, Project, QualityReport, Task
from labeling.quality.report import FINISHED, _boxes_by_annotation, accept_one, project_speed_norm, route_decision, score_reports, task_route


@dataclass(frozen=True)
class Batch:
    """One batch's work, for the energy ledger: the tasks it settled and when it ran.

    ``tasks`` maps each task to the reports the batch settled for it (scored,
    or closed as stale); ``cpu_seconds`` is the process CPU time between
    ``started_at`` and ``ended_at`` (the clock of the job that runs the drain).
    """

    tasks: dict[int, int]
    cpu_seconds: float
    started_at: datetime
    ended_at: datetime


@dataclass
class Drain:
    """What a drain did: its batches with work in them (the last, empty claim is not one)."""

    batches: list[Batch] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return sum(len(b.tasks) for b in self.batches)


def quality_drain_project(*, project_id: int, hand_on: Callable[[], None], batch: int = 100,
                          seconds: float = 60.0) -> Drain:
    """Score the project's pending reports in batches, for at most ``seconds``.

    While full batches keep coming, ``hand_on()`` is called (it queues another
    job if none waits) so that every worker process joins in; it is called
    once more if time runs out with work left. Returns the batches, each with
    its tasks, CPU time and window, so that the job can put the energy of each
    batch on the tasks it scored, in the hours it ran.
    """
    deadline = time.monotonic() + seconds
    drain = Drain()
    while time.monotonic() < deadline:
        started_at, cpu = timezone.now(), time.process_time()
        done = quality_drain_batch(project_id=project_id, limit=batch)
        if not done:  # nothing left that another job is not already scoring
            return drain
        drain.batches.append(Batch(tasks=done, cpu_seconds=time.process_time() - cpu, started_at=started_at,
                                   ended_at=timezone.now()))
        if len(done) == batch:
            hand_on()
    hand_on()
    return drain


def quality_drain_batch(*, project_id: int, limit: int = 100) -> dict[int, int]:
    """Score the pending reports of up to ``limit`` tasks of the project.

    Returns each task claimed with the number of its reports settled (scored,
    or closed as stale); empty when there was nothing to claim.
    """
    project = Project.objects.get(pk=project_id)
    norm = project_speed_norm(project_id=project_id)
    with_pending = QualityReport.objects.filter(
        state=QualityReport.State.PENDING, annotation__task__project_id=project_id
    ).values("annotation__task_id")
    with transaction.atomic():
        # SKIP LOCKED walks past tasks that another job is scoring right now.
        tasks = {
            t.pk: t for t in Task.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("image").filter(project_id=project_id, pk__in=with_pending).order_by("pk")[:limit]
        }
        if not tasks:
            return {}
        annotations = {a.pk: a for a in Annotation.objects.filter(task_id__in=list(tasks))}
        pending = [
            r for r in QualityReport.objects.select_for_update().filter(annotation_id__in=list(annotations))
            if r.state == QualityReport.State.PENDING
        ]
        boxes = _boxes_by_annotation(annotations)
        by_task: dict[int, dict[int, Annotation]] = defaultdict(dict)
        for a in annotations.values():
            by_task[a.task_id][a.pk] = a
        reports_by_task: dict[int, list[QualityReport]] = defaultdict(list)
        closed = []
        now = timezone.now()
        for r in pending:
            a = annotations[r.annotation_id]
            if a.status in FINISHED and a.version == r.annotation_version:
                reports_by_task[a.task_id].append(r)
            else:
                # Edited or withdrawn since: the newest version has (or will get) its own report.
                r.state, r.finished_at = QualityReport.State.FAILED, now
                r.error = (f"superseded by version {a.version}" if a.status in FINISHED
                           else f"not scored: the annotation is {a.status} now")
                closed.append(r)
        scored: list[QualityReport] = []
        statuses: dict[str, list[int]] = defaultdict(list)
        accept: list[int] = []
        accepted_tasks: list[int] = []
        for task_id, reports in reports_by_task.items():
            task = tasks[task_id]
            task.project = project
            score_reports(task=task, project=project, reports=reports, annotations=by_task[task_id],
                          boxes=boxes, norm=norm, now=now)
            scored.extend(reports)
            if task.is_gold:
                task_route(task=task, project=project, scored=reports, annotations=by_task[task_id])
                continue
            status, to_accept = route_decision(task=task, project=project, scored=reports,
                                               annotations=by_task[task_id])
            if status is not None:
                statuses[status].append(task_id)
                accept.extend(to_accept)
                if to_accept:
                    accepted_tasks.append(task_id)
        _write_reports(scored + closed)
        for status, ids in statuses.items():
            Task.objects.filter(pk__in=ids).update(status=status, updated_at=now)
        if accept:
            accept_one(task_ids=accepted_tasks, accept=accept, now=now)
    settled = dict.fromkeys(tasks, 0)
    for r in scored + closed:
        settled[annotations[r.annotation_id].task_id] += 1
    return settled


_WRITE_REPORTS = (
    f"UPDATE {QualityReport._meta.db_table} AS r SET state = v.state, score = v.score, flags = v.flags,"
    " metrics = v.metrics, error = v.error, finished_at = v.finished_at"
    " FROM unnest(%s::bigint[], %s::text[], %s::double precision[], %s::jsonb[], %s::jsonb[], %s::text[],"
    " %s::timestamptz[]) AS v(id, state, score, flags, metrics, error, finished_at)"
    " WHERE r.id = v.id"
)


def _write_reports(reports: list[QualityReport]) -> None:
    """Write the verdicts in one statement, one array per column.

    Django's ``bulk_update`` builds a CASE expression per row and column; for
    a batch of 300 reports that took 77 % of the batch (bench/README.md,
    "quality"). ``UPDATE … FROM unnest(…)`` is one fixed text whatever the
    batch size.
    """
    if not reports:
        return
    columns = (
        [r.pk for r in reports], [r.state for r in reports], [r.score for r in reports],
        [json.dumps(r.flags) for r in reports], [json.dumps(r.metrics) for r in reports],
        [r.error for r in reports], [r.finished_at for r in reports],
    )
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_REPORTS, columns)
