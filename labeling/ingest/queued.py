"""Ingest spread over Celery workers: a run is a list of chunks, one job each.

The process that lists the files only writes :class:`IngestChunk` rows and
sends one job per chunk; any number of worker processes, on any machine that
sees the same paths, the same database and the same media storage, take the
chunks. Each job calls :func:`labeling.ingest.batch.ingest_sources`, the one
ingest implementation, so validation, deduplication and storage are the same
as for an upload.

A job that dies mid-chunk is delivered again (late acknowledgement): it
carries on after the last file it recorded, and the file that was in flight
is found by its SHA-256 like any duplicate, so no row is made twice.
"""

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import DATABASE_OUTAGE
from energy.services import energy_record_usage
from labeling.ingest.batch import ingest_sources
from labeling.ingest.limits import current_limits
from labeling.ingest.results import FileResult
from labeling.ingest.sources import source_ref, sources_from_paths, sources_from_refs
from labeling.models import Image, IngestChunk, Project

logger = logging.getLogger(__name__)

# Big enough that a job's overhead (a message, two row updates) is small next
# to decoding its files, small enough that two workers share even a short run.
DEFAULT_CHUNK_FILES = 20


@dataclass
class QueuedRun:
    run: uuid.UUID
    total: int
    chunks: int


def run_queue(
    *,
    project: Project,
    paths: Sequence[str],
    uploaded_by: User | None = None,
    chunk_files: int = DEFAULT_CHUNK_FILES,
    on_total: Callable[[int], None] | None = None,
    on_sent: Callable[[uuid.UUID], None] | None = None,
) -> QueuedRun:
    """List ``paths``, write the chunks and send one job per chunk.

    Files that are refused while listing (missing, hostile archive) travel in
    their chunk too, so the run's results keep the listing order. In eager
    mode each job runs inside ``apply_async``; ``on_sent`` hears the run id
    after every send so that the caller can report progress meanwhile.
    """
    from labeling.jobs import ingest_chunk_task

    run = uuid.uuid4()
    with ExitStack() as stack:
        refs = [source_ref(source) for source in sources_from_paths(paths, limits=current_limits(), stack=stack)]
    if on_total is not None:
        on_total(len(refs))
    size = max(1, chunk_files)
    chunks = IngestChunk.objects.bulk_create(
        IngestChunk(run=run, seq=seq, project=project, uploaded_by=uploaded_by, files=refs[start:start + size])
        for seq, start in enumerate(range(0, len(refs), size))
    )
    for sent, chunk in enumerate(chunks):
        try:
            ingest_chunk_task.apply_async((chunk.pk,))
        except Exception:
            # Nothing will ever take the unsent chunks: drop them so that no
            # follower waits for them, and let the caller say what happened.
            IngestChunk.objects.filter(pk__in=[c.pk for c in chunks[sent:]]).delete()
            raise
        if on_sent is not None:
            on_sent(run)
    return QueuedRun(run=run, total=len(refs), chunks=len(chunks))


def run_poll(run: uuid.UUID, seen: set[int]) -> list[FileResult]:
    """Results of the run's chunks finished since the last call (``seen`` is updated)."""
    finished = (
        IngestChunk.objects.filter(run=run, state__in=[IngestChunk.State.DONE, IngestChunk.State.FAILED])
        .exclude(pk__in=seen)
        .order_by("seq")
        .values_list("pk", "results")
    )
    results: list[FileResult] = []
    for pk, rows in finished:
        seen.add(pk)
        results.extend(FileResult(**row) for row in rows)
    return results


def run_follow(
    run: uuid.UUID,
    *,
    seen: set[int] | None = None,
    poll_seconds: float = 0.5,
    on_idle: Callable[[float], None] | None = None,
) -> Iterator[FileResult]:
    """Yield each file's result as chunks finish, until none is left running.

    ``seen`` holds the chunks already reported (see :func:`run_poll`).
    ``on_idle`` hears how long nothing has finished, so the caller can say
    that no worker seems to be taking the jobs.
    """
    seen = set() if seen is None else seen
    chunk_count = IngestChunk.objects.filter(run=run).count()
    last_progress = time.monotonic()
    while True:
        fresh = run_poll(run, seen)
        yield from fresh
        if len(seen) >= chunk_count:
            return
        if fresh:
            last_progress = time.monotonic()
        elif on_idle is not None:
            on_idle(time.monotonic() - last_progress)
        time.sleep(poll_seconds)


def run_results(run: uuid.UUID) -> list[FileResult]:
    """Every recorded result of the run, in listing order."""
    rows = IngestChunk.objects.filter(run=run).order_by("seq").values_list("results", flat=True)
    return [FileResult(**row) for chunk in rows for row in chunk]


def run_forget(run: uuid.UUID) -> int:
    """Delete the run's chunk rows once its results were reported."""
    return IngestChunk.objects.filter(run=run).delete()[0]


def runs_forget_stale(*, older_than_days: int = 7) -> int:
    """Delete the chunks of runs whose command never came back for them (killed, Ctrl-C)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return IngestChunk.objects.filter(created_at__lt=cutoff).delete()[0]


def chunk_ingest(chunk_id: int) -> str:
    """Ingest one chunk (the Celery job's body); safe to run again."""
    cpu_start = time.process_time()
    with transaction.atomic():
        chunk = (IngestChunk.objects.select_for_update(of=("self",)).select_related("project", "uploaded_by")
                 .filter(pk=chunk_id).first())
        if chunk is None:
            return "missing"
        if chunk.state in (IngestChunk.State.DONE, IngestChunk.State.FAILED):
            return chunk.state
        rerun = chunk.attempts > 0
        chunk.attempts += 1
        chunk.state = IngestChunk.State.RUNNING
        chunk.started_at = chunk.started_at or timezone.now()
        chunk.worker = f"{socket.gethostname()}:{os.getpid()}"[:200]
        chunk.save(update_fields=["attempts", "state", "started_at", "worker"])
    started_at = timezone.now()
    recorded: list[dict] = list(chunk.results)
    resumed_at = len(recorded)

    def record(result: FileResult) -> None:
        if rerun and len(recorded) == resumed_at:
            result = _in_flight_created(chunk, result)
        recorded.append(result.as_dict())
        IngestChunk.objects.filter(pk=chunk.pk).update(results=recorded)

    try:
        with ExitStack() as stack:
            limits = current_limits()
            sources = sources_from_refs(chunk.files[resumed_at:], limits=limits, stack=stack)
            ingest_sources(project=chunk.project, sources=sources, uploaded_by=chunk.uploaded_by, limits=limits,
                           on_result=record)
    except Exception as exc:
        if isinstance(exc, DATABASE_OUTAGE):
            raise  # the job retries and carries on after the last recorded file
        logger.exception("ingest chunk %s failed", chunk_id)
        _chunk_fail(chunk, recorded, exc)
        return IngestChunk.State.FAILED
    cpu = time.process_time() - cpu_start
    IngestChunk.objects.filter(pk=chunk.pk).update(
        state=IngestChunk.State.DONE, finished_at=timezone.now(), cpu_seconds=F("cpu_seconds") + cpu
    )
    energy_record_usage(consumer="server", project_id=chunk.project_id, started_at=started_at,
                        ended_at=timezone.now(), job_kind="ingest", job_id=str(chunk.pk), cpu_seconds=cpu)
    return IngestChunk.State.DONE


def _in_flight_created(chunk: IngestChunk, result: FileResult) -> FileResult:
    """The file a dead attempt stored but did not record is this chunk's, not a duplicate."""
    if result.status != "duplicate" or result.image_id is None:
        return result
    mine = Image.objects.filter(
        pk=result.image_id, original_name=result.name[-255:], created_at__gte=chunk.started_at,
        uploaded_by=chunk.uploaded_by,
    ).exists()
    if not mine:
        return result
    return FileResult(name=result.name, status="created", image_id=result.image_id, task_id=result.task_id)


def chunk_fail_for_good(chunk_id: int, exc: Exception) -> None:
    """The job gave up (the database stayed away): end the chunk as failed."""
    try:
        chunk = IngestChunk.objects.filter(pk=chunk_id).first()
        if chunk is not None and chunk.state not in (IngestChunk.State.DONE, IngestChunk.State.FAILED):
            _chunk_fail(chunk, list(chunk.results), exc)
    except Exception:  # noqa: BLE001 - the database may still be down; the run then stays unfinished
        logger.exception("could not mark ingest chunk %s failed", chunk_id)


def _chunk_fail(chunk: IngestChunk, recorded: list[dict], exc: Exception) -> None:
    """Report every file the chunk did not get to as an error, so the run ends."""
    detail = _("The import job failed before this file was processed.")
    missing = [FileResult(name=ref["name"], status="error", code="job_failed", detail=detail).as_dict()
               for ref in chunk.files[len(recorded):]]
    IngestChunk.objects.filter(pk=chunk.pk).update(
        state=IngestChunk.State.FAILED, results=recorded + missing, finished_at=timezone.now(),
        error=f"{type(exc).__name__}: {exc}"[:2000],
    )
