"""Many ledger rows in one fixed INSERT: one array per column.

A quality drain writes a row per task of every batch (a hundred). Django's
``bulk_create`` compiled a placeholder per value, 1,500 for a batch: recording
a batch took 7.2-7.8 ms of CPU, 40 % of what scoring a batch of one-answer
tasks costs; with one array per column it takes 4.7-5.4 ms (bench/README.md,
"drain_energy"). ``INSERT … SELECT FROM unnest(…)`` is one text whatever the
number of rows; the columns are read from the model, so it stays in step.
"""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from energy.models import LedgerEntry

_FIELDS = [f for f in LedgerEntry._meta.concrete_fields if not f.primary_key and f.attname != "created_at"]


def _array_type(field) -> str:
    # Text for character columns: the assignment to varchar(n) checks the length.
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def _insert_sql() -> str:
    columns = ", ".join(f'"{f.column}"' for f in _FIELDS)
    arrays = ", ".join(f"%s::{_array_type(f)}[]" for f in _FIELDS)
    return (f'INSERT INTO {LedgerEntry._meta.db_table} ({columns}, "created_at")'
            f" SELECT v.*, %s FROM unnest({arrays}) AS v")


def ledger_rows_insert(entries: list[LedgerEntry]) -> int:
    """Insert these unsaved entries in one statement; return how many."""
    if not entries:
        return 0
    columns = [
        [json.dumps(getattr(e, f.attname)) for e in entries] if f.attname == "details"
        else [getattr(e, f.attname) for e in entries]
        for f in _FIELDS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), [timezone.now(), *columns])
    return len(entries)
