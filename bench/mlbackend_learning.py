"""Does the reference backend's learner get better with more accepted boxes?

Trains mlbackend's learner on the first N demo scenes (their true boxes stand
in for accepted annotations) and scores it with COCOeval on held-out scenes
it never saw (different seeds). Prints JSON: mAP@0.5 and mAP@[.5:.95] per N.

    .venv/bin/python bench/mlbackend_learning.py [--sizes 1,2,4,8,16] [--test 12] [--width 1600 --height 1200]
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labeling.demo.scenes import LABELS, render_scene  # noqa: E402
from labeling.predictions.evaluate import evaluate  # noqa: E402
from mlbackend.learner import calibrate, fit, samples  # noqa: E402

TRAIN_SEEDS, TEST_SEEDS = 1000, 9000


def scene(seed: int, width: int, height: int) -> tuple[np.ndarray, list[dict]]:
    rendered = render_scene(seed, width, height)
    boxes = [{"label": b.label, "x": b.x, "y": b.y, "width": b.width, "height": b.height} for b in rendered.boxes]
    return np.asarray(rendered.image.convert("RGB")), boxes


def train(images, seed: int = 0):
    rng = np.random.default_rng(seed)
    per_label: dict[str, list[np.ndarray]] = {}
    areas: dict[str, list[float]] = {}
    for rgb, boxes in images:
        for label, rows in samples(rgb, boxes, rng).items():
            per_label.setdefault(label, []).append(rows)
        for box in boxes:
            areas.setdefault(box["label"], []).append(box["width"] * box["height"])
    model = fit({k: np.concatenate(v) for k, v in per_label.items()}, areas)
    return calibrate(model, images)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,2,4,8,16")
    parser.add_argument("--test", type=int, default=12)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pool = [scene(TRAIN_SEEDS + i, args.width, args.height) for i in range(max(sizes))]
    held_out = [scene(TEST_SEEDS + i, args.width, args.height) for i in range(args.test)]
    categories = [label["name"] for label in LABELS]
    rows = []
    for n in sizes:
        started = time.perf_counter()
        model = train(pool[:n])
        trained = time.perf_counter() - started
        started = time.perf_counter()
        images = [{"width": args.width, "height": args.height, "reference": boxes, "predicted": model.predict(rgb)}
                  for rgb, boxes in held_out]
        predict_s = (time.perf_counter() - started) / len(held_out)
        scores = evaluate(images, categories)
        rows.append({"train_scenes": n, "train_boxes": sum(len(b) for _, b in pool[:n]),
                     "map50": scores["map50"], "map": scores["map"], "train_seconds": round(trained, 2),
                     "predict_seconds_per_image": round(predict_s, 3),
                     "ap50_per_class": {k: v["ap50"] for k, v in scores["per_class"].items()}})
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(json.dumps({"benchmark": "mlbackend_learning", "width": args.width, "height": args.height,
                      "held_out_scenes": args.test, "results": rows}, indent=2))


if __name__ == "__main__":
    main()
