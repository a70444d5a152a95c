"""Predictions as task representations carry them: one query for a whole page of tasks."""

from rest_framework import serializers

from accounts.roles import role_allows
from config.rows import Reader, fetchall, int_array
from labeling.models import Prediction

_datetime = serializers.DateTimeField()


def prediction_payload(prediction: Prediction) -> dict:
    return {
        "id": prediction.pk,
        "model_version": prediction.model_version,
        "score": prediction.score,
        "boxes": prediction.boxes,
        "created_at": _datetime.to_representation(prediction.created_at),
    }


def predictions_visible(viewer, role: str | None) -> bool:
    """Annotators and supervisors see predictions; clients read datasets, not model guesses."""
    return bool(viewer.is_authenticated and viewer.is_staff) or role_allows(role, "predictions.view")


_prediction = Reader(Prediction, "p")
# A fixed SQL text: every task view runs it (each "next"); built by the ORM it cost ~1 ms of CPU.
_PREDICTIONS = (
    f"SELECT {_prediction.columns} FROM {Prediction._meta.db_table} p WHERE p.task_id = ANY(%(ids)s::bigint[])"
    " ORDER BY p.created_at DESC, p.id DESC"
)


def task_predictions(task_ids: list[int]) -> dict[int, list[dict]]:
    """task id -> its predictions, newest first (every task id present)."""
    found: dict[int, list[dict]] = {task_id: [] for task_id in task_ids}
    for row in fetchall(_PREDICTIONS, {"ids": int_array(task_ids)}):
        prediction = _prediction.build(row)
        found[prediction.task_id].append(prediction_payload(prediction))
    return found
