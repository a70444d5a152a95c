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

RELAX_COMMIT = "SET LOCAL synchronous_commit = off"


def commit_without_flush_wait() -> None:
    """Let the current transaction commit without waiting for the WAL flush.

    ``SET LOCAL`` lasts until the transaction ends, so call it inside
    ``transaction.atomic()``; outside one it would only warn and do nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute(RELAX_COMMIT)
