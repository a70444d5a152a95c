"""import_images --queue: the files go to Celery jobs in chunks (eager here: no broker)."""

import pytest

from labeling.ingest.queued import chunk_ingest, run_queue, run_results, runs_forget_stale
from labeling.models import Image, IngestChunk, Task
from tests.labeling.ingest.command import run_import
from tests.labeling.ingest.samples import jpeg_bytes, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def flights(tmp_path):
    root = tmp_path / "flights"
    (root / "day1").mkdir(parents=True)
    for i in range(5):
        (root / "day1" / f"DJI_{i}.JPG").write_bytes(jpeg_bytes(color=(40 * i, 40, 40)))
    (root / "day1" / "DJI_copy.JPG").write_bytes(jpeg_bytes(color=(0, 40, 40)))  # same bytes as DJI_0
    (root / "day1" / "DJI_cut.JPG").write_bytes(jpeg_bytes(color=(9, 9, 9))[:300])  # truncated
    (root / "day2.zip").write_bytes(zip_bytes({"z1.jpg": jpeg_bytes(color=(0, 200, 0)),
                                               "z2.jpg": jpeg_bytes(color=(0, 0, 200))}))
    return root


def test_queued_import_ingests_in_chunks_and_reports_like_the_default(project, flights, tmp_path):
    out, err = run_import(project.slug, str(flights), str(tmp_path / "nope"), "--queue", "--chunk-files", "3")
    assert Image.objects.count() == 7 and Task.objects.count() == 7
    assert "7 created, 1 duplicates, 2 errors, 10 files" in out
    assert "DJI_cut.JPG: [" in out and "nope: [not_found]" in out
    assert "10/10" in err and "100%" in err
    assert sorted(Image.objects.filter(original_name__contains="zip").values_list("original_name", flat=True)) == [
        "flights/day2.zip/z1.jpg", "flights/day2.zip/z2.jpg"]
    # The run's rows are gone once reported.
    assert IngestChunk.objects.count() == 0


def test_queued_import_twice_reports_duplicates(project, flights):
    run_import(project.slug, str(flights), "--queue", "--no-progress")
    out, err = run_import(project.slug, str(flights), "--queue", "--no-progress", "--chunk-files", "4")
    assert "0 created, 8 duplicates, 1 errors, 9 files" in out
    assert err == ""
    assert Image.objects.count() == 7


def test_each_chunk_is_one_job_with_its_own_rows(project, flights, monkeypatch):
    from labeling import jobs

    sent = []
    monkeypatch.setattr(jobs.ingest_chunk_task, "apply_async", lambda args: sent.append(args[0]))
    queued = run_queue(project=project, paths=[str(flights)], chunk_files=4)
    assert (queued.total, queued.chunks) == (9, 3)
    chunks = list(IngestChunk.objects.filter(run=queued.run))
    assert [len(c.files) for c in chunks] == [4, 4, 1] and sent == [c.pk for c in chunks]
    assert Image.objects.count() == 0  # nothing is ingested by the process that lists
    for pk in sent:
        assert chunk_ingest(pk) == "done"
    assert chunk_ingest(sent[0]) == "done"  # a second delivery does nothing
    assert Image.objects.count() == 7
    assert [r.status for r in run_results(queued.run)].count("created") == 7


def test_a_rerun_after_a_crash_carries_on_without_new_rows(project, flights, monkeypatch):
    """A worker died after storing the second file, before recording it."""
    from labeling import jobs

    monkeypatch.setattr(jobs.ingest_chunk_task, "apply_async", lambda args: None)
    queued = run_queue(project=project, paths=[str(flights / "day1")], chunk_files=10)
    chunk = IngestChunk.objects.get(run=queued.run)
    chunk_ingest(chunk.pk)
    done = IngestChunk.objects.get(pk=chunk.pk)
    # Put it back as the dead attempt left it: one file recorded, two stored.
    assert [r["status"] for r in done.results][:5] == ["created"] * 5
    Image.objects.filter(pk__in=[r["image_id"] for r in done.results[2:5]]).delete()
    IngestChunk.objects.filter(pk=chunk.pk).update(state="running", results=done.results[:1])
    assert chunk_ingest(chunk.pk) == "done"
    assert Image.objects.count() == 5
    results = run_results(queued.run)
    assert [r.name.split("/")[-1] for r in results] == sorted(p.name for p in (flights / "day1").iterdir())
    assert [r.status for r in results].count("created") == 5
    assert IngestChunk.objects.get(pk=chunk.pk).attempts == 2


def test_a_file_gone_before_the_worker_reads_it_is_that_files_error(project, flights, monkeypatch):
    from labeling import jobs

    monkeypatch.setattr(jobs.ingest_chunk_task, "apply_async", lambda args: None)
    queued = run_queue(project=project, paths=[str(flights / "day1")])
    (flights / "day1" / "DJI_3.JPG").unlink()
    chunk_ingest(IngestChunk.objects.get(run=queued.run).pk)
    by_name = {r.name.split("/")[-1]: r for r in run_results(queued.run)}
    assert by_name["DJI_3.JPG"].code == "unreadable"
    assert by_name["DJI_4.JPG"].status == "created"


def test_chunks_a_command_never_collected_are_swept_after_a_week(project, flights, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from labeling import jobs

    monkeypatch.setattr(jobs.ingest_chunk_task, "apply_async", lambda args: None)
    old = run_queue(project=project, paths=[str(flights)], chunk_files=4)
    IngestChunk.objects.filter(run=old.run).update(created_at=timezone.now() - timedelta(days=8))
    fresh = run_queue(project=project, paths=[str(flights)], chunk_files=4)
    assert runs_forget_stale() == 3
    assert set(IngestChunk.objects.values_list("run", flat=True)) == {fresh.run}
