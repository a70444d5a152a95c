"""The reference backend's memory: training samples per task, and the current model with its version.

Samples of a task are replaced when the task's annotation comes again, so a
full ``START_TRAINING`` event and single ``ANNOTATION_*`` events both leave
one set of samples per task; every training refits on all of them. The model
version names how many tasks it learned from and a digest of what they were.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from pathlib import Path

import numpy as np

from mlbackend.learner import Model, calibrate, fit, samples

UNTRAINED = "reference-untrained"


class ModelStore:
    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._model: Model | None = None
        self._version = UNTRAINED
        self._samples: dict[str, dict] = {}
        state = self.dir / "state.pickle"
        if state.exists():
            with state.open("rb") as f:
                self._model, self._version, self._samples = pickle.load(f)

    def current(self) -> tuple[Model | None, str]:
        with self._lock:
            return self._model, self._version

    def train(self, items: list[tuple[object, np.ndarray, list[dict]]]) -> str:
        """Learn from (task id, image, boxes) items plus every task learned before; the new version."""
        rng = np.random.default_rng(len(self._samples) + len(items))
        for task_id, rgb, boxes in items:
            self._samples[str(task_id)] = {
                "rows": samples(rgb, boxes, rng),
                "areas": [(b["label"], b["width"] * b["height"]) for b in boxes],
                "digest": hashlib.sha256(json.dumps(boxes, sort_keys=True).encode()).hexdigest(),
            }
        per_label: dict[str, list[np.ndarray]] = {}
        areas: dict[str, list[float]] = {}
        for sample in self._samples.values():
            for label, rows in sample["rows"].items():
                per_label.setdefault(label, []).append(rows)
            for label, area in sample["areas"]:
                areas.setdefault(label, []).append(area)
        model = fit({k: np.concatenate(v) for k, v in per_label.items()}, areas)
        if model.trained:
            model = calibrate(model, [(rgb, boxes) for _, rgb, boxes in items])
        digest = hashlib.sha256("".join(sorted(s["digest"] + k for k, s in self._samples.items())).encode())
        version = f"reference-{len(self._samples)}tasks-{digest.hexdigest()[:8]}" if model.trained else UNTRAINED
        with self._lock:
            self._model, self._version = (model if model.trained else None), version
            with (self.dir / "state.pickle.tmp").open("wb") as f:
                pickle.dump((self._model, self._version, self._samples), f)
            (self.dir / "state.pickle.tmp").replace(self.dir / "state.pickle")
        return version
