"""Taking a task from the pool: pick a candidate under its row lock, then claim it.

Two fixed SQL statements per round. Built by the ORM, the pick cost several
times the CPU PostgreSQL spends running it (it walks the ``task_pool`` index
and stops at the first match, ~0.15 ms at 100,000 tasks), and the lease, the
draft and the "started" flag were three more round trips; the claim writes
all three and re-checks the free slot in one statement. Column lists come
from the models (``rows.Reader``, ``rows.insert_select``), so a new field cannot be left
out silently; a test compares the rows with what the ORM would write.

The claim is a statement of its own on purpose: in READ COMMITTED a statement
sees rows committed before it started, so the free slots must be re-read by
a statement that starts *after* the pick's row lock is granted.
"""

from datetime import datetime, timedelta

from config.rows import Reader, fetchone, insert_defaults, insert_select
from labeling.assignment.caller import LIVE
from labeling.models import Annotation, Image, Lease, Project, Task

TASK, IMAGE, LEASE, ANNOTATION = (m._meta.db_table for m in (Task, Image, Lease, Annotation))
_task, _image, _lease = Reader(Task, "t"), Reader(Image, "i"), Reader(Lease, "l")

# The slots that answers and live leases hold.
_HELD = f"t.submitted_count + (SELECT count(*) FROM {LEASE} l WHERE l.task_id = t.id AND {LIVE})"
_FREE_SLOT = f"(%(gold)s OR {_HELD} < %(overlap)s)"
_UNSEEN = f"NOT EXISTS (SELECT 1 FROM {ANNOTATION} a WHERE a.task_id = t.id AND a.annotator_id = %(user)s)"


def claim_from_pool(*, project: Project, user_id: int, now: datetime, gold: bool) -> Lease | None:
    """Lease the first task of the pool (or of the gold tasks) the caller may take.

    A locked candidate can turn out full only when another annotator took its
    last slot between the index walk and the lock (rare); then try the next
    one. Each round excludes one more task, so this ends.
    """
    passed: list[int] = []
    while True:
        task = pool_pick(project=project, user_id=user_id, now=now, gold=gold, passed=passed)
        if task is None and not gold:
            # What is left may only be locked for a moment by someone else's
            # "next" or submit (the tail of a project, where everyone meets on
            # the last tasks): wait for that row rather than answer "nothing
            # left" while a slot may still be free. Not for gold: the regular
            # pool comes next anyway, and an annotator who has seen every gold
            # task would pay this query on every "next".
            task = pool_pick(project=project, user_id=user_id, now=now, gold=gold, passed=passed, skip_locked=False)
        if task is None:
            return None
        lease = claim(task=task, user_id=user_id, now=now, gold=gold)
        if lease is not None:
            return lease
        passed.append(task.pk)


_PICK = (
    f"SELECT {_task.columns}, {_image.columns} FROM {TASK} t JOIN {IMAGE} i ON i.id = t.image_id"
    " WHERE t.project_id = %(project)s AND t.status = %(open)s AND t.is_gold = %(gold)s"
    f" AND {_UNSEEN} AND {_FREE_SLOT} AND NOT (t.id = ANY(%(passed)s::bigint[]))"
    " ORDER BY t.priority DESC, t.full_until ASC NULLS FIRST, t.started DESC, t.id LIMIT 1 FOR UPDATE OF t"
)


def pool_pick_statement(*, project: Project, user_id: int, now: datetime, gold: bool, passed: list[int],
                        skip_locked: bool = True) -> tuple[str, dict]:
    """The SQL of ``pool_pick`` and its parameters (bench/assignment.py --explain)."""
    params = {"project": project.pk, "open": Task.Status.OPEN, "gold": gold, "user": user_id, "now": now,
              "overlap": project.overlap, "passed": passed}
    return _PICK + (" SKIP LOCKED" if skip_locked else ""), params


def pool_pick(*, project: Project, user_id: int, now: datetime, gold: bool, passed: list[int],
              skip_locked: bool = True) -> Task | None:
    """Lock the first open task of the pool the caller has not seen and that has a
    free slot: priority first, then started ones, then the oldest, with the tasks that
    leases hold full (``Task.full_until``) after the rest. The order is the
    ``task_pool`` index's, so PostgreSQL walks it and stops at the first match."""
    sql, params = pool_pick_statement(project=project, user_id=user_id, now=now, gold=gold, passed=passed,
                                      skip_locked=skip_locked)
    row = fetchone(sql, params)
    if row is None:
        return None
    task = _task.build(row)
    task.image, task.project = _image.build(row, len(_task)), project
    return task


_LEASE_SET = {"task_id": "slot.id", "annotator_id": "%(user)s", "created_at": "%(now)s",
              "expires_at": "%(expires)s", "heartbeat_at": "%(now)s"}
_DRAFT_SET = {"task_id": "lease.task_id", "annotator_id": "%(user)s", "created_at": "%(now)s",
              "updated_at": "%(now)s"}
_lease_columns, _lease_select = insert_select(Lease, "lease", _LEASE_SET)
_draft_columns, _draft_select = insert_select(Annotation, "draft", _DRAFT_SET)
_returned = ", ".join(f'lease."{field.column}"' for field in Lease._meta.concrete_fields)
# ``fills``: this lease takes the task's last free slot (never for gold, which has no cap).
_CLAIM = (
    f"WITH slot AS (SELECT t.id, t.started, NOT %(gold)s AND {_HELD} + 1 >= %(overlap)s AS fills FROM {TASK} t"
    f" WHERE t.id = %(task)s AND {_UNSEEN} AND {_FREE_SLOT}),"
    f" lease AS (INSERT INTO {LEASE} ({_lease_columns}) SELECT {_lease_select} FROM slot RETURNING *),"
    f" draft AS (INSERT INTO {ANNOTATION} ({_draft_columns}) SELECT {_draft_select} FROM lease"
    " RETURNING version, status),"
    f" started AS (UPDATE {TASK} SET started = true,"
    f" full_until = CASE WHEN slot.fills THEN %(expires)s ELSE {TASK}.full_until END"
    f" FROM slot WHERE {TASK}.id = slot.id AND (NOT slot.started OR slot.fills))"
    f" SELECT {_returned}, draft.version, draft.status FROM lease, draft"
)


def claim(*, task: Task, user_id: int, now: datetime, gold: bool) -> Lease | None:
    """Lease a task whose row the caller holds locked, with the caller's draft, and mark
    it started; None when its last free slot went (or the caller got an annotation of
    it) between the pool snapshot and the lock. One statement, a fresh snapshot."""
    params = {
        "task": task.pk, "user": user_id, "now": now, "gold": gold, "overlap": task.project.overlap,
        "expires": now + timedelta(seconds=task.project.lease_seconds),
        **insert_defaults(Lease, "lease", set(_LEASE_SET)), **insert_defaults(Annotation, "draft", set(_DRAFT_SET)),
    }
    row = fetchone(_CLAIM, params)
    if row is None:
        return None
    lease = _lease.build(row)
    # Readers may skip a query: the caller's annotation is a new draft.
    lease.annotation_state = (row[len(_lease)], row[len(_lease) + 1])
    task.started = True
    lease.task = task
    return lease

