"""Removing stored originals that no Image row points to.

``image_store`` deletes the file when its transaction fails, but a process
killed between writing the file and committing the row cannot. Such a file
is never served (bytes go out only through an Image row) and it makes a
later upload of the same bytes take another name, so a beat job removes it.
Only files older than ``INGEST_ORPHAN_MIN_AGE_SECONDS`` are candidates: a
younger one may belong to an upload whose transaction has not committed yet.
"""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone

from labeling.models import Image

logger = logging.getLogger(__name__)

PREFIX = "images"  # see labeling.models.image.image_upload_to


def _walk(storage: Storage, directory: str) -> Iterator[tuple[str, list[str]]]:
    """Yield ``(directory, file names)`` for ``directory`` and everything below it."""
    try:
        subdirs, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield directory, files
    for subdir in sorted(subdirs):
        yield from _walk(storage, f"{directory}/{subdir}")


def orphan_originals_sweep(*, min_age_seconds: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Delete originals under ``images/`` that have no Image row and are old enough.

    Returns counts: ``removed``, ``young`` (orphans left for a later sweep)
    and ``kept`` (files with their row).
    """
    storage = Image._meta.get_field("file").storage
    min_age = settings.INGEST_ORPHAN_MIN_AGE_SECONDS if min_age_seconds is None else min_age_seconds
    cutoff = (now or timezone.now()) - timedelta(seconds=min_age)
    counts = {"removed": 0, "young": 0, "kept": 0}
    for directory, names in _walk(storage, PREFIX):
        paths = [f"{directory}/{name}" for name in names]
        known = set(Image.objects.filter(file__in=paths).values_list("file", flat=True))
        counts["kept"] += len(known)
        for path in paths:
            if path in known:
                continue
            try:
                if storage.get_modified_time(path) >= cutoff:
                    counts["young"] += 1
                    continue
                # A row may have committed since the listing: ask again last thing.
                if Image.objects.filter(file=path).exists():
                    counts["kept"] += 1
                    continue
                storage.delete(path)
            except FileNotFoundError:
                continue
            except OSError:
                logger.warning("could not remove the orphan %s", path, exc_info=True)
                continue
            logger.info("removed the orphan original %s", path)
            counts["removed"] += 1
    return counts
