"""Every Celery job of the energy app (scheduled in ``energy/beat.py``): each calls one service."""

from celery import shared_task

from energy import deferral, feed


@shared_task(name="energy.release_deferred_jobs")
def release_deferred_jobs() -> int:
    return deferral.release_due()


@shared_task(name="energy.poll_feed")
def poll_energy_feed() -> dict:
    return feed.feed_poll()
