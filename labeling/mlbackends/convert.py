"""Between our tasks and Label Studio's shapes: label config, tasks, results, annotations.

LS rectangles are in percent of the image (top-left corner, width, height,
0-100) with the image's ``original_width``/``original_height`` beside them;
ours are in original-image pixels.
"""

import math
from xml.sax.saxutils import quoteattr

from django.utils.translation import gettext as _

from labeling.boxes import InvalidBoxes
from labeling.predictions.store import TaskFrame, clean_prediction_boxes

FROM_NAME, TO_NAME = "label", "image"
# Float noise of percent arithmetic; beyond it a percentage over 100 is an error.
PERCENT_TOLERANCE = 1e-6


class ResultError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def label_config(label_names: list[str]) -> str:
    """A ``RectangleLabels`` labeling config of the project's labels."""
    labels = "".join(f"\n    <Label value={quoteattr(name)}/>" for name in label_names)
    return (f'<View>\n  <Image name="{TO_NAME}" value="$image"/>\n'
            f'  <RectangleLabels name="{FROM_NAME}" toName="{TO_NAME}">{labels}\n  </RectangleLabels>\n</View>')


def ls_project(project) -> str:
    """LS's ``project`` string: ``"<id>.<created timestamp>"``."""
    return f"{project.pk}.{int(project.created_at.timestamp())}"


def ls_task(task_id: int, image_url: str) -> dict:
    return {"id": task_id, "data": {"image": image_url}}


def ls_region(box: dict, width: int, height: int, index: int) -> dict:
    """One of our boxes as an LS rectanglelabels region."""
    return {
        "id": f"r{index}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "rectanglelabels",
        "original_width": width, "original_height": height, "image_rotation": 0,
        "value": {"x": box["x"] * 100 / width, "y": box["y"] * 100 / height,
                  "width": box["width"] * 100 / width, "height": box["height"] * 100 / height,
                  "rotation": 0, "rectanglelabels": [box["label"]]},
    }


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _percent(value, key: str) -> float:
    if not _finite(value):
        raise ResultError(_("value.%(key)s is not a number.") % {"key": key}, "bad_result")
    if value < -PERCENT_TOLERANCE or value > 100 + PERCENT_TOLERANCE:
        raise ResultError(_("value.%(key)s is %(v)s, outside 0-100 percent.") % {"key": key, "v": value},
                          "percent_out_of_range")
    return min(max(float(value), 0.0), 100.0)


def _region_box(region: dict, frame: TaskFrame) -> dict | None:
    if not isinstance(region, dict):
        raise ResultError(_("A result region is not an object."), "bad_result")
    if str(region.get("type", "")).lower() != "rectanglelabels":
        return None  # another control (choices, text...): not ours to read
    value = region.get("value")
    if not isinstance(value, dict):
        raise ResultError(_("A region has no value object."), "bad_result")
    if _finite(value.get("rotation")) and abs(value["rotation"]) > 1e-6:
        raise ResultError(_("Rotated rectangles cannot be stored."), "rotated_box")
    for key, ours in (("original_width", frame.width), ("original_height", frame.height)):
        if region.get(key) is not None and region.get(key) != ours:
            raise ResultError(_("%(key)s is %(v)s, the image has %(ours)s.")
                              % {"key": key, "v": region.get(key), "ours": ours}, "size_mismatch")
    labels = value.get("rectanglelabels")
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        raise ResultError(_("A region needs exactly one label in rectanglelabels."), "bad_result")
    x, y, w, h = (_percent(value.get(key), key) for key in ("x", "y", "width", "height"))
    if x + w > 100 + PERCENT_TOLERANCE or y + h > 100 + PERCENT_TOLERANCE:
        raise ResultError(_("A box leaves the image (x + width or y + height over 100 percent)."),
                          "box_outside_image")
    box = {"label": labels[0], "x": x * frame.width / 100, "y": y * frame.height / 100,
           "width": w * frame.width / 100, "height": h * frame.height / 100}
    if region.get("score") is not None:
        if not _finite(region["score"]) or not 0 <= region["score"] <= 1:
            raise ResultError(_("A region's score is not a number from 0 to 1."), "bad_score")
        box["score"] = float(region["score"])
    return box


def prediction_from_result(result, frame: TaskFrame, fallback_version: str) -> tuple[list[dict], float | None, str]:
    """One task's LS prediction → (boxes in pixels, task score, model version), or ResultError."""
    if isinstance(result, list):  # some backends answer the regions alone
        result = {"result": result}
    if not isinstance(result, dict) or not isinstance(result.get("result"), list):
        raise ResultError(_("A task's prediction has no result list."), "bad_result")
    boxes = [box for box in (_region_box(region, frame) for region in result["result"]) if box is not None]
    try:
        boxes = clean_prediction_boxes(frame, boxes)
    except InvalidBoxes as exc:
        raise ResultError(str(exc.detail), exc.code) from None
    score = result.get("score")
    if score is not None and (not _finite(score) or not 0 <= score <= 1):
        raise ResultError(_("The prediction's score is not a number from 0 to 1."), "bad_score")
    version = result.get("model_version") or fallback_version
    if not isinstance(version, str) or not version.strip():
        raise ResultError(_("The prediction has no model_version."), "no_model_version")
    return boxes, None if score is None else float(score), version.strip()[:200]
