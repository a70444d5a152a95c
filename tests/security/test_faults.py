"""Fault injection: a broker that is down, a database that drops, a disk that is full."""

import errno
import hashlib
import logging
import os
import subprocess
import uuid

import pytest
from celery import Celery
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db import OperationalError, connection, transaction

from accounts.models import AuditEvent
from config.files import write_atomically
from config.broker import enqueue, enqueue_on_commit
from tests.factories import api_client
from tests.processes import child_env, stop

CLOSED_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _broker_from_arguments(monkeypatch):
    # Celery lets CELERY_BROKER_URL from the environment win over broker=...
    url = os.environ.get("CELERY_BROKER_URL", "")
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    return url


def _probe_app(broker: str, queue: str = "probe") -> Celery:
    app = Celery(f"probe-{uuid.uuid4().hex[:6]}", broker=broker, set_as_current=False)
    app.conf.task_routes = {"probe.*": {"queue": queue}}
    app.conf.broker_connection_retry_on_startup = False
    app.conf.broker_connection_max_retries = 1
    app.conf.task_always_eager = False
    return app


# --- broker down -------------------------------------------------------------------


@pytest.mark.django_db
def test_save_commits_and_request_succeeds_when_the_broker_is_unreachable(caplog, django_capture_on_commit_callbacks):
    app = _probe_app(CLOSED_BROKER)

    @app.task(name="probe.quality_check")
    def quality_check(task_id):
        return task_id

    with caplog.at_level(logging.WARNING, logger="plateau.jobs"):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                AuditEvent.objects.create(action="annotation.submit", target_id="41")
                enqueue_on_commit(quality_check, 41)
    assert AuditEvent.objects.filter(target_id="41").exists()
    assert "Could not queue probe.quality_check(41,)" in caplog.text


@pytest.mark.django_db
def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    sent = []

    class FakeTask:
        name = "fake"

        def apply_async(self, **kwargs):
            sent.append(kwargs)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                enqueue_on_commit(FakeTask(), 1)
                raise RuntimeError("save failed")
        with transaction.atomic():
            enqueue_on_commit(FakeTask(), 2)
    assert [s["args"] for s in sent] == [(2,)]


def test_errors_of_the_job_itself_are_not_swallowed():
    class Broken:
        name = "broken"

        def apply_async(self, **kwargs):
            raise ValueError("bug in the job")

    with pytest.raises(ValueError):
        enqueue(Broken())


@pytest.mark.worker
def test_after_the_outage_the_same_call_reaches_redis(_broker_from_arguments):
    import redis

    url = _broker_from_arguments
    queue = f"probe-{uuid.uuid4().hex}"
    down, up = _probe_app(CLOSED_BROKER, queue), _probe_app(url, queue)

    def qc():
        return None

    assert enqueue(down.task(name="probe.qc")(qc)) is False
    assert enqueue(up.task(name="probe.qc")(qc)) is True
    client = redis.Redis.from_url(url)
    try:
        assert client.llen(queue) == 1
    finally:
        client.delete(queue)


# --- database drops ------------------------------------------------------------------


def _database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)


@pytest.mark.django_db
def test_database_outage_gives_503_json_on_the_api_and_503_on_pages(monkeypatch, annotator, client):
    token_client = api_client(annotator)
    client.force_login(annotator)
    _database_down(monkeypatch)
    response = token_client.get("/api/v1/projects/")
    assert response.status_code == 503
    assert response.json() == {"detail": "The database is unavailable; try again shortly.", "code": "unavailable"}
    assert response["Retry-After"] == "5"
    page = client.get("/")
    assert page.status_code == 503 and b"database is unavailable" in page.content
    monkeypatch.undo()
    assert token_client.get("/api/v1/projects/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_terminated_postgres_backend_gives_503_then_recovers(annotator):
    import psycopg2

    client = api_client(annotator)
    assert client.get("/api/v1/projects/").status_code == 200
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    killer = psycopg2.connect(**params)
    killer.autocommit = True
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    dropped = client.get("/api/v1/projects/")
    assert dropped.status_code == 503 and dropped.json()["code"] == "unavailable"
    assert client.get("/api/v1/projects/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_postgres_on_a_closed_port_gives_503_then_recovers(annotator):
    client = api_client(annotator)
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/api/v1/users/me/")
        assert response.status_code == 503 and response.json()["code"] == "unavailable"
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert client.get("/api/v1/users/me/").status_code == 200


# --- disk full -------------------------------------------------------------------------


def _listing(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_write_atomically_writes_whole_file_with_checksum(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "v1.json").write_text("old")
    written = write_atomically(storage, "exports/v1.json", ["{", b'"a": 1', "}"])
    assert (tmp_path / "exports" / "v1.json").read_bytes() == b'{"a": 1}'
    assert written.size == 8 and written.sha256 == hashlib.sha256(b'{"a": 1}').hexdigest()
    assert _listing(tmp_path) == ["exports/v1.json"]


def test_failing_producer_leaves_neither_partial_nor_old_file_replaced(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    write_atomically(storage, "exports/v1.json", [b"complete"])

    def chunks():
        yield b"half of"
        raise RuntimeError("query failed")

    with pytest.raises(RuntimeError):
        write_atomically(storage, "exports/v1.json", chunks())
    assert _listing(tmp_path) == ["exports/v1.json"]
    assert (tmp_path / "exports" / "v1.json").read_bytes() == b"complete"


def test_disk_full_mid_write_fails_cleanly(tmp_path, monkeypatch):
    """A simulated ENOSPC after 1 KiB: the error reaches the caller, no file remains."""
    storage = FileSystemStorage(location=tmp_path)
    real_fdopen = os.fdopen

    class FillingFile:
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def write(self, data):
            if self.written + len(data) > 1024:
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.handle.write(data)

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr("config.files.os.fdopen", lambda fd, mode: FillingFile(real_fdopen(fd, mode)))
    with pytest.raises(OSError) as raised:
        write_atomically(storage, "exports/big.json", (b"x" * 300 for _ in range(10)))
    assert raised.value.errno == errno.ENOSPC
    assert _listing(tmp_path) == []


@pytest.fixture
def tiny_disk(tmp_path):
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_real_full_tmpfs_leaves_no_partial_file(tiny_disk):
    storage = FileSystemStorage(location=tiny_disk)
    with pytest.raises(OSError) as raised:
        write_atomically(storage, "exports/huge.json", (b"y" * 8192 for _ in range(64)))
    assert raised.value.errno == errno.ENOSPC
    assert _listing(tiny_disk) == []
    # The disk has room again for a small file: nothing was left behind taking space.
    assert write_atomically(storage, "exports/small.json", [b"ok"]).size == 2


def test_storage_without_paths_gets_the_finished_file_in_one_save():
    storage = InMemoryStorage()
    written = write_atomically(storage, "exports/v2.json", ["abc", "def"])
    assert storage.open(written.name).read() == b"abcdef"
    write_atomically(storage, "exports/v2.json", ["new"])
    assert storage.open("exports/v2.json").read() == b"new"


# --- worker killed mid-job -------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_job_whose_worker_process_is_killed_runs_again_with_one_result(_broker_from_arguments):
    import signal
    import sys
    import time

    import redis
    from django.conf import settings as django_settings

    url = _broker_from_arguments
    key, queue = f"probe-{uuid.uuid4().hex}", f"probe-q-{uuid.uuid4().hex}"
    env = child_env(CELERY_BROKER_URL=url, LOG_LEVEL="WARNING")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-I", "tests.security.celery_probe",
         "-Q", queue, "--concurrency", "1", "-l", "warning", "--without-gossip", "--without-mingle"],
        cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    store = redis.Redis.from_url(url)
    try:
        _probe_app(url).send_task("probe.slow_once", args=[key], queue=queue)
        deadline = time.time() + 60
        while not store.get(f"{key}:pid") and time.time() < deadline:
            time.sleep(0.2)
        pid = store.get(f"{key}:pid")
        assert pid, "the worker never started the job"
        os.kill(int(pid), signal.SIGKILL)  # the pool process dies mid-job, as under the OOM killer
        deadline = time.time() + 60
        while not AuditEvent.objects.filter(action="probe.done", target_id=key).exists() and time.time() < deadline:
            time.sleep(0.3)
        assert AuditEvent.objects.filter(action="probe.done", target_id=key).count() == 1
        assert int(store.get(f"{key}:attempts")) == 2
    finally:
        stop(worker, timeout=20)
        store.delete(f"{key}:attempts", f"{key}:pid", queue)
