"""Prediction and training runs: requested by a supervisor, run by a Celery job, never in the web process.

A run is a ``ModelRun`` row; its job claims it (queued → running, so a
redelivered message does nothing), sends the tasks in batches of
``ML_PREDICT_BATCH``, stores each task's checked prediction or records its
error, and saves progress after every batch. A call that timed out or could
not connect is tried again ``ML_BACKEND_RETRIES`` times. Both kinds are
deferrable jobs of the energy scheduler, and the backend's busy time is
recorded in the energy ledger (kind ``inference`` / ``training``), shared
among the tasks the run served.
"""

import logging
import time
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import DomainError
from config.broker import enqueue_on_commit
from energy.services import energy_record_usage, schedule_deferrable
from labeling.mlbackends import convert, protocol
from labeling.mlbackends.backends import project_label_config
from labeling.mlbackends.links import image_link
from labeling.models import Annotation, Box, MLBackend, ModelRun, Prediction, Project, Task
from labeling.predictions.store import predictions_replace, task_frames

logger = logging.getLogger(__name__)

RUN_TASK = "labeling.mlbackends.run"
SELECTIONS = ("open", "all")
RETRYABLE = ("backend_timeout", "backend_unreachable")
# The scheduler's guess of a run's length: seconds per task predicted / annotation trained on.
PREDICT_SECONDS_PER_TASK, TRAIN_SECONDS_PER_ANNOTATION = 0.5, 0.2
ENERGY_KIND = {ModelRun.Kind.PREDICT: "inference", ModelRun.Kind.TRAIN: "training"}


def _selected(project: Project, kind: str, selection: str, task_ids: list[int] | None) -> list[int]:
    if kind == ModelRun.Kind.TRAIN:
        # Gold tasks measure annotators; a model never learns their answers.
        return sorted(set(Annotation.objects.filter(
            task__project=project, task__is_gold=False, status=Annotation.Status.ACCEPTED,
        ).values_list("task_id", flat=True)))
    tasks = Task.objects.filter(project=project)
    if task_ids is not None:
        found = set(tasks.filter(pk__in=task_ids).values_list("id", flat=True))
        if found != set(task_ids):
            raise DomainError(_("Some task ids are not tasks of this project."), code="unknown_task", field="tasks")
        return sorted(found)
    if selection not in SELECTIONS:
        raise DomainError(_("tasks must be a list of ids, \"open\" or \"all\"."), code="invalid_selection",
                          field="tasks")
    if selection == "open":
        tasks = tasks.exclude(status=Task.Status.ACCEPTED)
    return list(tasks.order_by("id").values_list("id", flat=True))


def run_request(*, project: Project, backend: MLBackend, user: User | None, kind: str = ModelRun.Kind.PREDICT,
                selection: str = "open", task_ids: list[int] | None = None, deferrable: bool = False,
                deadline: datetime | None = None) -> ModelRun:
    """Create the run and queue its job (now, or in the cleanest window before ``deadline``)."""
    ids = _selected(project, kind, selection, task_ids)
    if not ids:
        code = "nothing_to_train_on" if kind == ModelRun.Kind.TRAIN else "no_tasks"
        raise DomainError(_("There are no tasks for this run."), code=code)
    with transaction.atomic():
        run = ModelRun.objects.create(project=project, backend=backend, kind=kind, task_ids=ids, total=len(ids),
                                      deferrable=deferrable, deadline=deadline,
                                      requested_by=user if user is not None and user.is_authenticated else None)
        per_task = PREDICT_SECONDS_PER_TASK if kind == ModelRun.Kind.PREDICT else TRAIN_SECONDS_PER_ANNOTATION
        # Importing the job module registers the job with Celery (the scheduler looks it up by name).
        from labeling.jobs import model_run_task

        if deferrable:
            run.schedule = schedule_deferrable(kind=ENERGY_KIND[kind], task_name=RUN_TASK, kwargs={"run_id": run.pk},
                                               expected_seconds=1 + per_task * len(ids), deadline=deadline,
                                               project_id=project.pk)
        else:
            enqueue_on_commit(model_run_task, run_id=run.pk)
            run.schedule = {"decision": "run_now", "reason": "not deferrable"}
        run.save(update_fields=["schedule"])
    return run


def _claim(run_id: int) -> ModelRun | None:
    now = timezone.now()
    if not ModelRun.objects.filter(pk=run_id, state=ModelRun.State.QUEUED).update(
            state=ModelRun.State.RUNNING, started_at=now):
        return None
    return ModelRun.objects.select_related("backend", "project").get(pk=run_id)


def _call_with_retries(function, **kwargs):
    attempts = settings.ML_BACKEND_RETRIES + 1
    for attempt in range(attempts):
        try:
            return function(**kwargs)
        except protocol.BackendError as exc:
            if exc.code not in RETRYABLE or attempt == attempts - 1:
                raise
            logger.warning("backend call failed (%s), retry %d of %d", exc.code, attempt + 1, attempts - 1)
            time.sleep(min(2.0 ** attempt, 10.0))  # back off before asking a struggling server again
    raise AssertionError("unreachable")


def _record_energy(run: ModelRun, task_ids: list[int], started_at: datetime, ended_at: datetime) -> None:
    """The backend's busy time, as one core at the site's watts per core, shared among the tasks served."""
    if not task_ids:
        return
    share = max((ended_at - started_at).total_seconds(), 0.0) / len(task_ids)
    for task_id in task_ids:
        energy_record_usage(consumer="server", job_kind=ENERGY_KIND[run.kind], job_id=f"modelrun-{run.pk}",
                            project_id=run.project_id, task_id=task_id, started_at=started_at,
                            ended_at=ended_at, cpu_seconds=share)


def _finish(run: ModelRun, state: str, detail: str = "") -> None:
    run.state, run.detail, run.finished_at = state, detail[:2000], timezone.now()
    run.save(update_fields=["state", "detail", "finished_at", "done", "errors", "model_version"])


def _predict_batch(run: ModelRun, batch: list[int], frames: dict) -> None:
    backend = run.backend
    tasks = dict(Task.objects.filter(pk__in=batch).values_list("id", "image_id"))
    ls_tasks = [convert.ls_task(task_id, image_link(tasks[task_id])) for task_id in batch]
    started_at = timezone.now()
    try:
        results, answer_version = _call_with_retries(
            protocol.predict, base_url=backend.url, tasks=ls_tasks, project=convert.ls_project(run.project),
            label_config=project_label_config(run.project), auth_header=backend.auth_header,
            timeout=backend.timeout_seconds)
    except (protocol.BackendError, DomainError) as exc:
        run.errors.extend({"task": task_id, "code": exc.code, "message": str(exc)} for task_id in batch)
        return
    finally:
        ended_at = timezone.now()
    by_version: dict[str, dict] = {}
    for task_id, result in zip(batch, results):
        try:
            boxes, score, version = convert.prediction_from_result(
                result, frames[task_id], answer_version or backend.model_version)
        except convert.ResultError as exc:
            run.errors.append({"task": task_id, "code": exc.code, "message": str(exc)})
            continue
        by_version.setdefault(version, {})[task_id] = (boxes, score)
    for version, rows in by_version.items():
        predictions_replace(rows=rows, model_version=version, source=Prediction.Source.BACKEND,
                            backend_id=backend.pk, run_id=run.pk)
        run.model_version = version
    _record_energy(run, batch, started_at, ended_at)


def _train(run: ModelRun) -> None:
    backend, project = run.backend, run.project
    frames = task_frames(run.task_ids)
    images = dict(Task.objects.filter(pk__in=run.task_ids).values_list("id", "image_id"))
    annotations = list(Annotation.objects.filter(task_id__in=run.task_ids, status=Annotation.Status.ACCEPTED)
                       .order_by("id").values_list("id", "task_id"))
    boxes: dict[int, list[dict]] = {}
    for annotation_id, label, x, y, w, h in Box.objects.filter(
            annotation_id__in=[a for a, _task in annotations]).order_by("id").values_list(
            "annotation_id", "label__name", "x", "y", "width", "height"):
        boxes.setdefault(annotation_id, []).append({"label": label, "x": x, "y": y, "width": w, "height": h})
    payload = []
    for annotation_id, task_id in annotations:
        frame = frames[task_id]
        payload.append({
            "id": annotation_id, "task": convert.ls_task(task_id, image_link(images[task_id])),
            "result": [convert.ls_region(box, frame.width, frame.height, i)
                       for i, box in enumerate(boxes.get(annotation_id, []))],
            "was_cancelled": False, "ground_truth": False,
        })
    started_at = timezone.now()
    ls_project = {"id": project.pk, "title": project.name, "label_config": project_label_config(project)}
    _call_with_retries(protocol.train, base_url=backend.url, project=ls_project, annotations=payload,
                       auth_header=backend.auth_header, timeout=max(backend.timeout_seconds, 300.0))
    ended_at = timezone.now()
    version = protocol.setup(backend.url, project=convert.ls_project(project), label_config=ls_project["label_config"],
                             auth_header=backend.auth_header, timeout=backend.timeout_seconds)
    MLBackend.objects.filter(pk=backend.pk).update(model_version=version, state=MLBackend.State.CONNECTED,
                                                   last_error="")
    run.model_version, run.done = version, len(run.task_ids)
    _record_energy(run, run.task_ids, started_at, ended_at)


def run_execute(run_id: int) -> str:
    """The job: claim the run, do it, leave it done (maybe with per-task errors) or failed."""
    run = _claim(run_id)
    if run is None:
        return "not claimed"
    try:
        if run.kind == ModelRun.Kind.TRAIN:
            _train(run)
        else:
            frames = task_frames(run.task_ids)
            size = max(settings.ML_PREDICT_BATCH, 1)
            for start in range(0, len(run.task_ids), size):
                batch = [task_id for task_id in run.task_ids[start:start + size] if task_id in frames]
                _predict_batch(run, batch, frames)
                run.done = min(start + size, len(run.task_ids))
                run.save(update_fields=["done", "errors", "model_version"])
    except (protocol.BackendError, DomainError) as exc:
        _finish(run, ModelRun.State.FAILED, f"{exc.code}: {exc}")
        return "failed"
    except Exception as exc:
        _finish(run, ModelRun.State.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    failed = len(run.errors) == len(run.task_ids) and run.kind == ModelRun.Kind.PREDICT
    _finish(run, ModelRun.State.FAILED if failed else ModelRun.State.DONE,
            _("Every task failed.") if failed else "")
    return run.state
