"""Queueing background jobs so that a broker outage never fails the user's request.

A save that committed is a success, whatever happens to Redis afterwards. The
job it would have triggered is found again by a periodic sweep (see each app's
``beat.py``), so a lost message costs a delay, never data. Use
:func:`enqueue_on_commit` instead of ``task.delay_on_commit`` wherever a
request queues work.
"""

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("plateau.jobs")

# What a producer raises when the broker is down or unreachable.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)

# Give up quickly: the caller is a web request and a sweep will retry later.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2}


def enqueue(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` now; return False (and log) if the broker cannot take it."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not queue %s%r: %s; a periodic sweep will pick the work up.",
            getattr(task, "name", task),
            args,
            exc,
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` after the current transaction commits.

    Outside a transaction it is queued at once. Broker errors are logged, not
    raised; errors of the task itself (in eager mode) still propagate.
    """
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), using=using)
