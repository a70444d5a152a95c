"""Each web request's CPU time, measured cheaply and written to the energy ledger in batches.

``time.thread_time()`` before and after the request (the worker thread's own
CPU seconds: what this request cost the web server's processor, not time
spent waiting for the database). The figure goes to an in-process buffer
keyed by the project or task the URL names; the buffer is written as one
INSERT at most once every ENERGY_WEB_FLUSH_S seconds, so the hot path gains
no write per request. Requests naming no project or task (sign-in, project
list, admin) are measured but kept out of every project's figures. A process
that stops loses its last unwritten batch (at most ENERGY_WEB_FLUSH_S of
requests): a shutdown hook would need the database at a time it may be gone.

With no broker (the eager default) there is no beat process, so the same
hook releases deferred jobs that are due (see ``release_due_soon``). Jobs
run inline then, inside the request that queued them (a submit's quality
check): their CPU time is theirs to record, with their own kind and task, so
the request's figure leaves it out rather than count it twice.
"""

from __future__ import annotations

import logging
import threading
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings

from energy.services import energy_release_due_soon, energy_web_meter, energy_web_record

log = logging.getLogger("energy.web")
METER = energy_web_meter()


def flush(*, force: bool = False) -> int:
    """Write the buffered CPU time now (``force``) or when the buffer is old enough."""
    since = METER.since
    if since is None:
        return 0
    if not force and time.time() - since < getattr(settings, "ENERGY_WEB_FLUSH_S", 60):
        return 0
    from labeling.models import Project, Task

    pending = METER.take()
    task_ids = {t for _, t in pending if t is not None}
    tasks = {pk: (project_id, site) for pk, project_id, site in
             Task.objects.filter(pk__in=task_ids).values_list("pk", "project_id", "project__energy_site")}
    project_ids = {p for p, t in pending if p is not None and t is None}
    projects = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "energy_site"))
    rows = []
    for (project_id, task_id), p in pending.items():
        if task_id is not None and task_id in tasks:
            rows.append((tasks[task_id][0], task_id, tasks[task_id][1], p))
        elif task_id is None and project_id in projects:
            rows.append((project_id, None, projects[project_id], p))
        # Otherwise a forged or deleted id: nothing to attribute it to.
    return energy_web_record(rows) if rows else 0


# Per thread: the CPU seconds spent in eager jobs so far, and when the running (outermost) one started.
_eager = threading.local()


def _eager_seconds() -> float:
    return getattr(_eager, "seconds", 0.0)


@task_prerun.connect
def _eager_job_started(task=None, **_) -> None:
    if task is not None and task.request.is_eager:
        _eager.depth = getattr(_eager, "depth", 0) + 1
        if _eager.depth == 1:  # a job an eager job queues runs inside it: counted with it
            _eager.cpu = time.thread_time()


@task_postrun.connect
def _eager_job_ended(task=None, **_) -> None:
    if task is not None and task.request.is_eager and getattr(_eager, "depth", 0):
        _eager.depth -= 1
        if _eager.depth == 0:
            _eager.seconds = _eager_seconds() + time.thread_time() - _eager.cpu


def _served(request) -> tuple[int | None, int | None]:
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    task, project = kwargs.get("task_id"), kwargs.get("project_id")
    return (int(project) if isinstance(project, int) else None, int(task) if isinstance(task, int) else None)


class EnergyMeterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, cpu, in_jobs = time.time(), time.thread_time(), _eager_seconds()
        response = self.get_response(request)
        seconds = max(0.0, time.thread_time() - cpu - (_eager_seconds() - in_jobs))
        project_id, task_id = _served(request)
        if project_id is not None or task_id is not None:
            METER.add(project_id=project_id, task_id=task_id, cpu_seconds=seconds, start=started, end=time.time())
        try:
            flush()
            if settings.CELERY_TASK_ALWAYS_EAGER:
                energy_release_due_soon()
        except Exception:  # accounting must never break the answer the user already has
            log.exception("energy bookkeeping after a request failed")
        return response
