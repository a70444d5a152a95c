"""Commits that may skip the wait for the disk.

A lease taken by "next" or extended by a heartbeat is bookkeeping: if the
database server crashed in the fraction of a second before it reached the
disk, the task goes back to the pool (or the lease ends earlier) and the
annotator's next save answers 409, asking for the next task. No annotation
can be lost that way, so these transactions commit without waiting for the
WAL flush (a few ms each on this disk). Visibility and locking are
unchanged: other transactions see the commit at once. Saves, submits,
reviews and everything else keep the default synchronous commit.
"""

from django.db import connection
from django.db.models import CharField, Func, QuerySet, Value


def without_flush_wait(queryset: QuerySet) -> QuerySet:
    """The same rows; on PostgreSQL the query also sets ``synchronous_commit = off`` for
    the rest of the transaction (``set_config(..., is_local => true)`` in its select
    list: no extra round trip). The caller must select the annotation (``.first()``,
    ``.only()``), not ``values_list``, for it to run."""
    if connection.vendor != "postgresql":
        return queryset
    relaxed = Func(Value("synchronous_commit"), Value("off"), Value(True), function="set_config",
                   output_field=CharField())
    return queryset.annotate(_no_flush_wait=relaxed)
