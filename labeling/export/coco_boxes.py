"""The COCO ``annotations`` entries of each annotation, written by PostgreSQL.

The export's hot spot is 300,000 boxes at 100,000 images: in Python, eight
values a box turned into objects by the driver, five ``round`` calls and an
f-string. Here the database writes each box's JSON text and joins an
annotation's boxes into one string, so the exporter reads one text per
annotation, and the database writes it on the other core while the exporter
writes the images (read ahead: labeling/export/prefetch.py). The bytes are the
ones Python writes (:func:`box_text`):

- Coordinates are rounded to ``COORD_DECIMALS`` (3) like ``round(v, 3)`` and
  written like ``repr``: ``v * 1000`` in float8 is within 8e-6 of the exact
  product below 1e11, so where its fraction is not within 1e-4 of one half,
  ``round`` of it is the integer Python's correctly rounded ``round`` gives,
  and that integer over 1000, zeros trimmed (``12.5``, ``7.0``), is the
  ``repr`` of Python's result (at most 11 significant digits: the shortest
  text of its float). ``area`` is the float8 product of the two rounded sizes
  (``k / 1000.0`` is the float Python's ``round`` returns), rounded the same way.
- Anything else (a value within 1e-4 of a tie, negative, ``-0.0``, at or past
  1e8, NaN, infinite, a label outside the project) comes back as a marker
  holding the raw values (their 8 bytes in hex: exact whatever the session's
  ``extra_float_digits``), and Python writes that box (:func:`resolve`),
  raising where it always did.

Each box's text ends with ``TAIL`` where its ``iscrowd``, ``segmentation`` and
``plateau`` part goes: that part depends on which annotation the export chooses
and who made it, known in Python (one ``str.replace`` per annotation).
"""

import math
import re
import struct

from labeling.models import Annotation, Box

# Boxes are stored as floats; written with every binary digit they show noise
# like 36.844900000000266. A thousandth of a pixel is far below what anyone draws.
COORD_DECIMALS = 3  # the SQL below is written for thousandths (1000, 1e-4, 1e8)
TAIL = "\x01"
_MARK = "\x02"
_MARKER = re.compile("\x02([^\x03]*)\x03")
_isfinite = math.isfinite
_unpack_double = struct.Struct(">d").unpack  # float8send: big-endian IEEE 754


def _exact(v: str) -> str:
    """True where ``round(v * 1000)`` is Python's ``round(v, 3) * 1000`` (see the module's docstring)."""
    # Nested CASEs, not AND: PostgreSQL may evaluate AND's operands in any order, and
    # v * 1000 past float8's range is an error, as is a cast of a huge float to int8.
    return (f"CASE WHEN {v} > 0 AND {v} < 1e8 THEN abs({v} * 1000 - floor({v} * 1000) - 0.5) > 1e-4 "
            # -0.0 equals 0 but Python writes it "-0.0".
            f"WHEN {v} = 0 THEN {v}::text = '0' ELSE false END")


def _thousandths(v: str) -> str:
    return f"round({v} * 1000)::int8"


def _text(k: str) -> str:
    """The ``repr`` of the float nearest ``k / 1000`` (``k`` ≥ 0)."""
    return (f"CASE WHEN mod({k}, 1000) = 0 THEN ({k} / 1000)::text || '.0' "
            f"ELSE rtrim(({k} * 0.001)::text, '0') END")


def _sql() -> str:
    # Each layer computes its values once for the next (OFFSET 0 keeps PostgreSQL from
    # folding the layers into one expression that repeats them): the rounded integers,
    # then the area from them, then the text.
    sizes = ("x", "y", "width", "height")
    box = Box._meta.db_table
    annotation = Annotation._meta.db_table
    raw_values = ", ".join(f"' ', encode(float8send({name}), 'hex')" for name in sizes)
    rounded = ", ".join(f"CASE WHEN {_exact('b.' + name)} THEN {_thousandths('b.' + name)} END AS k{name[0]}"
                        for name in sizes)
    return f"""
        SELECT task_id, annotation_id, count(*), string_agg(
            CASE WHEN ka IS NOT NULL AND kx IS NOT NULL AND ky IS NOT NULL AND category IS NOT NULL THEN concat(
                '{{"id":', id, ',"image_id":', image_id, ',"category_id":', category, ',"bbox":[',
                {_text("kx")}, ',', {_text("ky")}, ',', {_text("kw")}, ',', {_text("kh")}, '],"area":',
                {_text("ka")}, chr(1))
            ELSE concat(chr(2), id, ' ', label_id, {raw_values}, chr(3))
            END, ',' ORDER BY id)
        FROM (
            SELECT *, CASE WHEN {_exact("area")} THEN {_thousandths("area")} END AS ka
            FROM (
                SELECT *, kw::float8 / 1000 * (kh::float8 / 1000) AS area  -- NULL unless both are exact
                FROM (
                    SELECT a.task_id, b.annotation_id, b.id, b.label_id, t.image_id, m.category,
                        b.x, b.y, b.width, b.height,
                        {rounded}
                    FROM {box} b
                    JOIN {annotation} a ON a.id = b.annotation_id
                    JOIN ({{tasks}}) t ON t.id = a.task_id
                    LEFT JOIN unnest(%s::bigint[], %s::bigint[]) AS m(label_id, category) ON m.label_id = b.label_id
                    WHERE a.status = ANY(%s)
                    OFFSET 0
                ) rounded
                OFFSET 0
            ) sized
            OFFSET 0
        ) boxes
        GROUP BY task_id, annotation_id
        ORDER BY task_id, annotation_id
    """


_SQL = _sql()


def box_json_query(tasks, category_of: dict[int, int], statuses) -> tuple[str, list]:
    """SQL and parameters: one row (task id, annotation id, box count, JSON text) per annotation.

    ``tasks`` is a queryset of the selected tasks; only annotations in
    ``statuses`` are read. Ordered by task, then annotation; inside the text the
    boxes are in id order, each ending with ``TAIL``, comma-separated.
    """
    tasks_sql, tasks_params = tasks.values("id", "image_id").query.sql_with_params()
    labels = list(category_of)
    params = [*tasks_params, labels, [category_of[pk] for pk in labels], list(statuses)]
    return _SQL.replace("{tasks}", tasks_sql), params


def box_text(box_id: int, image_id: int, category_id: int, x: float, y: float, w: float, h: float) -> str:
    """One box's JSON up to ``TAIL``, in Python: gold boxes and what the database left to us."""
    area = w * h
    if not _isfinite(x + y + area):
        raise ValueError(f"box {box_id} has a coordinate that is not a finite number")
    decimals = COORD_DECIMALS
    w = round(w, decimals)
    h = round(h, decimals)
    return (f'{{"id":{box_id},"image_id":{image_id},"category_id":{category_id},"bbox":['
            f'{round(x, decimals)!r},{round(y, decimals)!r},{w!r},{h!r}],"area":{round(w * h, decimals)!r}{TAIL}')


def resolve(text: str, image_id: int, category_of: dict[int, int]) -> str:
    """``text`` with the database's markers replaced by the boxes written in Python."""
    def box(match: re.Match) -> str:
        box_id, label_id, *values = match.group(1).split(" ")
        x, y, w, h = (_unpack_double(bytes.fromhex(value))[0] for value in values)
        return box_text(int(box_id), image_id, category_of[int(label_id)], x, y, w, h)

    return _MARKER.sub(box, text) if _MARK in text else text
