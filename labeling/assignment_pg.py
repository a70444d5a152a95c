"""``task_lease_next``'s statements on PostgreSQL, written as SQL.

"next" is the hottest call of the API. Built by the ORM, its statements cost
more to compile than to run (the pool query ~1.5 ms of CPU to build, 0.7 ms to
execute), and the lease, the draft and the "started" flag were three more
round trips. Here each statement is a fixed SQL text, and the free-slot
re-check and the three writes are one statement. The semantics are those of
the ORM version in ``assignment.py`` (which SQLite runs; its docstring
explains the locking), and the column lists come from the models, so a new
field cannot be left out silently.

Two statements stay apart on purpose: in READ COMMITTED a statement sees
rows committed before it started, so what must be read *after* a lock is
granted (the caller's live leases after the user lock, the free slots after
the task lock) is read by the next statement.
"""

from datetime import datetime, timedelta

from django.db import connection

from accounts.models import User
from config.rows import Reader, fetchone
from labeling.models import Annotation, Image, Lease, Project, Task

TASK, IMAGE, LEASE, ANNOTATION, USER = (
    m._meta.db_table for m in (Task, Image, Lease, Annotation, User)
)
_task, _image, _lease = Reader(Task, "t"), Reader(Image, "i"), Reader(Lease, "l")

_LIVE = "l.released_at IS NULL AND l.expires_at > %(now)s"
_FREE_SLOT = (
    f"(%(gold)s OR t.submitted_count + (SELECT count(*) FROM {LEASE} l WHERE l.task_id = t.id AND {_LIVE})"
    " < %(overlap)s)"
)
_UNSEEN = f"NOT EXISTS (SELECT 1 FROM {ANNOTATION} a WHERE a.task_id = t.id AND a.annotator_id = %(user)s)"


_LOCK = (
    f"SELECT set_config('synchronous_commit', 'off', true), 0, 0 FROM {USER} u"
    " WHERE u.id = %(user)s FOR UPDATE OF u"
)
_LOCK_COUNTING = (
    f"SELECT set_config('synchronous_commit', 'off', true), s.n, s.gold FROM {USER} u,"
    f" LATERAL (SELECT count(*) AS n, count(*) FILTER (WHERE t.is_gold) AS gold FROM {ANNOTATION} a"
    f" JOIN {TASK} t ON t.id = a.task_id WHERE a.annotator_id = u.id AND t.project_id = %(project)s) s"
    " WHERE u.id = %(user)s FOR UPDATE OF u"
)


def lock_annotator(*, user_id: int, project_id: int, count_seen: bool) -> tuple[int, int]:
    """Lock the caller's user row (one "next" at a time per person) and relax this
    transaction's commit (see durability.py); with ``count_seen``, also return
    (annotations of the caller in the project, of which gold) for the gold rate."""
    row = fetchone(_LOCK_COUNTING if count_seen else _LOCK, {"user": user_id, "project": project_id})
    return (row[1], row[2]) if row else (0, 0)


def live_leases(*, user_id: int, project: Project, now: datetime) -> list[Lease]:
    """The caller's live leases in the project, oldest first, with task and image."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_lease.columns}, {_task.columns}, {_image.columns}"
            f" FROM {LEASE} l JOIN {TASK} t ON t.id = l.task_id JOIN {IMAGE} i ON i.id = t.image_id"
            f" WHERE l.annotator_id = %(user)s AND t.project_id = %(project)s AND {_LIVE}"
            " ORDER BY l.created_at, l.id",
            {"user": user_id, "project": project.pk, "now": now},
        )
        rows = cursor.fetchall()
    leases = []
    for row in rows:
        lease, task = _lease.build(row), _task.build(row, len(_lease))
        task.image, task.project = _image.build(row, len(_lease) + len(_task)), project
        lease.task = task
        leases.append(lease)
    return leases


_PICK = (
    f"SELECT {_task.columns}, {_image.columns} FROM {TASK} t JOIN {IMAGE} i ON i.id = t.image_id"
    " WHERE t.project_id = %(project)s AND t.status = %(open)s AND t.is_gold = %(gold)s"
    f" AND {_UNSEEN} AND {_FREE_SLOT} AND NOT (t.id = ANY(%(passed)s::bigint[]))"
    " ORDER BY t.priority DESC, t.started DESC, t.id LIMIT 1 FOR UPDATE OF t"
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
    free slot: priority first, then started ones, then the oldest. The order is the
    ``task_pool`` index's, so PostgreSQL walks it and stops at the first match."""
    sql, params = pool_pick_statement(project=project, user_id=user_id, now=now, gold=gold, passed=passed,
                                      skip_locked=skip_locked)
    row = fetchone(sql, params)
    if row is None:
        return None
    task = _task.build(row)
    task.image, task.project = _image.build(row, len(_task)), project
    return task


def _insert(model, alias: str, values: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT list for INSERT ... SELECT of every concrete field but the
    key: ``values`` gives SQL for some columns, the rest take the field default as a
    parameter named ``<alias>_<column>``."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    select = ", ".join(values.get(field.column, f"%({alias}_{field.column})s") for field in fields)
    return columns, select


def _defaults(model, alias: str, skip: set[str]) -> dict:
    return {
        f"{alias}_{field.column}": field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in skip
    }


_LEASE_SET = {"task_id": "slot.id", "annotator_id": "%(user)s", "created_at": "%(now)s",
              "expires_at": "%(expires)s", "heartbeat_at": "%(now)s"}
_DRAFT_SET = {"task_id": "lease.task_id", "annotator_id": "%(user)s", "created_at": "%(now)s",
              "updated_at": "%(now)s"}
_lease_columns, _lease_select = _insert(Lease, "lease", _LEASE_SET)
_draft_columns, _draft_select = _insert(Annotation, "draft", _DRAFT_SET)
_returned = ", ".join(f'lease."{field.column}"' for field in Lease._meta.concrete_fields)
_CLAIM = (
    f"WITH slot AS (SELECT t.id, t.started FROM {TASK} t WHERE t.id = %(task)s AND {_UNSEEN} AND {_FREE_SLOT}),"
    f" lease AS (INSERT INTO {LEASE} ({_lease_columns}) SELECT {_lease_select} FROM slot RETURNING *),"
    f" draft AS (INSERT INTO {ANNOTATION} ({_draft_columns}) SELECT {_draft_select} FROM lease"
    " RETURNING version, status),"
    f" started AS (UPDATE {TASK} SET started = true FROM slot WHERE {TASK}.id = slot.id AND NOT slot.started)"
    f" SELECT {_returned}, draft.version, draft.status FROM lease, draft"
)


def claim(*, task: Task, user_id: int, now: datetime, gold: bool) -> Lease | None:
    """Lease a task whose row the caller holds locked, with the caller's draft, and mark
    it started; None when its last free slot went (or the caller got an annotation of
    it) between the pool snapshot and the lock. One statement, a fresh snapshot."""
    params = {
        "task": task.pk, "user": user_id, "now": now, "gold": gold, "overlap": task.project.overlap,
        "expires": now + timedelta(seconds=task.project.lease_seconds),
        **_defaults(Lease, "lease", set(_LEASE_SET)), **_defaults(Annotation, "draft", set(_DRAFT_SET)),
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
