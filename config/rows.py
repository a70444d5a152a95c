"""Model instances from hand-written SQL, for the few statements on the hot path.

Used by ``labeling.access.access_task`` (every task call) and the "next"
chain (``labeling/assignment/caller.py``, ``pool.py``). Building those queries
with the ORM costs several times the CPU that PostgreSQL spends running them
(bench/README.md, "hotpath"). ``Reader`` selects a model's concrete columns
under a table alias and turns a row back into an instance with the converters
the ORM applies (JSON fields, for one), so the SQL stays in step with the
models; tests compare the instances field by field with what the ORM loads.

``fetchone``/``fetchall`` run these texts as server-side prepared statements:
PostgreSQL plans each once per connection instead of on every call. For the
hot statements, planning cost more than running them (a caller's lock
statement: 0.5 ms to plan, 0.15 ms to run), and web and worker processes keep
their connection (``CONN_MAX_AGE``).
"""

import hashlib
import re

from django.conf import settings
from django.db import connection


class Reader:
    def __init__(self, model, alias: str) -> None:
        self.model, self.fields = model, model._meta.concrete_fields
        self.table = model._meta.db_table
        self.attnames = [field.attname for field in self.fields]
        self.columns = ", ".join(f'{alias}."{field.column}"' for field in self.fields)
        self.cols = [field.get_col(alias) for field in self.fields]
        self._converters = None

    def build(self, row, start: int = 0):
        """The instance whose columns start at ``row[start]``."""
        if self._converters is None:
            found = [
                (i, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
                for i, col in enumerate(self.cols)
            ]
            self._converters = [(i, converters) for i, converters in found if converters]
        values = list(row[start:start + len(self.fields)])
        for i, converters in self._converters:
            for convert in converters:
                values[i] = convert(values[i], self.cols[i], connection)
        return self.model.from_db(connection.alias, self.attnames, values)

    def __len__(self) -> int:
        return len(self.fields)


def _cast_type(field) -> str:
    # Text for character columns: the assignment to varchar(n) checks the length,
    # where a cast to varchar(n) would silently cut it.
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def insert_select(model, alias: str, values: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT list for INSERT ... SELECT of every concrete field but the
    key: ``values`` gives SQL for some columns, the rest take the field default as a
    parameter named ``<alias>_<column>`` (``insert_defaults``). Each item is cast to its
    column's type, so that a prepared statement knows its parameters' types."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    select = ", ".join(
        f"CAST({values.get(field.column, f'%({alias}_{field.column})s')} AS {_cast_type(field)})" for field in fields
    )
    return columns, select


def insert_defaults(model, alias: str, skip: set[str]) -> dict:
    """The parameters ``insert_select`` leaves to the field defaults."""
    return {
        f"{alias}_{field.column}": field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in skip
    }


_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s|%s")


class _Statement:
    """A fixed SQL text with ``%(name)s`` (or ``%s``) placeholders as a prepared statement."""

    def __init__(self, sql: str) -> None:
        self.names: list[str] = []
        positional = 0

        def number(match: re.Match) -> str:
            nonlocal positional
            if match.group(0) == "%%":
                return "%%"  # the PREPARE text goes through the driver's interpolation too
            if match.group(1) is None:
                positional += 1
                return f"${positional}"
            if match.group(1) not in self.names:
                self.names.append(match.group(1))
            return f"${self.names.index(match.group(1)) + 1}"

        text = _PLACEHOLDER.sub(number, sql)
        if positional and self.names:
            raise ValueError("a statement takes either %s or %(name)s placeholders")
        self.count = positional or len(self.names)
        self.name = "rows_" + hashlib.sha1(sql.encode()).hexdigest()[:20]
        self.prepare = f"PREPARE {self.name} AS {text}"
        self.call = f"EXECUTE {self.name}({', '.join(['%s'] * self.count)})" if self.count else f"EXECUTE {self.name}"

    def arguments(self, params) -> list:
        return [params[name] for name in self.names] if self.names else list(params or [])


_statements: dict[str, _Statement] = {}


def _execute(cursor, sql: str, params) -> None:
    if not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    statement = _statements.get(sql)
    if statement is None:
        statement = _statements[sql] = _Statement(sql)
    # Prepared statements belong to the server session: a new connection
    # (CONN_MAX_AGE, a restarted server) starts with none.
    raw = connection.connection
    known = getattr(connection, "_rows_prepared", None)
    if known is None or known[0] is not raw:
        known = connection._rows_prepared = (raw, set())
    if statement.name not in known[1]:
        # Once per connection and outside the query log: the planning it saves is per call.
        with raw.cursor() as plain:
            plain.execute(statement.prepare, [])
        known[1].add(statement.name)
    cursor.execute(statement.call, statement.arguments(params))


def fetchone(sql: str, params) -> tuple | None:
    with connection.cursor() as cursor:
        _execute(cursor, sql, params)
        return cursor.fetchone()


def fetchall(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        _execute(cursor, sql, params)
        return cursor.fetchall()


def int_array(ids) -> str:
    """Integer ids as one PostgreSQL array literal (``{1,2,3}``), for ``= ANY(%s::bigint[])``.

    A Python list goes as ``ARRAY[1,2,3]``: for an export's pages of 2,000 ids that is
    2,000 constants for PostgreSQL to parse and plan (7 ms a page against 2 ms).
    """
    return "{" + ",".join(str(int(i)) for i in ids) + "}"
