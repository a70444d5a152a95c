"""The fixed SQL writes of annotations: the versioned box write, a plain save in one
statement and what a submit writes once its rows are locked.

The rules (who may write, when, what a refusal says) stay in ``annotations``;
these are its hot statements, one round trip each, built from shared fragments
so that each rule's SQL text exists once.
"""

import json
from datetime import datetime, timedelta

from accounts.models import User
from config.rows import Reader, fetchone
from labeling.assignment.leases import LIVE_LEASE, RENEW
from labeling.boxes import CleanBox
from labeling.models import Annotation, AnnotationHistory, Box, Lease, PredictionUse, Task
from labeling.quality.enqueue import OTHERS, SUBMIT_REPORT

_annotation_row = Reader(Annotation, "a")
_BUMP = (
    f"UPDATE {_annotation_row.table} a SET version = a.version + 1, active_seconds = a.active_seconds + %(credited)s,"
    " updated_at = %(now)s WHERE a.task_id = %(task)s AND a.annotator_id = %(user)s AND a.version = %(expected)s"
    " AND a.status = ANY(%(statuses)s)"
)
_BUMP_VERSION = f"{_BUMP} RETURNING {_annotation_row.columns}"


def bump_version(
    task: Task, annotator: User, expected: int, statuses: list[str], credited: float, now: datetime
) -> Annotation | None:
    """``UPDATE ... WHERE version = expected RETURNING *``: the versioned write and the
    row for the response in one round trip; None when no row matched."""
    row = fetchone(_BUMP_VERSION, {"credited": credited, "now": now, "task": task.pk, "user": annotator.pk,
                                   "expected": expected, "statuses": list(statuses)})
    return _annotation_row.build(row) if row else None


_BOXES = Box._meta.db_table
# The boxes of annotation ``a`` (a row of the statement: the written annotation)
# become the sent ones, and its history gets the new version.
_BOXES_AND_HISTORY = (
    f"gone AS (DELETE FROM {_BOXES} WHERE annotation_id = (SELECT id FROM a)),"
    f" added AS (INSERT INTO {_BOXES} (annotation_id, label_id, x, y, width, height) SELECT a.id, u.* FROM a,"
    " unnest(%(labels)s::bigint[], %(xs)s::float8[], %(ys)s::float8[], %(ws)s::float8[], %(hs)s::float8[]) u),"
    f" h AS (INSERT INTO {AnnotationHistory._meta.db_table} (annotation_id, version, status, action, boxes, actor_id,"
    " created_at) SELECT a.id, a.version, a.status, %(action)s, %(boxes)s::jsonb, %(actor)s, %(now)s FROM a)"
)
# Every save runs this: one statement instead of three (delete, insert, history),
# ~1 ms of CPU and two round trips less on the call an annotator makes most.
_REPLACE_BOXES = (
    "WITH a AS (SELECT %(annotation)s::bigint AS id, %(version)s::integer AS version, %(status)s::text AS status),"
    f" {_BOXES_AND_HISTORY} SELECT 1"
)
# An annotator's plain save (no active time reported, no prediction named: most saves)
# as one statement in autocommit, so without BEGIN and COMMIT: the lease is locked
# first (the lock order of every write path), the versioned write happens only under a
# live lease, and the lease is renewed only when the write happened, so a refused save
# changes nothing. No row back: the general path runs and words the refusal.
_SAVE_UNDER_LEASE = (
    f"WITH live AS (SELECT l.id FROM {Lease._meta.db_table} l WHERE {LIVE_LEASE} FOR UPDATE),"
    f" a AS ({_BUMP} AND EXISTS (SELECT 1 FROM live) RETURNING {_annotation_row.columns}),"
    f" renewed AS (UPDATE {Lease._meta.db_table} l SET {RENEW} FROM a WHERE l.id = (SELECT id FROM live)),"
    f" {_BOXES_AND_HISTORY} SELECT * FROM a"
)


def _box_params(clean: list[CleanBox], boxes: list[dict], *, action: str, actor: User, now: datetime) -> dict:
    columns = list(zip(*((b.label_id, b.x, b.y, b.width, b.height) for b in clean))) or [()] * 5
    return {**dict(zip(("labels", "xs", "ys", "ws", "hs"), (list(column) for column in columns))),
            "action": action, "boxes": json.dumps(boxes), "actor": actor.pk, "now": now}


def replace_boxes(annotation: Annotation, clean: list[CleanBox], *, action: str, actor: User,
                   now: datetime) -> None:
    """The annotation's boxes become ``clean`` and its history gets the new version
    (with ``annotation.box_list``, the boxes as sent back)."""
    fetchone(_REPLACE_BOXES, {"annotation": annotation.pk, "version": annotation.version, "status": annotation.status,
                              **_box_params(clean, annotation.box_list, action=action, actor=actor, now=now)})


def save_under_lease(task: Task, author: User, clean: list[CleanBox], expected_version: int,
                     writable: list[str], now: datetime) -> Annotation | None:
    """``_SAVE_UNDER_LEASE``: the annotation written, or None when nothing was (no live
    lease, a closed annotation or a stale version)."""
    box_list = [box.as_dict() for box in clean]
    row = fetchone(_SAVE_UNDER_LEASE, {
        "task": task.pk, "user": author.pk, "expected": expected_version, "statuses": writable,
        "credited": 0.0, "until": now + timedelta(seconds=task.project.lease_seconds),
        **_box_params(clean, box_list, action="save", actor=author, now=now)})
    if row is None:
        return None
    annotation = _annotation_row.build(row)
    annotation.box_list = box_list
    return annotation


FINISH_SUBMIT = (
    # What a submit writes once its rows are locked, in one statement (the
    # submit is the longest call under load; each statement is a round trip
    # and ~0.5 ms of ORM CPU): the annotation, its history row, the task's
    # slot count (closing the task on its last slot; the row lock orders
    # concurrent submits of one task), the lease's release and the pending
    # quality report of the new version. Answers the new version and active
    # time, whether a prediction use is recorded, the report and the task's
    # other finished answers (to rescore: labeling/quality/enqueue.py).
    f"WITH a AS (UPDATE {Annotation._meta.db_table} SET status = %(submitted)s, submitted_at = %(now)s,"
    " version = version + 1, active_seconds = active_seconds + %(credited)s, updated_at = %(now)s"
    " WHERE id = %(annotation)s RETURNING id, version, active_seconds),"
    f" t AS (UPDATE {Task._meta.db_table} SET submitted_count = submitted_count + 1, updated_at = %(now)s,"
    " status = CASE WHEN status = %(open)s AND NOT is_gold AND submitted_count >= %(overlap)s - 1"
    " THEN %(task_submitted)s ELSE status END WHERE id = %(task)s),"
    f" l AS (UPDATE {Lease._meta.db_table} SET released_at = %(now)s, release_reason = %(released)s,"
    " heartbeat_at = %(now)s WHERE id = %(lease)s AND released_at IS NULL),"
    f" h AS (INSERT INTO {AnnotationHistory._meta.db_table} (annotation_id, version, status, action, boxes,"
    " actor_id, created_at) SELECT %(annotation)s, a.version, %(submitted)s, 'submit', %(boxes)s::jsonb,"
    " %(actor)s, %(now)s FROM a),"
    f" q AS ({SUBMIT_REPORT})"
    f" SELECT a.version, a.active_seconds, EXISTS (SELECT 1 FROM {PredictionUse._meta.db_table} u"
    " WHERE u.annotation_id = %(annotation)s), (SELECT id FROM q),"
    f" ARRAY(SELECT ARRAY[o.id, o.version] FROM ({OTHERS}) o) FROM a"
)
