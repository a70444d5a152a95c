"""The boxes read ahead on a second connection: same bytes, errors reach the export, no reader left behind."""

import threading

import pytest
from django.db import DatabaseError, transaction

from energy.services import dataset_energy
from labeling.export import items
from labeling.export.coco import coco_chunks
from labeling.export.items import item_batches, selected_tasks
from tests.labeling.export.helpers import bulk_dataset

# Committed data: the reader's connection sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-prefetch"]


def test_read_ahead_gives_the_bytes_of_reading_on_the_exports_connection(project, annotator):
    bulk_dataset(project, annotator, images=25, boxes_per_image=3)

    ahead = "".join(coco_chunks(project=project, batch_size=4))
    with transaction.atomic():  # a second connection could not see this transaction's rows: read inline
        inline = "".join(coco_chunks(project=project, batch_size=4))

    assert ahead == inline
    assert ahead.count('"bbox"') == 75
    assert readers() == []


def test_an_export_stopped_early_stops_its_reader(project, annotator):
    bulk_dataset(project, annotator, images=30, boxes_per_image=1)
    batches = item_batches(selected_tasks(project, "accepted"), 2, dataset_energy(project.pk), {})

    try:
        next(batches)
        running = len(readers())
    finally:
        batches.close()

    assert running == 1
    assert readers() == []


def test_an_export_failing_before_it_reads_the_boxes_stops_its_reader(project, annotator, monkeypatch):
    bulk_dataset(project, annotator, images=30, boxes_per_image=1)

    def broken(rows, size):
        raise RuntimeError("the tasks cursor broke")

    monkeypatch.setattr(items, "batches", broken)

    with pytest.raises(RuntimeError, match="tasks cursor"):
        "".join(coco_chunks(project=project, batch_size=2))
    assert readers() == []


def test_a_failing_query_fails_the_export(project, annotator, monkeypatch):
    bulk_dataset(project, annotator, images=2, boxes_per_image=1)
    monkeypatch.setattr(items, "box_json_query", lambda *args: ("SELECT no_such_column FROM labeling_box", []))

    with pytest.raises(DatabaseError, match="no_such_column"):
        "".join(coco_chunks(project=project))
    assert readers() == []
