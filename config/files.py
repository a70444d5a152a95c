"""Writing files so that a reader never sees half of one.

A failure part-way (disk full, a crash, an exception in the producer) leaves
no file under the final name and no temporary file behind.
"""

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage

logger = logging.getLogger("plateau.files")


@dataclass(frozen=True)
class WrittenFile:
    name: str
    size: int
    sha256: str


def _as_bytes(chunk: bytes | str) -> bytes:
    return chunk.encode("utf-8") if isinstance(chunk, str) else chunk


@contextmanager
def open_atomically(storage: Storage, name: str) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes ``name`` in ``storage`` only when complete.

    On a local filesystem the bytes go to a temporary file beside the target
    (``<name>.<random>.part``, so a sweep can recognise what a dead process
    left), are flushed to disk and renamed over ``name``. Other storages get
    the finished temporary file in one ``save`` call. An error in the ``with``
    block removes the temporary file and is re-raised.
    """
    if not isinstance(storage, FileSystemStorage):
        with tempfile.TemporaryFile() as spool:
            yield spool
            spool.seek(0)
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, File(spool, name=os.path.basename(name)))
        return
    target = storage.path(name)
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(prefix=os.path.basename(target) + ".", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_path, 0o644)
        os.replace(temp_path, target)
    except BaseException:
        _remove_quietly(temp_path)
        raise


def write_atomically(storage: Storage, name: str, chunks: Iterable[bytes | str]) -> WrittenFile:
    """Write ``chunks`` to ``name`` through :func:`open_atomically`; return its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    with open_atomically(storage, name) as out:
        for chunk in chunks:
            data = _as_bytes(chunk)
            out.write(data)
            digest.update(data)
            size += len(data)
    return WrittenFile(name=name, size=size, sha256=digest.hexdigest())


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning("Could not remove the partial file %s: %s", path, exc)
