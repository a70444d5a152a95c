"""Periodic jobs of the energy app, merged into the Celery beat schedule."""

SCHEDULE: dict = {
    # Deferred jobs wait in a table, not as long ETAs; this releases the due ones.
    "energy-release-deferred-jobs": {"task": "energy.release_deferred_jobs", "schedule": 300.0},
    # A no-op unless ENERGY_FEED_URL is set.
    "energy-poll-feed": {"task": "energy.poll_feed", "schedule": 900.0},
}
