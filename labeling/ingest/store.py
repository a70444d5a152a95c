"""Storing one validated file: one Image and one Task, all or nothing.

Each file has its own transaction. The stored name comes from the SHA-256
(``image_upload_to``); if anything fails after the bytes were written, the
file is deleted again, so no orphan rows or files are left behind.
"""

import logging

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from config.broker import enqueue_on_commit
from labeling.ingest.prepare import Prepared
from labeling.ingest.results import FileResult
from labeling.ingest.validate import FORMATS
from labeling.models import Image, Project, Task

logger = logging.getLogger(__name__)


def image_store(*, project: Project, prepared: Prepared, uploaded_by: User | None) -> FileResult:
    """Create the image and its task, or report the existing duplicate."""
    existing = _existing(project, prepared.sha256)
    if existing is not None:
        return existing_result(prepared.name, existing)
    meta = prepared.meta
    image = Image(
        project=project,
        original_name=prepared.name[-255:],
        format=prepared.format,
        width=meta.width,
        height=meta.height,
        sha256=prepared.sha256,
        byte_size=prepared.byte_size,
        gps_latitude=meta.gps_latitude,
        gps_longitude=meta.gps_longitude,
        gps_altitude=meta.gps_altitude,
        relative_altitude=meta.relative_altitude,
        captured_at=meta.captured_at,
        uploaded_by=uploaded_by if uploaded_by is not None and uploaded_by.is_authenticated else None,
    )
    extension = FORMATS[prepared.format][1]
    try:
        with transaction.atomic():
            image.file.save(f"{prepared.sha256}.{extension}", File(prepared.content), save=False)
            image.save()
            task = Task.objects.create(project=project, image=image)
            _enqueue_derivatives(image.pk)
    except IntegrityError:
        # Another upload of the same bytes won the race.
        _delete_stored(image)
        existing = _existing(project, prepared.sha256)
        if existing is None:
            raise
        return existing_result(prepared.name, existing)
    except BaseException:
        _delete_stored(image)
        raise
    return FileResult(name=prepared.name, status="created", image_id=image.pk, task_id=task.pk)


def _enqueue_derivatives(image_id: int) -> None:
    from labeling.jobs import image_derivatives

    # A broker outage must not fail the upload: the sweep queues it later.
    enqueue_on_commit(image_derivatives, image_id)


def _existing(project: Project, sha256: str) -> Image | None:
    return Image.objects.filter(project=project, sha256=sha256).select_related("task").first()


def existing_result(name: str, image: Image) -> FileResult:
    task = getattr(image, "task", None)
    return FileResult(
        name=name,
        status="duplicate",
        image_id=image.pk,
        task_id=task.pk if task is not None else None,
        code="duplicate",
        detail=_("The same bytes are already in this project."),
    )


def _delete_stored(image: Image) -> None:
    name = image.file.name
    if not name:
        return
    try:
        image.file.storage.delete(name)
    except OSError:
        logger.exception("could not delete %s after a failed ingest", name)
