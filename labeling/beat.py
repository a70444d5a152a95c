"""Periodic jobs of the labeling app (defined in ``labeling/jobs.py``), merged into
the Celery beat schedule."""

SCHEDULE: dict = {
    # Every 5 minutes by default; expired leases stop counting the moment they
    # expire, so the interval only bounds how long stale rows linger.
    "labeling-lease-sweep": {"task": "labeling.lease_sweep_expired", "schedule": 300.0},
    # Old export files go by policy (EXPORT_KEEP_VERSIONS); their rows stay, expired.
    "exports-cleanup": {"task": "labeling.export.cleanup", "schedule": 3600.0},
    # Exports whose message was lost (broker down at request) or whose run died are
    # queued again; the run claims the row, so a duplicate message does nothing.
    # The cleanup above removes the dead runs' .part files.
    "exports-sweep-stuck": {"task": "labeling.export.sweep_stuck", "schedule": 300.0},
    # Images whose derivative job was lost (broker outage, dead worker) get it again.
    "images-derivatives-sweep": {"task": "labeling.ingest.derivatives_sweep", "schedule": 600.0},
    # Originals whose row never committed (process killed mid-upload), once older
    # than INGEST_ORPHAN_MIN_AGE_SECONDS, so in-flight uploads are never touched.
    "images-orphans-sweep": {"task": "labeling.ingest.orphans_sweep", "schedule": 3600.0},
    # Chunk rows of queued imports whose command never collected them (killed);
    # a week leaves any real run long finished.
    "ingest-chunks-cleanup": {"task": "labeling.ingest.chunks_cleanup", "schedule": 86400.0},

    # Re-queue submitted annotations whose quality job was lost (broker down,
    # worker died). The job is labeling.jobs.quality_sweep_task, registered under this name.
    "labeling-quality-sweep": {"task": "labeling.quality.sweep", "schedule": 60.0},
}
