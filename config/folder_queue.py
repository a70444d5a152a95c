"""kombu's folder queue (filesystem transport): what `make run` gives its worker when no
broker is configured, so that a newcomer's jobs leave the request as in production with
nothing but Python. The web processes and the worker share the folder."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path


def transport_options(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        # The worker looks for new files this often (seconds), and also waits this long
        # before taking the next job after each one (its prefetch of one is freed only
        # between polls): at 0.2 s, 2,000 thumbnails took 399 s. Idle, 100 looks a
        # second at a small folder cost little. Redis needs no polling.
        "polling_interval": 0.01,
    }


class Markers:
    """Keys beside the queue, as Redis would keep them for ``SET key NX EX``: one file
    per key, made with O_EXCL, shared by the web processes and the worker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / key.replace(":", "-")

    def set(self, key: str, value: str, *, nx: bool, ex: int) -> bool:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            if time.time() - path.stat().st_mtime > ex:  # expired, as Redis would let it
                path.unlink(missing_ok=True)
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
