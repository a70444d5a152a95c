"""Validation of submitted bounding boxes: pure functions, no database.

Boxes arrive as ``{"label": name, "x", "y", "width", "height"}`` in
original-image pixels (top-left corner). A client's rounding may push an edge
up to one pixel outside the image; such boxes are clamped. Anything further
out is refused rather than silently cropped, because it means the client and
the server disagree about the image.
"""

import math
from dataclasses import dataclass
from typing import Any

from config.errors import DomainError

EDGE_TOLERANCE_PX = 1.0
BOX_KEYS = frozenset({"label", "x", "y", "width", "height"})
NUMBER_KEYS = ("x", "y", "width", "height")


@dataclass(frozen=True)
class CleanBox:
    label_id: int
    label: str
    x: float
    y: float
    width: float
    height: float

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "x": self.x, "y": self.y, "width": self.width, "height": self.height}


class InvalidBoxes(DomainError):
    default_code = "invalid_boxes"


def _number(value: Any, *, where: str, name: str) -> float:
    # bool is an int subclass; True as a coordinate is a client bug.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidBoxes(f"{name} must be a number.", code="invalid_number", field=where)
    number = float(value)
    if not math.isfinite(number):
        raise InvalidBoxes(f"{name} must be a finite number.", code="invalid_number", field=where)
    return number


def _clamp_axis(start: float, size: float, limit: int, *, where: str, name: str) -> tuple[float, float]:
    """Clamp [start, start+size] into [0, limit] if it overshoots by <= 1 px."""
    end = start + size
    if start < -EDGE_TOLERANCE_PX or end > limit + EDGE_TOLERANCE_PX:
        raise InvalidBoxes(f"{name} lies outside the image.", code="box_outside_image", field=where)
    start, end = max(start, 0.0), min(end, float(limit))
    if end - start <= 0:
        raise InvalidBoxes(f"{name} lies outside the image.", code="box_outside_image", field=where)
    return start, end - start


def validate_boxes(
    raw: Any, *, label_ids: dict[str, int], image_width: int, image_height: int, max_boxes: int
) -> list[CleanBox]:
    """Return the boxes checked and clamped, or raise :class:`InvalidBoxes`.

    ``label_ids`` maps the names of the project's label classes to their ids;
    any other label (including another project's) is refused.
    """
    if not isinstance(raw, list):
        raise InvalidBoxes("boxes must be a list.", field="boxes")
    if len(raw) > max_boxes:
        raise InvalidBoxes(
            f"At most {max_boxes} boxes per image in this project; got {len(raw)}.",
            code="too_many_boxes",
            field="boxes",
        )
    clean: list[CleanBox] = []
    for index, box in enumerate(raw):
        # `field` names the list index; messages count boxes from 1, as the tool's box list does.
        where = f"boxes[{index}]"
        name = f"Box {index + 1}"
        if not isinstance(box, dict):
            raise InvalidBoxes(f"{name} must be an object.", field=where)
        if set(box) != BOX_KEYS:
            missing, unknown = sorted(BOX_KEYS - set(box)), sorted(set(box) - BOX_KEYS)
            raise InvalidBoxes(
                f"{name} needs exactly label, x, y, width, height"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
                + ".",
                field=where,
            )
        label = box["label"]
        if not isinstance(label, str) or label not in label_ids:
            raise InvalidBoxes(f"{name}: its label is not a label of this project.", code="unknown_label", field=f"{where}.label")
        x, y, width, height = (_number(box[key], where=f"{where}.{key}", name=f"{name}: {key}") for key in NUMBER_KEYS)
        if width <= 0 or height <= 0:
            raise InvalidBoxes(f"{name} needs a width and height above 0.", code="invalid_size", field=where)
        x, width = _clamp_axis(x, width, image_width, where=where, name=name)
        y, height = _clamp_axis(y, height, image_height, where=where, name=name)
        clean.append(CleanBox(label_ids[label], label, x, y, width, height))
    return clean
