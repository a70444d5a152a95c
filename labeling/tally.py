"""Checking and repairing the annotators' tally against the rows it counts.

The database keeps ``AnnotatorTally`` with triggers, in the transaction of each
write, so it should never drift. This is the tool for when it has anyway: a
restore of one table without the other, triggers disabled for a bulk load, a
hand edit. ``manage.py recount_tally`` reports the rows that differ from a
count and, unless asked only to check, sets them to it.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from labeling.models import Annotation, AnnotatorTally, Task

_TALLY = AnnotatorTally._meta.db_table
_ANNOTATION = Annotation._meta.db_table
_TASK = Task._meta.db_table

# The figures as a count of the current rows: the one definition the triggers
# keep step by step (migration 0011's fill is this count at that moment).
_COUNTED = f"""
SELECT a.annotator_id, t.project_id, count(*) AS seen, count(*) FILTER (WHERE t.is_gold) AS gold,
       count(*) FILTER (WHERE a.submitted_at IS NOT NULL) AS submitted
FROM {_ANNOTATION} a JOIN {_TASK} t ON t.id = a.task_id
GROUP BY a.annotator_id, t.project_id
"""

# Rows whose kept figures differ from the count. A kept row at zero with
# nothing counted is fine: a row emptied by deletes may stay.
_DRIFT = f"""
WITH counted AS ({_COUNTED})
SELECT coalesce(c.annotator_id, h.annotator_id), coalesce(c.project_id, h.project_id),
       coalesce(h.seen, 0), coalesce(h.gold, 0), coalesce(h.submitted, 0),
       coalesce(c.seen, 0), coalesce(c.gold, 0), coalesce(c.submitted, 0)
FROM counted c FULL JOIN {_TALLY} h ON h.annotator_id = c.annotator_id AND h.project_id = c.project_id
WHERE (coalesce(h.seen, 0), coalesce(h.gold, 0), coalesce(h.submitted, 0))
      IS DISTINCT FROM (coalesce(c.seen, 0), coalesce(c.gold, 0), coalesce(c.submitted, 0))
ORDER BY 2, 1
"""


@dataclass(frozen=True)
class TallyDrift:
    annotator_id: int
    project_id: int
    kept: tuple[int, int, int]  # seen, gold, submitted as the tally holds them
    counted: tuple[int, int, int]  # the same, counted from the rows


def tally_drift(*, repair: bool) -> list[TallyDrift]:
    """The tally rows that differ from a count; with ``repair``, set to it.

    Writes to annotations and tasks wait while this runs (SHARE lock, reads go
    on): a write landing between the count and the repair would otherwise be
    counted twice or not at all.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_ANNOTATION}, {_TASK} IN SHARE MODE")
        cursor.execute(_DRIFT)
        drift = [TallyDrift(row[0], row[1], tuple(row[2:5]), tuple(row[5:8])) for row in cursor.fetchall()]
        if repair and drift:
            cursor.execute(
                f"""INSERT INTO {_TALLY} AS h (annotator_id, project_id, seen, gold, submitted)
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::int[], %s::int[])
                ON CONFLICT (annotator_id, project_id) DO UPDATE
                SET seen = EXCLUDED.seen, gold = EXCLUDED.gold, submitted = EXCLUDED.submitted""",
                [[d.annotator_id for d in drift], [d.project_id for d in drift],
                 *([d.counted[i] for d in drift] for i in range(3))],
            )
    return drift
