"""A job for the worker-kill test, loaded into a real worker with ``-I``.

Its first attempt parks until the test kills the pool process running it; a
later attempt records one result, keyed, so that a re-run cannot double it.
"""

import os
import time

from config.celery import app


@app.task(name="probe.slow_once", acks_late=True, reject_on_worker_lost=True)
def slow_once(key: str) -> None:
    import redis

    from accounts.models import AuditEvent

    store = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    attempt = store.incr(f"{key}:attempts")
    if attempt == 1:
        store.set(f"{key}:pid", os.getpid())
        time.sleep(120)
    AuditEvent.objects.get_or_create(action="probe.done", target_id=key)
