"""What "next" reads about the caller: the per-person lock and their live leases.

Both run on every "next" and are fixed SQL texts. Built by the ORM they cost
several times the CPU PostgreSQL spends running them (bench/README.md,
"assignment": ORM and SQL alternated per statement). Column lists come from
the models (``rows.Reader``), so a new field cannot be left out silently.

They stay two statements on purpose: in READ COMMITTED a statement sees rows
committed before it started, so the live leases are read by a statement that
starts *after* the user lock is granted (a second tab's lease, committed
while this "next" waited for the lock, is then resumed, not duplicated).
"""

from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from config.rows import Reader, fetchall, fetchone
from labeling.counts import SUBMITTED_TODAY_SQL, SUBMITTED_TOTAL_SQL, TALLY_JOIN, annotator_counts_of, annotator_day
from labeling.models import Annotation, Image, Lease, Project, Task

TASK, IMAGE, LEASE, ANNOTATION, USER = (m._meta.db_table for m in (Task, Image, Lease, Annotation, User))
_task, _image, _lease = Reader(Task, "t"), Reader(Image, "i"), Reader(Lease, "l")

LIVE = "l.released_at IS NULL AND l.expires_at > %(now)s"

# The caller's drafts on open tasks: when there are none (the usual "next"
# after a submit) the chain skips looking for a lapsed draft to give back.
_DRAFTS = (
    f"(SELECT count(*) FROM {ANNOTATION} d JOIN {TASK} dt ON dt.id = d.task_id WHERE d.annotator_id = u.id"
    " AND dt.project_id = %(project)s AND d.status = 'draft' AND dt.status = 'open')"
)
# Counted in the statement's snapshot, which misses a draft that another tab's
# "next" committed while this one waited for the lock; harmless, since that
# "next" left a live lease, which this one then resumes before gold. The same
# statement reads the caller's submissions for the tool's header
# (``labeling.counts``). Its cost does not grow with the caller's history:
# seen, gold and the total come from the tally the database keeps per person
# and project (``AnnotatorTally``, kept in the writing transaction, so this
# snapshot's tally and annotations agree), "today" is a range scan of the
# day's submissions and drafts an index scan of the caller's drafts.
_LOCK = (
    f"SELECT coalesce(h.seen, 0), coalesce(h.gold, 0), {_DRAFTS}, {SUBMITTED_TODAY_SQL}, {SUBMITTED_TOTAL_SQL}"
    f" FROM {USER} u {TALLY_JOIN} WHERE u.id = %(user)s FOR UPDATE OF u"
)


@dataclass
class Caller:
    """What the lock statement read about the caller in the project."""

    seen: tuple[int, int]  # annotations, of which on gold tasks (for the gold rate)
    drafts: int  # drafts on open tasks
    progress: dict  # ``labeling.counts.annotator_counts``'s figures


def lock_annotator(*, user_id: int, project_id: int, now: datetime) -> Caller:
    """Lock the caller's user row (one "next" at a time per person) and read what the chain
    and the answer need about them, in the same round trip."""
    today, start = annotator_day(now)
    row = fetchone(_LOCK, {"user": user_id, "project": project_id, "day_start": start}) or (0, 0, 0, 0, 0)
    return Caller(seen=(row[0], row[1]), drafts=row[2], progress=annotator_counts_of(today, row[3:5]))


_LIVE_LEASES = (
    f"SELECT {_lease.columns}, {_task.columns}, {_image.columns}"
    f" FROM {LEASE} l JOIN {TASK} t ON t.id = l.task_id JOIN {IMAGE} i ON i.id = t.image_id"
    f" WHERE l.annotator_id = %(user)s AND t.project_id = %(project)s AND {LIVE}"
    " ORDER BY l.created_at, l.id"
)


def live_leases(*, user_id: int, project: Project, now: datetime) -> list[Lease]:
    """The caller's live leases in the project, oldest first, with task and image."""
    leases = []
    for row in fetchall(_LIVE_LEASES, {"user": user_id, "project": project.pk, "now": now}):
        lease, task = _lease.build(row), _task.build(row, len(_lease))
        task.image, task.project = _image.build(row, len(_lease) + len(_task)), project
        lease.task = task
        leases.append(lease)
    return leases
