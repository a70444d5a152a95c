"""`make run` as a newcomer meets it: embedded database, demo, server, and a clean Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_page(url: str, process: subprocess.Popen, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the launcher exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s")


def _alive(pid: int) -> bool:
    """Running, not merely a zombie: pg_ctl daemonizes the server, so an exited
    postmaster waits for a PID 1 that, in a container, may never reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _gone_soon(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_launcher_serves_the_demo_on_its_own_postgres_and_stops_cleanly(tmp_path, pg_parent):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        PLATEAU_PGDATA=str(pg_parent / "pg"), MEDIA_ROOT=str(tmp_path / "media"), PORT=str(port),
        DEMO_IMAGES="1", DEMO_PASSWORD="launcher-test-pw", DJANGO_SETTINGS_MODULE="config.settings.base",
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "config.launcher"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert _wait_for_page(f"http://127.0.0.1:{port}/accounts/login/", process, 180) == 200
        postmaster = int((pg_parent / "pg" / "postmaster.pid").read_text().splitlines()[0])
        web_pids = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
        assert web_pids

        process.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert output.count("Demo logins") == 1
    assert "Stopped: web server, database." in output
    assert "Traceback" not in output and "Segmentation fault" not in output
    # The postmaster removes its pid file (which ends `pg_ctl stop -w`) just before it exits.
    left = [pid for pid in [postmaster, *map(int, web_pids)] if not _gone_soon(pid)]
    assert left == [], f"still running: {left} (postmaster {postmaster}, web {web_pids})"
