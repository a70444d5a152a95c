"""The embedded PostgreSQL: starts from the wheel, survives a crash, refuses a foreign cluster."""

import os
import signal
import time

import psycopg2
import pytest

from config import dbserver


def _connect(running):
    return psycopg2.connect(dbname=dbserver.DATABASE_NAME, user=dbserver.SUPERUSER, host=str(running.socket_dir))


def _postmaster_pid(data_dir):
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


@pytest.fixture
def data_dir(pg_parent):
    path = pg_parent / "pg"
    yield path
    dbserver.stop(path)


def test_starts_serves_and_stops_on_a_socket_in_its_data_dir(data_dir):
    running = dbserver.ensure_running(data_dir)
    assert running.started_here
    with _connect(running) as conn, conn.cursor() as cur:
        cur.execute("SHOW listen_addresses")
        assert cur.fetchone()[0] == ""  # no TCP port to collide with anything
    conn.close()
    again = dbserver.ensure_running(data_dir)
    assert not again.started_here and again.socket_dir == running.socket_dir
    assert dbserver.stop(data_dir)
    assert not (data_dir / "postmaster.pid").exists()
    assert not dbserver.stop(data_dir)


def test_a_crashed_server_is_recovered_with_its_data(data_dir):
    running = dbserver.ensure_running(data_dir)
    conn = _connect(running)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    conn.close()
    pid = _postmaster_pid(data_dir)
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not os.path.exists(f"/proc/{pid}"):
            break
        time.sleep(0.05)
    assert (data_dir / "postmaster.pid").exists()  # the stale lock a crash leaves

    recovered = dbserver.ensure_running(data_dir)
    assert recovered.started_here
    with _connect(recovered) as conn, conn.cursor() as cur:
        cur.execute("SELECT n FROM kept")
        assert cur.fetchone() == (42,)
    conn.close()


def test_a_cluster_of_another_major_version_is_named(pg_parent):
    data_dir = pg_parent / "old"
    data_dir.mkdir()
    (data_dir / "PG_VERSION").write_text("15\n")
    with pytest.raises(dbserver.EmbeddedServerError) as refused:
        dbserver.ensure_running(data_dir)
    message = str(refused.value)
    assert "PostgreSQL 15 cluster" in message and f"PostgreSQL {dbserver.server_major_version()}" in message
    assert not (data_dir / "postmaster.pid").exists()
