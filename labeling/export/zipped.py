"""Zip plumbing shared by the export formats: fixed timestamps, spooled entries."""

import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime, timezone

_SPOOL_BYTES = 4 * 1024 * 1024


def zip_time(when: datetime | None) -> tuple[int, int, int, int, int, int]:
    """The entries' timestamp: the dataset's date, so zip bytes depend only on the data."""
    if when is None:
        return (1980, 1, 1, 0, 0, 0)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    if when.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def add_bytes(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    entry = zipfile.ZipInfo(name, date_time=stamp)
    entry.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(entry, "w", force_zip64=True) as target:
        target.write(data)


class EntrySpool:
    """Small files (labels, XML) kept on disk until the zip's timestamp is known."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(_SPOOL_BYTES)
        self.count = 0

    def add(self, name: str, data: bytes) -> None:
        header = name.encode("utf-8")
        self._file.write(b"%d %d\n" % (len(header), len(data)) + header + data)
        self.count += 1

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        self._file.seek(0)
        while line := self._file.readline():
            name_size, data_size = (int(part) for part in line.split())
            yield self._file.read(name_size).decode("utf-8"), self._file.read(data_size)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "EntrySpool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
