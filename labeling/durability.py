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


def commit_without_flush_wait() -> None:
    """Inside ``transaction.atomic``: this transaction's commit does not wait for the disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
