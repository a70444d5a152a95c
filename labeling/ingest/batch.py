"""The one ingest service behind the API, the upload page and ``import_images``."""

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import TooLarge
from labeling.ingest.limits import Limits, current_limits, human_bytes
from labeling.ingest.prepare import Prepared, prepare
from labeling.ingest.results import FileResult, Refusal
from labeling.ingest.sources import Source, sources_from_paths, sources_from_uploads
from labeling.ingest.store import image_store
from labeling.models import Project

logger = logging.getLogger(__name__)

ResultCallback = Callable[[FileResult], None]


def ingest_uploads(*, project: Project, files: Sequence, uploaded_by: User | None) -> list[FileResult]:
    """Ingest the files of one request, after the per-request limits.

    Raises :class:`TooLarge` (413) when the request as a whole is over them.
    """
    limits = current_limits()
    check_request(count=len(files), total_bytes=sum(f.size or 0 for f in files), limits=limits)
    with ExitStack() as stack:
        sources = sources_from_uploads(files, limits=limits, stack=stack)
        return ingest_sources(project=project, sources=sources, uploaded_by=uploaded_by, limits=limits)


def ingest_paths(
    *,
    project: Project,
    paths: Sequence[str],
    uploaded_by: User | None = None,
    workers: int = 1,
    on_total: Callable[[int], None] | None = None,
    on_result: ResultCallback | None = None,
) -> list[FileResult]:
    """Ingest server-side files, folders and zip archives.

    ``on_total`` hears the number of files once they are listed (archives are
    listed from their directory, nothing is unpacked for that).
    """
    limits = current_limits()
    with ExitStack() as stack:
        sources = list(sources_from_paths(paths, limits=limits, stack=stack))
        if on_total is not None:
            on_total(len(sources))
        return ingest_sources(
            project=project,
            sources=sources,
            uploaded_by=uploaded_by,
            limits=limits,
            workers=workers,
            on_result=on_result,
        )


def check_request(*, count: int, total_bytes: int, limits: Limits) -> None:
    if count > limits.max_files_per_request:
        raise TooLarge(
            _("%(count)s files in one request; the limit is %(n)s. Send them in smaller batches.")
            % {"count": count, "n": limits.max_files_per_request},
            code="too_many_files",
        )
    if total_bytes > limits.max_request_bytes:
        raise TooLarge(
            _("The request carries %(size)s; the limit is %(limit)s. Send the files in smaller batches.")
            % {"size": human_bytes(total_bytes), "limit": human_bytes(limits.max_request_bytes)},
            code="request_too_large",
        )


def ingest_sources(
    *,
    project: Project,
    sources: Iterable[Source],
    uploaded_by: User | None,
    limits: Limits | None = None,
    workers: int = 1,
    on_result: ResultCallback | None = None,
) -> list[FileResult]:
    """Validate and store each source; one bad file never stops the rest.

    With ``workers`` > 1, decoding runs in that many threads while rows are
    written by the calling thread, in input order. At most ``2 × workers``
    files are in flight, so memory does not grow with the batch size.
    """
    limits = limits or current_limits()
    capture_timezone = settings.INGEST_CAPTURE_TIMEZONE
    results: list[FileResult] = []

    def prepare_one(source: Source) -> Prepared | FileResult:
        try:
            return prepare(source, limits=limits, capture_timezone=capture_timezone)
        except Refusal as refusal:
            return FileResult.refused(source.name, refusal)
        except Exception:  # noqa: BLE001 - one file's surprise must not stop the batch
            logger.exception("ingest: unexpected failure preparing %s", source.name)
            return FileResult(name=source.name, status="error", code="internal_error",
                              detail=_("The file could not be processed."))

    def finish(outcome: Prepared | FileResult) -> None:
        if isinstance(outcome, Prepared):
            try:
                result = image_store(project=project, prepared=outcome, uploaded_by=uploaded_by)
            except Exception:  # noqa: BLE001 - reported per file, rows and file rolled back
                logger.exception("ingest: storing %s failed", outcome.name)
                result = FileResult(name=outcome.name, status="error", code="store_failed",
                                    detail=_("The file could not be stored; nothing was kept."))
            finally:
                outcome.close()
        else:
            result = outcome
        results.append(result)
        if on_result is not None:
            on_result(result)

    if workers <= 1:
        for source in sources:
            finish(prepare_one(source))
        return results
    window: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
        try:
            for source in sources:
                window.append(pool.submit(prepare_one, source))
                if len(window) >= 2 * workers:
                    finish(window.popleft().result())
            while window:
                finish(window.popleft().result())
        finally:
            for future in window:
                outcome = future.result()
                if isinstance(outcome, Prepared):
                    outcome.close()
    return results


def summarize(results: Iterable[FileResult]) -> dict[str, int]:
    counts = {"created": 0, "duplicate": 0, "error": 0}
    for result in results:
        counts[result.status] += 1
    return counts
