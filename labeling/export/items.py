"""What every export format writes: the selected tasks, their images and the chosen boxes.

One implementation of the selection rules, shared by COCO, YOLO and VOC.

Which tasks (``selection``): ``accepted`` (default) = accepted tasks;
``submitted`` = tasks whose work is submitted, in review or accepted; ``all`` =
every task of the project. Images of the selected tasks are kept even when
they have no boxes.

Which boxes: one annotation per task, so that overlap (several annotators on
one image) never duplicates objects. Among the task's submitted or accepted
annotations (drafts, skipped and rejected work are never labels) the one
exported is the one a reviewer fixed, else an accepted one, else a submitted
one; ties go to the lowest annotation id (the first annotator's work).

Memory stays flat: three cursors (tasks with their images, annotations,
boxes), each ordered by task id and read ``batch_size`` rows at a time, are
merged in one pass.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.db import DatabaseError, connection
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Cast

from labeling.export.coco_boxes import box_json_query
from labeling.export.parts import Groups, batches
from labeling.export.prefetch import PrefetchedRows
from labeling.models import Annotation, Box, LabelClass, Project, Review, Task

SELECTIONS = ("accepted", "submitted", "all")
_TASK_STATUSES: dict[str, tuple[str, ...] | None] = {
    "accepted": (Task.Status.ACCEPTED,),
    "submitted": (Task.Status.SUBMITTED, Task.Status.REVIEW, Task.Status.ACCEPTED),
    "all": None,
}
_LABEL_STATUSES = (Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED)
# The "annotation" of a gold task in an export: the verified answer.
GOLD = "gold"
GOLD_ID_BASE = 10**12
UNKNOWN_ENERGY = {"kwh": None, "clean_share": None, "co2e_g": None, "basis": "unknown"}


@dataclass(slots=True)
class Item:
    """One exported image with the boxes of its chosen annotation."""

    task_id: int
    status: str
    image_id: int
    stored: str
    original_name: str | None
    width: int
    height: int
    latitude: float | None
    longitude: float | None
    altitude: float | None
    captured_at: datetime | None
    energy: dict
    # Rows (task id, annotation id, status, fixed, annotator, updated_at), ordered by id.
    candidates: list[tuple]
    chosen: tuple | None
    # Rows (task id, annotation id, box id, label id, x, y, width, height) of the chosen
    # annotation, as the database gives them (no copy per box); gold rows have no annotation id.
    # Empty where ``boxes_json`` holds them instead.
    boxes: list[tuple]
    # COCO only (``item_batches(..., categories=...)``), not for gold tasks: (box count, the
    # chosen annotation's boxes as COCO JSON text, see labeling/export/coco_boxes.py).
    boxes_json: tuple[int, str] | None = None

    @property
    def annotators(self) -> tuple[str, ...]:
        """Everyone who contributed to the task, sorted, once each."""
        if len(self.candidates) == 1:
            return (self.candidates[0][4],)
        return tuple(sorted({row[4] for row in self.candidates}))

    @property
    def review_status(self) -> str | None:
        if self.chosen is None:
            return None
        return "fixed" if self.chosen[3] else self.chosen[2]


def image_extension(stored_name: str) -> str:
    """The extension of a stored image file, lower-case, without the dot."""
    dot = stored_name.rfind(".")
    # A dot in a folder name is no extension (called once per exported image, hence no splitting).
    return stored_name[dot + 1:].lower() if dot > stored_name.rfind("/") else "bin"


def export_file_name(image_id: int, stored_name: str) -> str:
    """An image's name in every export: ``<image id>.<ext>`` inside the format's images folder."""
    return f"{image_id}.{image_extension(stored_name)}"


def selected_tasks(project: Project, selection: str, include_gold: bool = True):
    """The project's tasks in ``selection``; gold tasks (with their verified boxes) unless told not to."""
    if selection not in SELECTIONS:
        raise ValueError(f"unknown selection {selection!r}")
    # Tasks a supervisor left out of datasets stay out of every format.
    tasks = Task.objects.filter(project=project, export_excluded=False)
    statuses = _TASK_STATUSES[selection]
    chosen = Q() if statuses is None else Q(status__in=statuses)
    if include_gold:
        return tasks.filter((chosen & Q(is_gold=False)) | Q(is_gold=True))
    return tasks.filter(chosen, is_gold=False)


def project_labels(project: Project) -> list[tuple[int, str, str]]:
    """(id, name, supercategory) of the project's labels in label order."""
    return list(
        LabelClass.objects.filter(project=project)
        .order_by("order", "id")
        .values_list("id", "name", "supercategory")
    )


# For the export's three cursors only (see whole_result_plans).
_WHOLE_RESULT_SETTINGS = {"cursor_tuple_fraction": "1", "work_mem": "64MB", "jit": "off"}


@contextmanager
def whole_result_plans():
    """Plan the queries declared inside for reading every row, and sort them in memory.

    Django's server-side cursors are ``WITH HOLD`` outside a transaction, so PostgreSQL
    runs each query to the end when it is declared and keeps the rows for the fetches.
    Planned as cursors (``cursor_tuple_fraction`` 0.1, first rows fast), the boxes were
    joined by 100,000 index lookups and the tasks to their images likewise; planned for
    the whole result they are hash joins. A larger ``work_mem`` keeps the sort of the
    boxes and the held rows in the backend's memory instead of temporary files: this is
    PostgreSQL's memory, up to that much per sort and per held cursor, for the few
    hundred milliseconds of the declarations (the held rows stay until the cursors close).
    JIT compilation is off: the boxes' JSON query costs enough to trigger it, and
    compiling it took 2.5 s against well under a second to run it.
    The session's own values come back afterwards.
    """
    names = list(_WHOLE_RESULT_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"current_setting('{name}')" for name in names) + ", "
            + ", ".join(f"set_config('{name}', %s, false)" for name in names),
            [_WHOLE_RESULT_SETTINGS[name] for name in names],
        )
        before = cursor.fetchone()[: len(names)]
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(f"set_config('{name}', %s, false)" for name in names),
                               list(before))
        except DatabaseError:
            # Only in a failed transaction, whose rollback restores them anyway.
            if not connection.in_atomic_block:
                raise


def item_batches(tasks, batch_size: int, energy, categories: dict[int, int] | None = None) -> Iterator[list[Item]]:
    """The selected tasks as Items, ``batch_size`` at a time, in task id order.

    ``energy`` (``energy.services.dataset_energy``) gives each task's tag and
    counts it into the dataset's green totals, so images and totals agree.
    With ``categories`` (label id -> COCO category id) the boxes of non-gold
    tasks come as COCO JSON text in ``Item.boxes_json``, written by the database
    and read ahead on a second connection (labeling/export/prefetch.py).
    """
    task_rows = tasks.order_by("id").annotate(
        # Only gold tasks need these; NULL elsewhere spares decoding every task's gold JSON.
        # As text, decoded below for gold tasks only: a JSON column would be decoded on every row.
        gold_json=Case(When(is_gold=True, then=Cast("gold_boxes", TextField())), default=Value(None),
                       output_field=TextField()),
        gold_created_at=Case(When(is_gold=True, then=F("created_at")), default=Value(None),
                             output_field=DateTimeField()),
    ).values_list(
        "id", "status", "image_id", "image__file", "image__original_name", "image__width",
        "image__height", "image__gps_latitude", "image__gps_longitude", "image__gps_altitude",
        "image__captured_at", "is_gold", "gold_json", "gold_created_at",
    )
    fixed = Review.objects.filter(annotation_id=OuterRef("pk"), decision=Review.Decision.FIX)
    annotation_rows = (
        Annotation.objects.filter(task__in=tasks.values("id"), status__in=_LABEL_STATUSES)
        .annotate(fixed=Exists(fixed))
        .order_by("task_id", "id")
        .values_list("task_id", "id", "status", "fixed", "annotator__username", "updated_at")
    )
    # Each annotation's boxes together (by id, as exported), so that a task whose
    # boxes all belong to the chosen annotation is seen from its first and last box.
    box_rows = (
        Box.objects.filter(annotation__task__in=tasks.values("id"), annotation__status__in=_LABEL_STATUSES)
        .order_by("annotation__task_id", "annotation_id", "id")
        .values_list("annotation__task_id", "annotation_id", "id", "label_id", "x", "y", "width", "height")
    )
    if categories is not None:
        # Started first: its query runs on a connection of its own while the two below are declared.
        box_rows = PrefetchedRows(*box_json_query(tasks, categories, _LABEL_STATUSES), batch_size,
                                  _WHOLE_RESULT_SETTINGS)
    else:
        box_rows = box_rows.iterator(chunk_size=batch_size)
    try:
        yield from _merged(tasks, batch_size, energy, categories, task_rows, annotation_rows, box_rows)
    finally:
        if categories is not None:
            box_rows.close()


def _merged(tasks, batch_size, energy, categories, task_rows, annotation_rows, box_rows) -> Iterator[list[Item]]:
    """The three ordered cursors merged into Items (see ``item_batches``)."""
    label_ids: dict[str, int] | None = None
    task_batches = batches(task_rows.iterator(chunk_size=batch_size), batch_size)
    with whole_result_plans():
        # Each cursor's query runs here, in full (see whole_result_plans).
        annotations = Groups(annotation_rows.iterator(chunk_size=batch_size))
        first = next(task_batches, None)
        boxes = Groups(iter(box_rows))
    for batch in chain(() if first is None else (first,), task_batches):
        tags = energy.tags_for([row[0] for row in batch])
        items = []
        for (task_id, status, image_id, stored, original, width, height, lat, lon, alt, captured,
             is_gold, gold_json, created_at) in batch:
            boxes_json = None
            candidates = annotations.take(task_id)
            task_boxes = boxes.take(task_id)
            if is_gold:
                # A gold task's verified answer is the data, not any annotator's attempt at it.
                if label_ids is None:
                    label_ids = dict(LabelClass.objects.filter(
                        project_id__in=tasks.values("project_id")).values_list("name", "id"))
                chosen = (task_id, None, GOLD, False, GOLD, created_at)
                kept = gold_box_rows(task_id, json.loads(gold_json), label_ids)
            else:
                chosen = choose(candidates)
                if chosen is None or not task_boxes:
                    kept = []
                elif categories is not None:  # rows (task, annotation, box count, text), one per annotation
                    kept = []
                    for row in task_boxes:
                        if row[1] == chosen[1]:
                            boxes_json = (row[2], row[3])
                elif task_boxes[0][1] == task_boxes[-1][1] == chosen[1]:
                    kept = task_boxes  # the usual case: one annotation per task
                else:
                    chosen_id = chosen[1]
                    kept = [row for row in task_boxes if row[1] == chosen_id]
            items.append(Item(
                task_id, status, image_id, stored, original, width, height, lat, lon, alt, captured,
                tags.get(task_id) or UNKNOWN_ENERGY, candidates, chosen, kept, boxes_json,
            ))
        yield items


def gold_box_rows(task_id: int, gold_boxes: list[dict], label_ids: dict[str, int]) -> list[tuple]:
    """A gold task's boxes as export rows, with ids of their own that never meet a ``Box`` id.

    ``GOLD_ID_BASE + task id × 1000 + position``: stable across versions while
    the gold answer stays the same. Boxes of a label the project no longer
    has are left out.
    """
    return [
        (task_id, None, GOLD_ID_BASE + task_id * 1000 + index, label_ids[b["label"]],
         b["x"], b["y"], b["width"], b["height"])
        for index, b in enumerate(gold_boxes[:1000]) if b.get("label") in label_ids
    ]


def choose(candidates: list[tuple]) -> tuple | None:
    """The annotation whose boxes are exported: fixed, else accepted, else submitted."""
    if len(candidates) == 1:  # most tasks: nothing to rank
        return candidates[0]
    best = None
    for row in candidates:  # ordered by id, so the first of equals wins
        rank = (row[3], row[2] == Annotation.Status.ACCEPTED)
        if best is None or rank > best[0]:
            best = (rank, row)
    return None if best is None else best[1]
