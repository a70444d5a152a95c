"""The server side of the park on this machine: gunicorn and a Celery worker with beat.

Both run in production mode (``DEBUG=0``) on whatever ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``MEDIA_ROOT`` the environment (or ``env``) names.
The test suite's smoke run and the capacity search start it the same way.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config.launcher import WORKER_PROCESSES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Plain HTTP on loopback (production mode would redirect to HTTPS); the token
# endpoint's per-address throttle off, since every simulated person signs in
# from 127.0.0.1 (in the park each has an address of their own).
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "0",
    "SECRET_KEY": "park-bench-only-not-a-secret-0123456789-abcdefghijklmnop",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "THROTTLE_TOKEN_RATE": "100000/min",
    "CELERY_TASK_ALWAYS_EAGER": "0",
}


class Stack:
    def __init__(self, *, port: int, workers: int = 4, threads: int = 2, worker_class: str = "gthread",
                 celery_processes: int = WORKER_PROCESSES, env: dict | None = None, log_dir: Path | None = None,
                 beat: bool = True, keep_alive: int = 75) -> None:
        self.port = port
        self.env = {**os.environ, **SERVER_ENV, **(env or {})}
        self.log_dir = Path(log_dir or "/tmp")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        web = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", worker_class, "--backlog", "2048",
               "--preload", "--log-level", "warning"]
        if worker_class == "gthread":
            # Idle connections wait in the worker's poller, not in a thread; a
            # keep-alive longer than the heartbeat means a person's connection is
            # not closed under them between calls (gunicorn's default is 2 s).
            web += ["--threads", str(threads), "--worker-connections", "4000", "--keep-alive", str(keep_alive)]
        worker_argv = [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "warning",
                  "--concurrency", str(celery_processes), "--without-gossip", "--without-mingle",
                  "--without-heartbeat"]
        if beat:
            worker_argv += ["--beat", "--schedule", str(self.log_dir / f"park-beat-{port}")]
        self.argv = {"web": web, "worker": worker_argv}
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = {}

    def start(self, timeout: float = 90) -> "Stack":
        for name, argv in self.argv.items():
            log = open(self.log_dir / f"park-{name}-{self.port}.log", "w")
            self.logs[name] = log
            self.processes[name] = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: {self.log_text(name)[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/users/me/")
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError("gunicorn did not answer")

    def log_text(self, name: str) -> str:
        path = self.log_dir / f"park-{name}-{self.port}.log"
        return path.read_text() if path.exists() else ""

    def web_workers(self) -> list[int]:
        pid = self.processes["web"].pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs.values():
            log.close()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
