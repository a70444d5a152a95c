"""`make run` with no broker: quality jobs coalesce per project on the folder queue as on Redis."""

import os
import time

from labeling.quality.enqueue import MARKER_SECONDS, marker_claim, marker_clear


def test_submits_ride_on_one_queued_job_per_project(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_FOLDER = tmp_path
    assert marker_claim(1) is True  # the first submit sends a job
    assert marker_claim(1) is False  # the next ones ride on it
    assert marker_claim(2) is True  # projects do not share
    marker_clear(1)  # the job started: a new submit sends again
    assert marker_claim(1) is True
    # A marker whose job was lost expires, as a Redis key would.
    (marker,) = [path for path in (tmp_path / "markers").iterdir() if path.name.endswith(":1".replace(":", "-"))]
    old = time.time() - MARKER_SECONDS - 1
    os.utime(marker, (old, old))
    assert marker_claim(1) is True
    assert marker_claim(1) is False
