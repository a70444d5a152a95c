"""Export jobs: versions, files, checksums, failure, retention, the command, the worker seam."""

import contextlib
import hashlib
import io
import json
import threading
import zipfile

import pytest
from django.core.management import call_command
from django.db import connections
from pycocotools.coco import COCO

from labeling.export import jobs
from labeling.models import Export
from tests.factories import make_task
from tests.labeling.export.helpers import bulk_dataset, json_from_zip, self_eval_ap, write_json
from tests.threads import run_threads

pytestmark = pytest.mark.django_db


def run_export(project, user, django_capture_on_commit_callbacks, **options) -> Export:
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = jobs.export_request(project=project, user=user, **options)
    export.refresh_from_db()
    return export


def file_bytes(export: Export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


def test_job_writes_a_numbered_version_with_counts_and_checksum(
        project, annotator, client_user, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=5, boxes_per_image=2)

    first = run_export(project, client_user, django_capture_on_commit_callbacks)
    second = run_export(project, client_user, django_capture_on_commit_callbacks)

    assert (first.version, second.version) == (1, 2)
    assert first.state == "done" and first.progress == 100
    assert first.file.name == f"exports/{project.pk}/{first.pk}.json"
    data = file_bytes(first)
    assert first.sha256 == hashlib.sha256(data).hexdigest() and first.byte_size == len(data)
    assert (first.image_count, first.annotation_count, first.category_count) == (5, 10, 3)
    assert first.requested_by == client_user and first.finished_at is not None
    # Nothing changed in between: the same bytes, so the same checksum.
    assert second.sha256 == first.sha256


def test_command_writes_the_same_bytes_as_the_job(
        project, annotator, client_user, tmp_path, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=4, boxes_per_image=3)
    for options, flags in [
        ({}, []),
        ({"zero_based_categories": True}, ["--zero-based-categories"]),
        ({"selection": "all"}, ["--status", "all"]),
    ]:
        export = run_export(project, client_user, django_capture_on_commit_callbacks, **options)
        out = tmp_path / f"cmd{export.pk}.json"
        call_command("export_coco", project.slug, "--out", str(out), *flags, stderr=io.StringIO())
        assert out.read_bytes() == file_bytes(export), options


def test_zip_export_holds_the_images_under_their_file_names(
        project, annotator, supervisor, tmp_path, django_capture_on_commit_callbacks):
    tasks = [make_task(project, width=64, height=48, status="accepted") for _ in range(3)]
    empty = make_task(project, width=64, height=48, status="accepted")
    from labeling.models import Annotation, Box

    label = project.labels.first()
    for task in tasks:
        annotation = Annotation.objects.create(task=task, annotator=annotator, status="accepted")
        Box.objects.create(annotation=annotation, label=label, x=1, y=2, width=10, height=5)

    export = run_export(project, supervisor, django_capture_on_commit_callbacks, include_images=True)

    assert export.state == "done" and export.file.name.endswith(".zip")
    data = file_bytes(export)
    document, names = json_from_zip(data)
    assert sorted(names) == sorted(["annotations/instances_default.json",
                                    *(f"images/default/{i['file_name']}" for i in document["images"])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(f"images/default/{empty.image_id}.png")
        assert info.compress_type == zipfile.ZIP_STORED
        assert archive.read(info.filename) == empty.image.file.open("rb").read()
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(write_json(tmp_path, json.dumps(document).encode()))
    assert len(coco.getImgIds()) == 4 and len(coco.getAnnIds()) == 3
    assert self_eval_ap(coco) == pytest.approx(1.0)
    # The command's zip is byte-identical too.
    out = tmp_path / "cmd.zip"
    call_command("export_coco", str(project.pk), "--out", str(out), "--include-images", stderr=io.StringIO())
    assert out.read_bytes() == data


def test_a_failed_export_leaves_no_file_and_is_never_offered(
        project, annotator, client_user, settings, monkeypatch, django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=3)

    def broken(**kwargs):
        yield '{"info":'
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("labeling.export.writer.coco_chunks", broken)
    export = run_export(project, client_user, django_capture_on_commit_callbacks)

    assert export.state == "failed" and "disk on fire" in export.error
    assert not export.file and not export.sha256
    exports_dir = settings.MEDIA_ROOT / "exports"
    assert not exports_dir.exists() or not any(p.is_file() for p in exports_dir.rglob("*"))


def test_missing_image_file_fails_a_zip_export(project, annotator, client_user,
                                               django_capture_on_commit_callbacks):
    bulk_dataset(project, annotator, images=1)  # rows whose files were never written
    export = run_export(project, client_user, django_capture_on_commit_callbacks, include_images=True)
    assert export.state == "failed" and "missing" in export.error


def test_old_files_expire_by_policy_and_rows_keep_their_metadata(
        project, annotator, client_user, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_KEEP_VERSIONS = 2
    bulk_dataset(project, annotator, images=2)
    made = [run_export(project, client_user, django_capture_on_commit_callbacks) for _ in range(3)]
    old_name = made[0].file.name

    states = dict(Export.objects.values_list("version", "state"))
    assert states == {1: "expired", 2: "done", 3: "done"}
    first = Export.objects.get(version=1)
    assert not first.file and first.sha256 == made[0].sha256 and first.image_count == 2
    assert not (settings.MEDIA_ROOT / old_name).exists()
    # The periodic job applies the same rule everywhere.
    settings.EXPORT_KEEP_VERSIONS = 1
    from labeling.jobs import export_cleanup_task

    assert export_cleanup_task() == 1
    assert Export.objects.filter(state="done").count() == 1


def test_cleanup_removes_half_written_files_of_dead_workers_only(project, client_user, settings):
    folder = settings.MEDIA_ROOT / "exports" / str(project.pk)
    folder.mkdir(parents=True)
    running = Export.objects.create(project=project, version=1, state="running")
    dead = Export.objects.create(project=project, version=2, state="failed")
    (folder / f"{running.pk}.json.part").write_bytes(b"{")
    (folder / f"{dead.pk}.zip.part").write_bytes(b"PK")
    from labeling.jobs import export_cleanup_task

    export_cleanup_task()
    assert sorted(p.name for p in folder.iterdir()) == [f"{running.pk}.json.part"]


def test_deferrable_export_goes_through_the_energy_scheduler(project, client_user, monkeypatch):
    seen = {}

    def fake_schedule(**kwargs):
        seen.update(kwargs)
        return {"decision": "deferred", "reason": "cleaner window at 13:00"}

    monkeypatch.setattr(jobs, "schedule_deferrable", fake_schedule)
    export, decision = jobs.export_request(project=project, user=client_user, deferrable=True)
    assert decision["decision"] == "deferred"
    assert seen["kind"] == "export" and seen["task_name"] == "labeling.export.run"
    assert seen["kwargs"] == {"export_id": export.pk} and seen["expected_seconds"] > 0
    assert Export.objects.get(pk=export.pk).state == "pending"


def test_export_jobs_are_registered_with_celery_and_beat():
    from config.celery import app

    app.loader.import_default_modules()
    assert {"labeling.export.run", "labeling.export.cleanup"} <= set(app.tasks)
    from labeling.beat import SCHEDULE

    assert any(entry["task"] == "labeling.export.cleanup" for entry in SCHEDULE.values())


def test_a_finished_export_is_not_run_again(project, client_user, django_capture_on_commit_callbacks):
    export = run_export(project, client_user, django_capture_on_commit_callbacks)
    assert jobs.export_run(export_id=export.pk) is None
    assert Export.objects.get(pk=export.pk).sha256 == export.sha256


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_distinct_versions(project, client_user, supervisor, monkeypatch):
    # Hold the job back: this test is about the numbering under the project lock.
    monkeypatch.setattr("labeling.jobs.export_run_task.delay_on_commit", lambda **kw: None)
    barrier = threading.Barrier(4)
    errors = []

    def request(user):
        try:
            barrier.wait(timeout=10)
            jobs.export_request(project=project, user=user)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    run_threads([threading.Thread(target=request, args=(u,)) for u in (client_user, supervisor) * 2], timeout=20)
    assert errors == []
    assert sorted(Export.objects.filter(project=project).values_list("version", flat=True)) == [1, 2, 3, 4]
