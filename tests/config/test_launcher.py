"""`make run` as a newcomer meets it: embedded database, demo, server, and a clean Ctrl-C."""

import json
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


def _call(base: str, method: str, path: str, body: dict | None = None, token: str = "") -> dict:
    request = urllib.request.Request(
        base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def _client_exports_the_demo(base: str) -> dict:
    """What a client sees: the export's state when requested, when finished, and its size."""
    token = _call(base, "POST", "/api/v1/auth/token/", {"username": "client1", "password": "launcher-test-pw"})["token"]
    project = _call(base, "GET", "/api/v1/projects/", token=token)["results"][0]["id"]
    export = _call(base, "POST", f"/api/v1/projects/{project}/exports/", {"format": "coco"}, token)
    requested, state, deadline = export["state"], export["state"], time.monotonic() + 60
    while state not in {"done", "failed", "expired"} and time.monotonic() < deadline:
        time.sleep(0.2)
        state = _call(base, "GET", f"/api/v1/exports/{export['id']}/", token=token)["state"]
    request = urllib.request.Request(f"{base}/api/v1/exports/{export['id']}/download/",
                                     headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        size = len(response.read())
    return {"requested": requested, "finished": state, "bytes": size}


def test_launcher_serves_the_demo_on_its_own_postgres_and_stops_cleanly(tmp_path, pg_parent):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        PLATEAU_PGDATA=str(pg_parent / "pg"), MEDIA_ROOT=str(tmp_path / "media"), PORT=str(port),
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
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
        export = _client_exports_the_demo(f"http://127.0.0.1:{port}")
        # Queued by the request, made by the worker from the folder queue: the
        # request does not wait for the job (an eager run would answer "done").
        assert export["requested"] in {"pending", "running"}, export
        assert export["finished"] == "done" and export["bytes"] > 0, export

        process.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert output.count("Demo logins") == 1
    assert "Celery worker on a folder queue" in output
    assert "Stopped: web server, worker, database." in output
    assert "Traceback" not in output and "Segmentation fault" not in output
    # The postmaster removes its pid file (which ends `pg_ctl stop -w`) just before it exits.
    left = [pid for pid in [postmaster, *map(int, web_pids)] if not _gone_soon(pid)]
    assert left == [], f"still running: {left} (postmaster {postmaster}, web {web_pids})"
