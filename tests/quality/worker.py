"""A real Celery worker in a subprocess, on the pytest database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from tests.processes import child_env

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, tmp_path: Path, *, concurrency: int = 1, extra_env: dict | None = None,
                 app: str = "config") -> None:
        self.broker = os.environ["CELERY_BROKER_URL"]
        self.log_path = tmp_path / "worker.log"
        env = child_env(CELERY_BROKER_URL=self.broker, CELERY_TASK_ALWAYS_EAGER="0", **(extra_env or {}))
        redis.Redis.from_url(self.broker).flushdb()
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "-l", "info",
             f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.wait_for("ready.", timeout=90)

    def text(self) -> str:
        return self.log_path.read_text()

    def wait_for(self, needle: str, *, timeout: float = 60, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.text().count(needle) >= count:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.text()[-3000:]}")
            time.sleep(0.05)
        raise TimeoutError(f"{needle!r} not in the worker log:\n{self.text()[-3000:]}")

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def wait_until(predicate, *, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")
