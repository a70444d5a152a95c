"""`make run`: database, migrations, demo, web server and (with a broker) a worker.

One process owns everything it starts. The children run in sessions of their
own, so the terminal's Ctrl-C reaches only this process, which then stops the
web server, the worker and the embedded database in that order and says so in
one line.
"""

from __future__ import annotations

import io
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = BASE_DIR / ".state"
# Job processes of the worker. Beside the web server and the database on a small box,
# one carries the labeling: quality jobs coalesce per project and drain in batches,
# and a second process added ~90 MB of memory for no more tasks per second. Uploads'
# thumbnails take about twice as long with one (2,000 uploads: 40-72 s against 27 s,
# bench/README.md, "versus_ls"): a box that ingests a lot sets WORKER_PROCESSES=2 or
# runs more workers (`make worker`).
# (Celery's autoscaling does not help here: it shrinks only after 30 s without any job.)
WORKER_PROCESSES = int(os.environ.get("WORKER_PROCESSES", "1"))
# With no broker configured, the web processes and the worker share a folder
# queue (kombu's filesystem transport, settings: CELERY_BROKER_FOLDER): the jobs
# leave the request as in production, with nothing but Python. Run eagerly
# inside the request, the quality check alone was half of a submit's time.
FOLDER_BROKER = "filesystem://localhost/"


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _prepare(images: int, password: str) -> None:
    from django.core.management import call_command

    from labeling.demo.seed import demo_exists

    call_command("migrate", interactive=False, verbosity=0)
    if not demo_exists(images):
        print(f"  Seeding the demo project with {images} generated scenes…", flush=True)
        # Its own summary would print the logins a second time: the banner has them.
        call_command("seed_demo", images=images, password=password, stdout=io.StringIO())


def _demo_password() -> str:
    """One random password for the demo users, made once and kept out of git."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    path = BASE_DIR / ".demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9) + "\n")
    return path.read_text().strip()


def _children(host: str, port: str) -> list[tuple[str, list[str]]]:
    venv_bin = Path(sys.executable).parent
    # The production stack minus TLS: gunicorn's threads keep a reused browser
    # connection as cheap as a fresh one (Django's runserver adds ~40 ms to it).
    # Four processes of two threads answered the park's load model with a lower
    # p95 than two of four (bench/README.md, "park"); --preload imports Django
    # once, before the fork, so the four share its memory.
    web = [
        str(venv_bin / "gunicorn"), "config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", os.environ.get("WEB_WORKERS", "4"),
        "--threads", "2", "--worker-class", "gthread", "--preload", "--log-level", "warning",
    ]  # fmt: skip
    children = [("web server", web)]
    if os.environ.get("CELERY_BROKER_URL"):
        STATE_DIR.mkdir(exist_ok=True)
        worker = [
            str(venv_bin / "celery"), "-A", "config", "worker", "--beat", "--loglevel", "warning",
            "--concurrency", str(WORKER_PROCESSES), "--schedule", str(STATE_DIR / "celerybeat-schedule"),
            # One worker has no peers to sync with or to tell it is alive: no
            # event traffic on the broker (a file every 2 s on the folder queue).
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        children.append(("worker", worker))
    return children


def _stop(processes: list[tuple[str, subprocess.Popen]]) -> list[str]:
    stopped = []
    for name, process in processes:
        if process.poll() is None:
            process.terminate()
    for name, process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stopped.append(name)
    return stopped


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    password = _demo_password()
    os.environ.setdefault("CELERY_BROKER_URL", FOLDER_BROKER)  # the children inherit it
    _django_setup()
    from django.conf import settings

    _prepare(int(os.environ.get("DEMO_IMAGES", "12")), password)
    embedded = getattr(settings, "EMBEDDED_DATABASE", None)
    database = "embedded PostgreSQL (.state/postgres)" if embedded else "PostgreSQL at DATABASE_URL"
    broker = os.environ["CELERY_BROKER_URL"]
    if not broker:  # set empty on purpose: the jobs run inside the request
        jobs = "CELERY_BROKER_URL is empty: background jobs run inside the web process"
    elif broker == FOLDER_BROKER:
        jobs = f"Celery worker on a folder queue ({settings.CELERY_BROKER_FOLDER})"
    else:
        jobs = f"Celery worker on {broker}"
    print(
        f"\n  Plateau Label on http://{host}:{port}/   (API docs: /api/docs/, admin: /admin/)\n"
        f"  Demo logins: annotator1, annotator2, supervisor1, client1 — password {password}\n"
        f"  Database: {database}; {jobs}.\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    processes = [
        (name, subprocess.Popen(argv, cwd=BASE_DIR, start_new_session=True)) for name, argv in _children(host, port)
    ]
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    while not stopping:
        for name, process in processes:
            if process.poll() is not None:
                print(f"  The {name} exited ({process.returncode}); stopping the rest.", flush=True)
                exit_code = 1
                stopping = True
        if not stopping:
            time.sleep(0.5)
    stopped = _stop(processes)
    if embedded and embedded.started_here:
        from django.db import connections

        from config import dbserver

        connections.close_all()
        if dbserver.stop():
            stopped.append("database")
    print(f"  Stopped: {', '.join(stopped)}.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
