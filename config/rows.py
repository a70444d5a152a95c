"""Model instances from hand-written SQL, for the few statements on the hot path.

Used by ``labeling.access.access_task`` (every task call) and the "next"
chain (``labeling/assignment/caller.py``, ``pool.py``). Building those queries
with the ORM costs several times the CPU that PostgreSQL spends running them
(bench/README.md, "hotpath"). ``Reader`` selects a model's concrete columns
under a table alias and turns a row back into an instance with the converters
the ORM applies (JSON fields, for one), so the SQL stays in step with the
models; tests compare the instances field by field with what the ORM loads.
"""

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


def insert_select(model, alias: str, values: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT list for INSERT ... SELECT of every concrete field but the
    key: ``values`` gives SQL for some columns, the rest take the field default as a
    parameter named ``<alias>_<column>`` (``insert_defaults``)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    select = ", ".join(values.get(field.column, f"%({alias}_{field.column})s") for field in fields)
    return columns, select


def insert_defaults(model, alias: str, skip: set[str]) -> dict:
    """The parameters ``insert_select`` leaves to the field defaults."""
    return {
        f"{alias}_{field.column}": field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in skip
    }


def fetchone(sql: str, params: dict) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetchall(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def int_array(ids) -> str:
    """Integer ids as one PostgreSQL array literal (``{1,2,3}``), for ``= ANY(%s::bigint[])``.

    A Python list goes as ``ARRAY[1,2,3]``: for an export's pages of 2,000 ids that is
    2,000 constants for PostgreSQL to parse and plan (7 ms a page against 2 ms).
    """
    return "{" + ",".join(str(int(i)) for i in ids) + "}"
