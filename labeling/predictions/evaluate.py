"""Detection quality of predicted boxes against reference boxes, with pycocotools' COCOeval.

Pure functions over plain dicts: ``evaluate(images, categories)`` where each
image has its reference boxes and predicted boxes (with scores) in pixels.
"""

import contextlib
import io

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def _coco(images: list[dict], categories: list[str]) -> tuple[COCO, list[dict]]:
    cat_ids = {name: i for i, name in enumerate(categories, start=1)}
    gt = {"images": [], "annotations": [], "categories": [{"id": i, "name": n} for n, i in cat_ids.items()]}
    dets = []
    for image_id, image in enumerate(images, start=1):
        gt["images"].append({"id": image_id, "width": image["width"], "height": image["height"]})
        for box in image["reference"]:
            gt["annotations"].append({
                "id": len(gt["annotations"]) + 1, "image_id": image_id, "category_id": cat_ids[box["label"]],
                "bbox": [box["x"], box["y"], box["width"], box["height"]],
                "area": box["width"] * box["height"], "iscrowd": 0,
            })
        for box in image["predicted"]:
            if box["label"] in cat_ids:
                dets.append({"image_id": image_id, "category_id": cat_ids[box["label"]],
                             "bbox": [box["x"], box["y"], box["width"], box["height"]],
                             "score": float(box.get("score", 1.0))})
    coco = COCO()
    coco.dataset = gt
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco, dets


def _ap(precision: np.ndarray) -> float | None:
    valid = precision[precision > -1]
    return round(float(valid.mean()), 4) if valid.size else None


def evaluate(images: list[dict], categories: list[str]) -> dict:
    """mAP@0.5, mAP@[.5:.95] and per-class AP; None where there is nothing to measure."""
    empty = {"map50": None, "map": None, "per_class": {name: {"ap50": None, "ap": None} for name in categories},
             "images": len(images), "reference_boxes": sum(len(i["reference"]) for i in images),
             "predicted_boxes": sum(len(i["predicted"]) for i in images)}
    if not images or not empty["reference_boxes"]:
        return empty
    coco, dets = _coco(images, categories)
    if not dets:
        # Nothing predicted where there was something to find: every AP is 0.
        zero = {name: {"ap50": 0.0, "ap": 0.0} for name in categories}
        return {**empty, "map50": 0.0, "map": 0.0, "per_class": zero}
    with contextlib.redirect_stdout(io.StringIO()):
        found = coco.loadRes(dets)
        run = COCOeval(coco, found, "bbox")
        run.params.maxDets = [1, 10, 100]
        run.evaluate()
        run.accumulate()
        run.summarize()
    precision = run.eval["precision"]  # [iou thresholds, recall, classes, areas, max dets]
    per_class = {}
    for k, name in enumerate(categories):
        per_class[name] = {"ap50": _ap(precision[0, :, k, 0, -1]), "ap": _ap(precision[:, :, k, 0, -1])}
    stats = [None if value < 0 else round(float(value), 4) for value in run.stats[:2]]
    return {**empty, "map": stats[0], "map50": stats[1], "per_class": per_class}
