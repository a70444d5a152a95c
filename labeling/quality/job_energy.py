"""A quality job's CPU time in the energy ledger, on the tasks it was spent for.

A job scores its own report, then may drain the project's backlog in batches
of up to a hundred tasks (``drain.py``). Each batch's CPU time goes to the
tasks that batch settled, placed in the batch's own window, so every task
carries the energy of its scoring in the hours it happened. What the job
spent outside its batches stays with its own report's task (the drain-only
job has none: that goes to the project). The rows add up to the CPU time the
job measured: nothing is invented or lost.
"""

from __future__ import annotations

from datetime import datetime

from energy.services import energy_record_usages
from labeling.quality.drain import Drain

KIND = "quality"


def quality_energy_record(*, project_id: int, job_id: str, started_at: datetime, ended_at: datetime,
                          cpu_seconds: float, drain: Drain, own_task_id: int | None = None) -> int:
    """Record the job's ``cpu_seconds`` (measured from ``started_at`` to ``ended_at``), one INSERT; return the rows.

    ``own_task_id`` is the task of the report the job was queued for: it keeps
    the CPU time outside the batches (its own scoring, the claim that found
    nothing left, queueing a helper), placed before the first batch, where its
    scoring ran. Without one, that rest is the project's, over the whole job.
    """
    common = {"consumer": "server", "job_kind": KIND, "job_id": job_id, "project_id": project_id}
    rows = []
    for batch in drain.batches:
        # Shared by the reports each task had settled, not evenly per task: the batch's
        # few statements are common to all, but the work per report (matching its boxes
        # against the other answers, the metrics, its row in the write) is nearly all
        # of it. bench/drain_energy.py: a task of three answers costs 3.0-4.5x the CPU of
        # a task of one; by reports it gets 3x, evenly it would get the same as the other.
        # A task claimed with nothing left to settle still cost its reads: weight 1.
        weights = {task_id: max(1, n) for task_id, n in batch.tasks.items()}
        total = sum(weights.values())
        rows.extend(
            {**common, "task_id": task_id, "started_at": batch.started_at, "ended_at": batch.ended_at,
             "cpu_seconds": batch.cpu_seconds * w / total}
            for task_id, w in weights.items()
        )
    rest = max(0.0, cpu_seconds - sum(b.cpu_seconds for b in drain.batches))
    if own_task_id is not None:
        own_end = drain.batches[0].started_at if drain.batches else ended_at
        rows.append({**common, "task_id": own_task_id, "started_at": started_at, "ended_at": own_end,
                     "cpu_seconds": rest})
    elif rest > 0:
        rows.append({**common, "task_id": None, "started_at": started_at, "ended_at": ended_at,
                     "cpu_seconds": rest})
    return energy_record_usages(rows)
