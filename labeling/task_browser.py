"""Every task of a project as a filtered, sorted table, a page at a time.

Pages are keyset pages: the cursor is the id of the last (or first) row shown,
and the next page starts where that row's sort key left off, so page 2,000
costs what page 1 costs and no page counts the whole table. Sorts run on
indexes led by the project (``task_browse_priority``, the image's
``image_project_captured``, the primary key).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from config.errors import NotFound
from labeling.models import Annotation, Prediction, Project, QualityReport, Task

PAGE_SIZE = 50

# Sort name -> (field, descending, nullable). Ties break on id in the same direction.
SORTS: dict[str, tuple[str, bool, bool]] = {
    "id": ("id", False, False),
    "-id": ("id", True, False),
    "-priority": ("priority", True, False),
    "priority": ("priority", False, False),
    "captured": ("image__captured_at", False, True),
    "-captured": ("image__captured_at", True, True),
}


@dataclass(frozen=True)
class TaskFilter:
    status: str | None = None
    annotator_id: int | None = None
    flag: str | None = None
    gold: bool | None = None
    has_predictions: bool | None = None
    export_excluded: bool | None = None
    captured_from: date | None = None
    captured_to: date | None = None
    # (min longitude, min latitude, max longitude, max latitude)
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class TaskPage:
    rows: list[dict]
    next_after: int | None
    prev_before: int | None


def _filtered(project: Project, f: TaskFilter) -> QuerySet[Task]:
    tasks = Task.objects.filter(project=project)
    if f.status:
        tasks = tasks.filter(status=f.status)
    if f.annotator_id:
        tasks = tasks.filter(Exists(Annotation.objects.filter(task=OuterRef("pk"), annotator_id=f.annotator_id)))
    if f.flag:
        tasks = tasks.filter(Exists(QualityReport.objects.filter(
            annotation__task=OuterRef("pk"), flags__contains=[{"code": f.flag}])))
    if f.gold is not None:
        tasks = tasks.filter(is_gold=f.gold)
    if f.export_excluded is not None:
        tasks = tasks.filter(export_excluded=f.export_excluded)
    if f.has_predictions is not None:
        has = Exists(Prediction.objects.filter(task=OuterRef("pk")))
        tasks = tasks.filter(has if f.has_predictions else ~has)
    zone = timezone.get_current_timezone()
    if f.captured_from:
        tasks = tasks.filter(image__captured_at__gte=datetime.combine(f.captured_from, time.min, zone))
    if f.captured_to:
        tasks = tasks.filter(image__captured_at__lte=datetime.combine(f.captured_to, time.max, zone))
    if f.bbox:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        tasks = tasks.filter(image__gps_longitude__gte=min_lon, image__gps_longitude__lte=max_lon,
                             image__gps_latitude__gte=min_lat, image__gps_latitude__lte=max_lat)
    return tasks


def _after(field: str, descending: bool, nullable: bool, value, pk: int) -> Q:
    """Rows that come after (``value``, ``pk``) in the sort; NULLs sort last either way."""
    beyond, pk_beyond = ("lt", "lt") if descending else ("gt", "gt")
    if nullable and value is None:
        return Q(**{f"{field}__isnull": True, f"id__{pk_beyond}": pk})
    q = Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"id__{pk_beyond}": pk})
    return q | Q(**{f"{field}__isnull": True}) if nullable else q


def _before(field: str, descending: bool, nullable: bool, value, pk: int) -> Q:
    """Rows that come before (``value``, ``pk``) in the sort."""
    before, pk_before = ("gt", "gt") if descending else ("lt", "lt")
    if nullable and value is None:
        return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, f"id__{pk_before}": pk})
    return Q(**{f"{field}__{before}": value}) | Q(**{field: value, f"id__{pk_before}": pk})


def _ordering(field: str, descending: bool, nullable: bool, reverse: bool) -> list:
    """The sort, or its exact mirror image for a previous page (read backwards, then flipped)."""
    down = descending != reverse
    key = F(field).desc if down else F(field).asc
    if nullable:
        # NULLs last on the page; a mirrored read meets them first.
        return [key(nulls_first=True) if reverse else key(nulls_last=True), "-id" if down else "id"]
    # No NULLS clause on NOT NULL columns: it would keep PostgreSQL off the index.
    return [key(), "-id" if down else "id"]


def _cursor_value(project: Project, field: str, pk: int):
    row = Task.objects.filter(project=project, pk=pk).values_list(field, flat=True)
    if not row:
        # A cursor naming a task of another project (or none) gives nothing away.
        raise NotFound("No such page.", code="invalid_cursor")
    return row[0]


def task_page(*, project: Project, filters: TaskFilter, sort: str = "id", after: int | None = None,
              before: int | None = None, size: int = PAGE_SIZE) -> TaskPage:
    """One page of the project's tasks: rows with image, annotators, scores and flags."""
    field, descending, nullable = SORTS[sort]
    tasks = _filtered(project, filters)
    reverse = before is not None and after is None
    if after is not None:
        tasks = tasks.filter(_after(field, descending, nullable, _cursor_value(project, field, after), after))
    elif before is not None:
        tasks = tasks.filter(_before(field, descending, nullable, _cursor_value(project, field, before), before))
    tasks = tasks.select_related("image").annotate(
        has_predictions=Exists(Prediction.objects.filter(task=OuterRef("pk")))
    ).order_by(*_ordering(field, descending, nullable, reverse))
    found = list(tasks[: size + 1])
    more = len(found) > size
    found = found[:size]
    if reverse:
        found.reverse()
    rows = _rows(found)
    first, last = (found[0].pk, found[-1].pk) if found else (None, None)
    has_next = more if not reverse else True
    has_prev = (after is not None) if not reverse else more
    return TaskPage(rows=rows, next_after=last if has_next and found else None,
                    prev_before=first if has_prev and found else None)


def _rows(tasks: list[Task]) -> list[dict]:
    """Each task with its annotators (state, latest score and flags), in two more queries."""
    ids = [task.pk for task in tasks]
    work: dict[int, list[dict]] = {pk: [] for pk in ids}
    annotations = list(
        Annotation.objects.filter(task_id__in=ids).order_by("id")
        .values("id", "task_id", "annotator_id", "annotator__username", "status", "version")
    )
    reports: dict[int, dict] = {}
    for report in (
        QualityReport.objects.filter(annotation_id__in=[a["id"] for a in annotations], state="done")
        .order_by("annotation_id", "-annotation_version").values("annotation_id", "score", "flags")
    ):
        reports.setdefault(report["annotation_id"], report)
    for a in annotations:
        report = reports.get(a["id"])
        work[a["task_id"]].append({
            "annotator_id": a["annotator_id"], "username": a["annotator__username"], "status": a["status"],
            "score": report["score"] if report else None,
            "flags": sorted({flag["code"] for flag in (report["flags"] or [])}) if report else [],
        })
    return [{"task": task, "image": task.image, "work": work[task.pk]} for task in tasks]
