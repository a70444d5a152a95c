"""Two uploads of the same bytes at the same moment: one task, one file."""

import io
import threading

import pytest
from django.db import connections

from labeling.ingest import store
from labeling.ingest.limits import current_limits
from labeling.ingest.prepare import prepare
from labeling.ingest.sources import Source
from labeling.models import Image, Task
from tests.labeling.ingest.samples import jpeg_bytes, stored_files
from tests.threads import run_threads


@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicates_make_one_task_and_leave_no_orphan_file(project, _media_root, monkeypatch):
    data = jpeg_bytes(200, 150)
    barrier = threading.Barrier(2)
    seen = threading.local()
    real_existing = store._existing

    def existing_then_meet(project, sha256):
        # Both threads pass the duplicate check before either inserts.
        found = real_existing(project, sha256)
        if not getattr(seen, "met", False):
            seen.met = True
            barrier.wait(timeout=10)
        return found

    monkeypatch.setattr(store, "_existing", existing_then_meet)
    monkeypatch.setattr(store, "_enqueue_derivatives", lambda image_id: None)
    results, errors = [], []

    def upload():
        try:
            prepared = prepare(
                Source(name="dji.jpg", open=lambda: io.BytesIO(data)),
                limits=current_limits(),
                capture_timezone="Asia/Shanghai",
            )
            results.append(store.image_store(project=project, prepared=prepared, uploaded_by=None))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    run_threads([threading.Thread(target=upload) for _ in range(2)], timeout=30)
    assert not errors
    assert sorted(r.status for r in results) == ["created", "duplicate"]
    assert Image.objects.count() == 1 and Task.objects.count() == 1
    image = Image.objects.get()
    assert stored_files(_media_root) == [image.file.name]
