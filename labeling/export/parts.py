"""Small pieces of the streaming exporter: merging ordered cursors, batching."""

import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class EncodedCache:
    """JSON of values that repeat (energy tags, annotator lists, statuses), encoded once."""

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._seen: dict[tuple, str] = {}

    def __call__(self, value: Any) -> str:
        try:
            key = (type(value).__name__, tuple(value.items()) if isinstance(value, dict) else value)
            text = self._seen.get(key)
        except TypeError:  # unhashable: encode every time
            return _encode(value)
        if text is None:
            if len(self._seen) >= self._limit:
                self._seen.clear()
            text = self._seen[key] = _encode(list(value) if isinstance(value, tuple) else value)
        return text


def batches(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    """Lists of ``size`` rows (the last may be shorter), cut in C rather than row by row."""
    while batch := list(islice(rows, size)):
        yield batch


class Groups:
    """Rows of an iterator ordered by their first column, taken one key at a time."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self._rows = rows
        self._head: tuple | None = next(rows, None)

    def take(self, key: int) -> list[tuple]:
        """Return the rows whose first column is ``key``, skipping smaller keys."""
        group: list[tuple] = []
        while self._head is not None and self._head[0] <= key:
            if self._head[0] == key:
                group.append(self._head)
            self._head = next(self._rows, None)
        return group
