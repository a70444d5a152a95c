"""Rows of one query read ahead on a connection of its own, so PostgreSQL works while Python writes.

The COCO export's boxes query (labeling/export/coco_boxes.py) is most of the
database's work in an export: it writes every box's JSON text. On the export's
own connection its cursor is ``WITH HOLD`` (outside a transaction), which runs
the query to the end when it is declared, while the exporter waits. Here it is
a plain cursor in a transaction on a second connection, read chunk by chunk by
a thread that stays one chunk ahead: PostgreSQL computes the next chunk's text
on the other core while the exporter formats the current one (the thread
holds the GIL only to turn a chunk's rows into tuples).

Inside a transaction of the caller (tests, or an export run in ``atomic``) a
second connection would not see uncommitted rows, so there the rows are read
on the caller's connection instead (:func:`server_side_rows`), in the same order.
"""

import queue
import threading
from collections.abc import Iterator

from django.db import connection

_WAIT_SECONDS = 0.1


def server_side_rows(sql: str, params: list, chunk_size: int) -> Iterator[tuple]:
    """The rows of a raw query through a server-side cursor (as ``QuerySet.iterator`` reads a queryset)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


class PrefetchedRows:
    """Iterate the rows of ``sql``; the query starts when this is made, on another thread.

    ``settings`` (name -> value) are set for the reading transaction only.
    Iterate once; if the iteration stops early, :meth:`close` (also called when
    the iterator is dropped) stops the reader and its connection.
    """

    def __init__(self, sql: str, params: list, chunk_size: int, settings: dict[str, str]) -> None:
        self._inline = connection.in_atomic_block
        self._args = (sql, params, chunk_size)
        if self._inline:
            return
        self._chunks: queue.Queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(settings,), name="export-prefetch", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[tuple]:
        if self._inline:
            yield from server_side_rows(*self._args)
            return
        try:
            while True:
                chunk = self._chunks.get()
                if isinstance(chunk, BaseException):
                    raise chunk
                if not chunk:
                    return
                yield from chunk
        finally:
            self.close()

    def close(self) -> None:
        if not self._inline:
            self._stop.set()
            self._thread.join()

    def _read(self, settings: dict[str, str]) -> None:
        from django.db import connection as own, transaction  # this thread's connection

        sql, params, chunk_size = self._args
        try:
            with transaction.atomic():
                with own.cursor() as cursor:
                    names = list(settings)
                    cursor.execute("SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in names),
                                   [settings[name] for name in names])
                # In a transaction: no WITH HOLD, each fetch runs the query as far as it needs.
                with own.chunked_cursor() as cursor:
                    cursor.execute(sql, params)
                    while self._put(rows := cursor.fetchmany(chunk_size)) and rows:
                        pass
        except BaseException as error:  # handed to the iterating thread
            self._put(error)
        finally:
            own.close()

    def _put(self, item) -> bool:
        """Queue ``item`` unless told to stop; False once stopped."""
        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=_WAIT_SECONDS)
                return True
            except queue.Full:
                continue
        return False
