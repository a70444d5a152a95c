"""Annotations started from a prediction, and what the annotator changed on submit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError
from labeling.models import Annotation, Prediction, PredictionUse, Task
from labeling.quality.metrics import as_box, match_boxes

# A predicted box and a submitted one of the same label are "the same object"
# from this overlap on; closer than this in every coordinate they are "kept".
SAME_OBJECT_IOU = 0.1
KEPT_TOLERANCE_PX = 0.5


def prediction_of_task(task: Task, prediction_id: int | None) -> Prediction | None:
    """The task's prediction of that id; 400 ``unknown_prediction`` for any other id."""
    if prediction_id is None:
        return None
    prediction = Prediction.objects.filter(pk=prediction_id, task_id=task.pk).first()
    if prediction is None:
        raise DomainError(_("from_prediction is not a prediction of this task."), code="unknown_prediction",
                          field="from_prediction")
    return prediction


def prediction_use_start(*, annotation: Annotation, prediction: Prediction | None) -> None:
    """Remember which prediction the annotation started from (None: started from scratch)."""
    if prediction is None:
        PredictionUse.objects.filter(annotation=annotation).delete()
        return
    PredictionUse.objects.update_or_create(annotation=annotation, defaults={"prediction": prediction})


def boxes_outcome(predicted: list[dict], submitted: list[dict]) -> dict:
    """Kept, moved, added and deleted boxes of a submission against the prediction it started from."""
    pred, final = [as_box(b) for b in predicted], [as_box(b) for b in submitted]
    result = match_boxes(pred, final, threshold=SAME_OBJECT_IOU)
    kept = moved = 0
    ious = [None] * len(pred)
    for i, j, value in result.pairs:
        ious[i] = round(value, 4)
        a, b = pred[i], final[j]
        if all(abs(u - v) <= KEPT_TOLERANCE_PX for u, v in zip(a[1:], b[1:])):
            kept += 1
        else:
            moved += 1
    matched = [value for value in ious if value is not None]
    return {
        "predicted": len(pred), "submitted": len(final), "kept": kept, "moved": moved,
        "added": len(final) - result.matched, "deleted": len(pred) - result.matched,
        "mean_iou": round(sum(matched) / len(matched), 4) if matched else None,
        "iou": ious,
    }


def prediction_use_record(annotation: Annotation, submitted: list[dict]) -> None:
    """On submit: store what changed against the prediction (if the annotation started from one)."""
    use = PredictionUse.objects.filter(annotation=annotation).select_related("prediction").first()
    if use is None:
        return
    with transaction.atomic():
        use.outcome = boxes_outcome(use.prediction.boxes, submitted)
        use.active_seconds = annotation.active_seconds
        use.submitted_at = timezone.now()
        use.save(update_fields=["outcome", "active_seconds", "submitted_at"])
