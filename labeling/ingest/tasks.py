"""Celery jobs of the ingest: derivatives, queued after the image row commits."""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from config.jobs import enqueue
from energy.services import energy_record_usage
from labeling.ingest.derivatives import derivatives_make, derivatives_present
from labeling.models import Image

logger = logging.getLogger(__name__)


@shared_task(
    name="labeling.ingest.image_derivatives",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def image_derivatives(image_id: int) -> str:
    """Make the thumbnail, display image and (for large images) tiles.

    Idempotent: an image whose derivatives exist is left alone, and a rerun
    after a crash replaces partial output.
    """
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return "missing"
    if image.derivatives == Image.Derivatives.READY and derivatives_present(image):
        return "exists"
    started, cpu = timezone.now(), time.process_time()
    try:
        derivatives_make(image=image)
    except (OperationalError, InterfaceError):
        raise
    except Exception:  # noqa: BLE001 - decoding problems are permanent: mark, do not retry
        logger.exception("derivatives of image %s failed", image_id)
        Image.objects.filter(pk=image_id).update(derivatives=Image.Derivatives.FAILED)
        return "failed"
    energy_record_usage(
        consumer="server",
        project_id=image.project_id,
        started_at=started,
        ended_at=timezone.now(),
        task_id=getattr(getattr(image, "task", None), "pk", None),
        job_kind="image_derivatives",
        job_id=str(image_id),
        cpu_seconds=time.process_time() - cpu,
    )
    return "made"


@shared_task(name="labeling.ingest.derivatives_sweep")
def derivatives_sweep(older_than_seconds: int = 600, limit: int = 500) -> int:
    """Queue derivative jobs for images still pending after a while.

    Their message may have been lost (broker down at upload, worker died);
    the job itself is idempotent, so queueing twice does no harm.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Image.objects.filter(derivatives=Image.Derivatives.PENDING, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for image_id in ids:
        enqueue(image_derivatives, image_id)
    return len(ids)


@shared_task(name="labeling.ingest.orphans_sweep")
def orphans_sweep() -> dict:
    """Remove stored originals left without their Image row by a killed process."""
    from labeling.ingest.orphans import orphan_originals_sweep

    return orphan_originals_sweep()
