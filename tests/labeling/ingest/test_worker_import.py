"""Queued import with a real Celery worker on Redis: two processes share the chunks."""

import os
import signal

import pytest

from config.celery import app
from labeling.ingest.queued import run_follow, run_queue, run_results
from labeling.models import Image, IngestChunk, Task
from tests.labeling.ingest.samples import jpeg_bytes
from tests.quality.worker import Worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not app.conf.task_always_eager


@pytest.fixture
def worker(tmp_path, real_celery, _media_root):
    # Two prefork child processes: two worker processes taking chunks from one queue.
    started = Worker(tmp_path, concurrency=2, extra_env={"MEDIA_ROOT": str(_media_root)})
    yield started
    started.stop()


def flight(folder, count: int, size=(600, 400)):
    folder.mkdir()
    for i in range(count):
        (folder / f"DJI_{i:03d}.JPG").write_bytes(jpeg_bytes(*size, color=(i * 7 % 256, i * 13 % 256, 90)))


def test_two_worker_processes_share_chunks_and_ingest_each_file_once(project, worker, tmp_path):
    flight(tmp_path / "flight", 24)
    (tmp_path / "flight" / "DJI_copy.JPG").write_bytes((tmp_path / "flight" / "DJI_000.JPG").read_bytes())
    queued = run_queue(project=project, paths=[str(tmp_path / "flight")], chunk_files=2)
    assert queued.chunks == 13
    results = list(run_follow(queued.run, poll_seconds=0.1))
    assert len(results) == 25, worker.text()[-3000:]
    chunks = IngestChunk.objects.filter(run=queued.run)
    assert {c.state for c in chunks} == {"done"} and {c.attempts for c in chunks} == {1}
    assert len({c.worker for c in chunks}) == 2, [c.worker for c in chunks]
    assert [r.status for r in run_results(queued.run)].count("created") == 24
    names = list(Image.objects.values_list("original_name", flat=True))
    assert len(names) == len(set(names)) == 24 and Task.objects.count() == 24
    assert sum(r.status == "duplicate" for r in results) == 1


def test_a_worker_process_killed_mid_chunk_is_rerun_without_new_rows(project, worker, tmp_path):
    flight(tmp_path / "flight", 40, size=(2000, 1500))
    queued = run_queue(project=project, paths=[str(tmp_path / "flight")], chunk_files=40)
    chunk = IngestChunk.objects.get(run=queued.run)

    def some_recorded() -> bool:
        chunk.refresh_from_db()
        return chunk.state == "running" and len(chunk.results) >= 2

    wait_until(some_recorded, timeout=60, what="the chunk to be half done")
    os.kill(int(chunk.worker.rsplit(":", 1)[1]), signal.SIGKILL)
    results = list(run_follow(queued.run, poll_seconds=0.1))
    chunk.refresh_from_db()
    assert chunk.state == "done" and chunk.attempts == 2, worker.text()[-3000:]
    assert [r.status for r in results] == ["created"] * 40
    assert Image.objects.count() == 40 and Task.objects.count() == 40
