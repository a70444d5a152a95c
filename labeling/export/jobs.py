"""Export jobs: numbered versions, their files in storage, and the clean-up policy.

An export is requested (a row with the next version number of the project,
taken under a row lock on the project), then run by a Celery job that
streams the file to ``exports/<project id>/<export id>.json|zip`` with
progress, and ends ``done`` (with counts, size and SHA-256) or ``failed``
(the partial file deleted, never offered). Only the newest
``EXPORT_KEEP_VERSIONS`` finished versions of a project keep their files;
older ones become ``expired`` and keep their metadata.

A run claims the row first (compare-and-set on ``attempts``), so duplicate
messages (a redelivery, the sweep re-queueing) give one run and one file.
A periodic sweep re-queues exports whose message was lost and runs that died.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone, translation

from accounts.audit import Action, audit_record
from accounts.models import User
from config.broker import enqueue, enqueue_on_commit
from config.collector import collector_paused
from config.files import open_atomically
from energy.services import energy_record_usage, schedule_deferrable
from labeling.export.items import SELECTIONS, selected_tasks
from labeling.export.writer import FORMATS, WriteResult, write_export
from labeling.models import Export, Project

logger = logging.getLogger(__name__)

RUN_TASK = "labeling.export.run"
# Each progress update is a committed write: at most one this often. A run
# shorter than this shows none before it is done.
PROGRESS_EVERY_SECONDS = 0.5


def export_is_zip(export: Export) -> bool:
    """Only a COCO export without images is a bare JSON file."""
    return export.include_images or export.format != "coco"


def export_storage_name(export: Export) -> str:
    ext = "zip" if export_is_zip(export) else "json"
    return f"exports/{export.project_id}/{export.pk}.{ext}"


def export_download_name(export: Export) -> str:
    ext = "zip" if export_is_zip(export) else "json"
    suffix = "" if export.format == "coco" else f"-{export.format}"
    return f"{export.project.slug}-v{export.version}{suffix}.{ext}"


def export_request(
    *,
    project: Project,
    user: User | None,
    fmt: str = "coco",
    selection: str = "accepted",
    include_images: bool = False,
    zero_based_categories: bool = False,
    include_gold: bool = True,
    deferrable: bool = False,
    deadline: datetime | None = None,
) -> tuple[Export, dict]:
    """Create the next export version of the project and queue its job.

    Returns the export and the scheduling decision (``run_now`` unless a
    deferrable export waits for a cleaner window).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if selection not in SELECTIONS:
        raise ValueError(f"unknown selection {selection!r}")
    with transaction.atomic():
        # The lock serialises concurrent requests of one project: versions never clash.
        Project.objects.select_for_update().filter(pk=project.pk).values_list("pk").get()
        latest = Export.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0
        export = Export.objects.create(
            project=project,
            version=latest + 1,
            format=fmt,
            selection=selection,
            include_images=include_images,
            zero_based_categories=zero_based_categories,
            include_gold=include_gold,
            requested_by=user if user is not None and user.is_authenticated else None,
            deferrable=deferrable,
        )
        if deferrable:
            decision = schedule_deferrable(
                kind="export",
                task_name=RUN_TASK,
                kwargs={"export_id": export.pk},
                expected_seconds=_expected_seconds(export),
                deadline=deadline,
                # Planned on the project's own site, and shown on its green report.
                project_id=project.pk,
                site=project.energy_site,
            )
        else:
            from labeling.jobs import export_run_task

            enqueue_on_commit(export_run_task, export_id=export.pk)
            decision = {"decision": "run_now", "reason": "not deferrable"}
        audit_record(
            actor=user,
            action=Action.EXPORT_CREATE,
            project_id=project.pk,
            target_type="export",
            target_id=export.pk,
            details={"version": export.version, "format": fmt, "selection": selection,
                     "images": include_images},
        )
    return export, decision


def _expected_seconds(export: Export) -> float:
    """A rough run time for the scheduler: ~15 s per 100,000 images, plus copying bytes."""
    tasks = selected_tasks(export.project, export.selection, export.include_gold)
    images = tasks.count()
    seconds = 1.0 + images * 15 / 100_000
    if export.include_images:
        total_bytes = tasks.aggregate(b=Sum("image__byte_size"))["b"] or 0
        seconds += total_bytes / 100e6
    return round(seconds, 1)


class _ClaimLost(Exception):
    """Another run took the export over: this one must leave no trace."""


def _claimable(now: datetime) -> Q:
    # Pending, or running under a claim so old that its run is dead (the
    # job's hard time limit is below EXPORT_RUN_STALE_SECONDS).
    stale = now - timedelta(seconds=settings.EXPORT_RUN_STALE_SECONDS)
    return Q(state=Export.State.PENDING) | (
        Q(state=Export.State.RUNNING) & (Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True))
    )


def _claim(export_id: int) -> int | None:
    """Take the export for this run; return the run's attempt number, or None."""
    now = timezone.now()
    seen = Export.objects.filter(_claimable(now), pk=export_id).values_list("attempts", flat=True).first()
    if seen is None:
        return None
    # Compare-and-set: of two runs that read the same attempt, one update matches.
    won = Export.objects.filter(_claimable(now), pk=export_id, attempts=seen).update(
        state=Export.State.RUNNING, attempts=seen + 1, claimed_at=now, progress=0, error=""
    )
    return seen + 1 if won else None


def export_run(*, export_id: int) -> Export | None:
    """Produce the file of a pending export; return it, or None if there was nothing to do.

    Only one run holds an export at a time: a duplicate message finds it
    claimed (or finished) and returns None. A run whose worker died is taken
    over once its claim is stale; a finished, failed or expired export is
    left alone.
    """
    attempt = _claim(export_id)
    if attempt is None:
        return None
    mine = Export.objects.filter(pk=export_id, attempts=attempt, state=Export.State.RUNNING)
    export = Export.objects.select_related("project").get(pk=export_id)
    name = export_storage_name(export)
    started, cpu_started = timezone.now(), time.process_time()
    try:
        # A dataset is the same bytes whoever asked and in whatever language (in eager
        # mode this runs inside the requester's request, with their language active).
        # Its objects are freed by reference counting; the collector's passes only cost time.
        with translation.override(settings.LANGUAGE_CODE), collector_paused():
            result = _produce(export, name, mine)
    except _ClaimLost:
        return None
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        failed = mine.update(
            state=Export.State.FAILED,
            file="",
            sha256="",
            byte_size=0,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        if failed:
            _discard(name)
        return Export.objects.get(pk=export_id)
    finished = mine.update(
        state=Export.State.DONE,
        progress=100,
        file=name,
        sha256=result.sha256,
        byte_size=result.byte_size,
        image_count=result.stats.image_count,
        annotation_count=result.stats.annotation_count,
        category_count=result.stats.category_count,
        finished_at=timezone.now(),
    )
    if not finished:
        return None
    energy_record_usage(
        consumer="server",
        project_id=export.project_id,
        started_at=started,
        ended_at=timezone.now(),
        job_kind="export",
        job_id=str(export_id),
        cpu_seconds=time.process_time() - cpu_started,
    )
    export_cleanup(project_id=export.project_id)
    return Export.objects.get(pk=export_id)


def _produce(export: Export, name: str, mine) -> WriteResult:
    total = selected_tasks(export.project, export.selection, export.include_gold).count()
    last = {"percent": 0, "at": time.monotonic()}

    def progress(fraction: float) -> None:
        # Stops at 99: 100 means the file is complete and offered.
        percent = min(int(fraction * 100), 99)
        now = time.monotonic()
        if percent > last["percent"] and now - last["at"] >= PROGRESS_EVERY_SECONDS:
            last["percent"], last["at"] = percent, now
            mine.update(progress=percent)

    options = {
        "project": export.project,
        "fmt": export.format,
        "selection": export.selection,
        "zero_based_categories": export.zero_based_categories,
        "include_gold": export.include_gold,
        "include_images": export.include_images,
        "total_images": total,
        "on_progress": progress,
    }
    # The finished file appears under its name in one step, never half-written,
    # and only while this run still holds the export.
    with open_atomically(default_storage, name) as out:
        result = write_export(out=out, **options)
        if not mine.exists():
            raise _ClaimLost
        return result


def export_sweep_stuck(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Re-queue exports whose job was lost; fail those that died too often.

    A non-deferred export still pending after EXPORT_REQUEUE_AFTER_SECONDS
    lost its message (broker down at request time); a running one whose claim
    is stale lost its worker. Re-queueing is safe: the run claims the row, so
    extra messages do nothing. Deferrable exports are released by energy's
    scheduler instead.
    """
    from labeling.jobs import export_run_task

    now = now or timezone.now()
    pending_cutoff = now - timedelta(seconds=settings.EXPORT_REQUEUE_AFTER_SECONDS)
    stale_cutoff = now - timedelta(seconds=settings.EXPORT_RUN_STALE_SECONDS)
    lost = Q(state=Export.State.PENDING, deferrable=False, created_at__lt=pending_cutoff)
    dead = Q(state=Export.State.RUNNING) & (Q(claimed_at__lt=stale_cutoff) | Q(claimed_at__isnull=True))
    counts = {"requeued": 0, "failed": 0}
    rows = Export.objects.filter(lost | dead).order_by("id").values_list("pk", "state", "attempts")[:limit]
    for pk, state, attempts in list(rows):
        if state == Export.State.RUNNING and attempts >= settings.EXPORT_MAX_ATTEMPTS:
            counts["failed"] += Export.objects.filter(pk=pk, state=state, attempts=attempts).update(
                state=Export.State.FAILED,
                error=f"Gave up after {attempts} runs that did not finish.",
                finished_at=now,
            )
        elif enqueue(export_run_task, export_id=pk):
            counts["requeued"] += 1
    return counts


def _discard(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete %s", name, exc_info=True)


def export_cleanup(*, project_id: int | None = None, keep: int | None = None) -> int:
    """Expire finished exports beyond the newest ``keep`` per project; return how many."""
    keep = settings.EXPORT_KEEP_VERSIONS if keep is None else keep
    done = Export.objects.filter(state=Export.State.DONE)
    if project_id is not None:
        project_ids = [project_id]
    else:
        project_ids = list(done.values_list("project_id", flat=True).distinct().order_by())
    expired = 0
    for pid in project_ids:
        old = done.filter(project_id=pid).order_by("-version").values_list("pk", "file")[keep:]
        for pk, name in list(old):
            if name:
                _discard(name)
            expired += Export.objects.filter(pk=pk, state=Export.State.DONE).update(
                state=Export.State.EXPIRED, file=""
            )
    if project_id is None:
        _remove_orphan_parts()
    return expired


def _remove_orphan_parts() -> None:
    """Delete half-written files left by a worker that died, unless their export runs again."""
    try:
        project_dirs, _ = default_storage.listdir("exports")
    except (FileNotFoundError, NotImplementedError):
        return
    running = {
        str(pk) for pk in Export.objects.filter(state=Export.State.RUNNING).values_list("pk", flat=True)
    }
    for project_dir in project_dirs:
        _, names = default_storage.listdir(f"exports/{project_dir}")
        for name in names:
            if name.endswith(".part") and name.split(".", 1)[0] not in running:
                _discard(f"exports/{project_dir}/{name}")
