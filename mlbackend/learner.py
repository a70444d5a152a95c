"""A small CPU-only detector that learns from boxes: pixel classes, then regions.

Training: every pixel gets a feature vector (colour, its difference from the
blurred ground around it, local contrast, edge strength), computed at half
resolution. Pixels in the middle of each accepted box are samples of its
label; pixels outside every box are background. Gaussians
(mean and shrunk covariance: quadratic discriminant analysis) are fitted to
the samples (a few k-means clusters per class, since the ground of a lake
shore and of a snow field differ more than a yak differs from either), and
each class learns its typical box size and how much larger its boxes are than
the pixels it finds.

Prediction: each pixel's class posterior; pixels more likely object than
ground form connected regions; each region becomes a box of its most likely
class, grown by that class's learned margin, scored by its mean posterior.
Regions far smaller than anything seen in training are dropped.

The more boxes it sees, the better its class statistics and size model, so
its mAP on unseen scenes rises with training data (bench/mlbackend_learning.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

SCALE = 2  # features are computed at 1/SCALE resolution
MAX_SAMPLES_PER_BOX = 60
BACKGROUND_SAMPLES_PER_IMAGE = 3000
SHRINK = 0.1  # covariance shrinkage toward the diagonal
BACKGROUND_CLUSTERS, OBJECT_CLUSTERS = 6, 2


def features(rgb: np.ndarray) -> np.ndarray:
    """(h, w, 8) features of an (H, W, 3) uint8 image at 1/SCALE resolution."""
    h, w = rgb.shape[0] // SCALE, rgb.shape[1] // SCALE
    small = rgb[: h * SCALE, : w * SCALE].reshape(h, SCALE, w, SCALE, 3).mean(axis=(1, 3)) / 255.0
    ground = np.stack([ndimage.gaussian_filter(small[..., c], 10) for c in range(3)], axis=-1)
    diff = small - ground
    gray = small.mean(axis=-1)
    mean = ndimage.uniform_filter(gray, 5)
    contrast = np.sqrt(np.clip(ndimage.uniform_filter(gray ** 2, 5) - mean ** 2, 0, None))
    edges = np.hypot(ndimage.sobel(gray, 0), ndimage.sobel(gray, 1))
    return np.concatenate([small, diff, contrast[..., None], edges[..., None]], axis=-1).astype(np.float64)


def _inner(box: dict, shape: tuple[int, int]) -> tuple[slice, slice]:
    """The middle half of a box, in feature-grid cells (at least one cell)."""
    x0, y0 = box["x"] / SCALE, box["y"] / SCALE
    w, h = box["width"] / SCALE, box["height"] / SCALE
    cx, cy = x0 + w / 2, y0 + h / 2
    xs = slice(max(int(cx - w / 4), 0), min(max(int(cx + w / 4), int(cx) + 1), shape[1]))
    ys = slice(max(int(cy - h / 4), 0), min(max(int(cy + h / 4), int(cy) + 1), shape[0]))
    return ys, xs


def samples(rgb: np.ndarray, boxes: list[dict], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Feature rows per label (and ``"_background"``) from one image and its boxes."""
    feats = features(rgb)
    shape = feats.shape[:2]
    out: dict[str, list[np.ndarray]] = {}
    covered = np.zeros(shape, dtype=bool)
    for box in boxes:
        x0, y0 = int(box["x"] // SCALE), int(box["y"] // SCALE)
        x1 = int(np.ceil((box["x"] + box["width"]) / SCALE))
        y1 = int(np.ceil((box["y"] + box["height"]) / SCALE))
        covered[max(y0 - 2, 0): y1 + 2, max(x0 - 2, 0): x1 + 2] = True
        ys, xs = _inner(box, shape)
        rows = feats[ys, xs].reshape(-1, feats.shape[-1])
        if len(rows) > MAX_SAMPLES_PER_BOX:
            rows = rows[rng.choice(len(rows), MAX_SAMPLES_PER_BOX, replace=False)]
        out.setdefault(box["label"], []).append(rows)
    free = np.flatnonzero(~covered.ravel())
    if free.size:
        pick = rng.choice(free, min(BACKGROUND_SAMPLES_PER_IMAGE, free.size), replace=False)
        out.setdefault("_background", []).append(feats.reshape(-1, feats.shape[-1])[pick])
    return {label: np.concatenate(rows) for label, rows in out.items()}


@dataclass
class Model:
    labels: list[str] = field(default_factory=list)  # index 0 is "_background"
    means: np.ndarray | None = None
    inv_covs: np.ndarray | None = None
    log_dets: np.ndarray | None = None
    log_priors: np.ndarray | None = None
    min_area: dict[str, float] = field(default_factory=dict)  # in full-resolution pixels
    grow: dict[str, float] = field(default_factory=dict)  # box side / region side

    @property
    def classes(self) -> list[str]:
        """Distinct labels, "_background" first (a class may have several Gaussian components)."""
        return list(dict.fromkeys(self.labels))

    @property
    def trained(self) -> bool:
        return self.means is not None and len(self.classes) > 1

    def posteriors(self, feats: np.ndarray) -> np.ndarray:
        flat = feats.reshape(-1, feats.shape[-1])
        scores = []
        for k in range(len(self.labels)):
            d = flat - self.means[k]
            mahal = np.einsum("ij,jk,ik->i", d, self.inv_covs[k], d)
            scores.append(-0.5 * (mahal + self.log_dets[k]) + self.log_priors[k])
        s = np.stack(scores, axis=-1)
        s -= s.max(axis=-1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=-1, keepdims=True)
        # Components of one class (its clusters) add up to that class's posterior.
        names = self.classes
        index = np.array([names.index(label) for label in self.labels])
        summed = np.zeros((p.shape[0], len(names)))
        for k, j in enumerate(index):
            summed[:, j] += p[:, k]
        return summed.reshape(*feats.shape[:2], len(names))

    def regions(self, feats: np.ndarray) -> list[tuple[str, float, float, float, float, float]]:
        """(label, score, x, y, w, h) in feature cells of each object-like region."""
        post = self.posteriors(feats)
        objectness = ndimage.uniform_filter(1.0 - post[..., 0], 3)
        mask = objectness > 0.5
        found = []
        labeled, count = ndimage.label(mask)
        for index, where in enumerate(ndimage.find_objects(labeled), start=1):
            if where is None:
                continue
            inside = labeled[where] == index
            class_mass = post[where][inside][:, 1:].sum(axis=0)
            k = int(class_mass.argmax())
            score = float(objectness[where][inside].mean() * class_mass[k] / max(class_mass.sum(), 1e-9))
            ys, xs = where
            found.append((self.classes[k + 1], score, xs.start, ys.start, xs.stop - xs.start, ys.stop - ys.start))
        return found

    def predict(self, rgb: np.ndarray) -> list[dict]:
        if not self.trained:
            return []
        height, width = rgb.shape[:2]
        out = []
        for label, score, x, y, w, h in self.regions(features(rgb)):
            grow = self.grow.get(label, 1.0)
            bw, bh = w * SCALE * grow, h * SCALE * grow
            if bw * bh < self.min_area.get(label, 0.0):
                continue
            cx, cy = (x + w / 2) * SCALE, (y + h / 2) * SCALE
            x0, y0 = max(cx - bw / 2, 0.0), max(cy - bh / 2, 0.0)
            x1, y1 = min(cx + bw / 2, float(width)), min(cy + bh / 2, float(height))
            if x1 - x0 >= 1 and y1 - y0 >= 1:
                out.append({"label": label, "x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0,
                            "score": round(min(max(score, 0.0), 1.0), 4)})
        return out


def _clusters(rows: np.ndarray, k: int, seed: int = 0) -> list[np.ndarray]:
    """Split samples into up to k groups (k-means): grounds and objects look different from scene to scene."""
    if k <= 1 or len(rows) < k * 40:
        return [rows]
    from scipy.cluster.vq import kmeans2

    scale = rows.std(axis=0) + 1e-9
    _, assign = kmeans2(rows / scale, k, seed=seed, minit="++")
    return [rows[assign == j] for j in range(k) if (assign == j).sum() >= 20]


def fit(per_label: dict[str, np.ndarray], box_areas: dict[str, list[float]]) -> Model:
    """Fit a Gaussian per cluster of each class, and the size limits (``grow`` is fitted by :func:`calibrate`)."""
    names = sorted(label for label in per_label if label != "_background")
    if "_background" not in per_label or not names:
        return Model()
    dims = per_label["_background"].shape[1]
    total = sum(len(rows) for rows in per_label.values())
    labels, means, inv_covs, log_dets, log_priors = [], [], [], [], []
    for label in ["_background"] + names:
        rows_all = per_label[label]
        k = BACKGROUND_CLUSTERS if label == "_background" else OBJECT_CLUSTERS
        for rows in _clusters(rows_all, k):
            mean = rows.mean(axis=0)
            cov = np.cov(rows, rowvar=False) if len(rows) > 1 else np.eye(dims) * 1e-2
            cov = (1 - SHRINK) * cov + SHRINK * np.diag(np.diag(cov)) + np.eye(dims) * 1e-4
            _sign, log_det = np.linalg.slogdet(cov)
            labels.append(label)
            means.append(mean)
            inv_covs.append(np.linalg.inv(cov))
            log_dets.append(log_det)
            log_priors.append(np.log(len(rows) / total))
    min_area = {label: 0.3 * min(areas) for label, areas in box_areas.items() if areas}
    return Model(labels, np.array(means), np.array(inv_covs), np.array(log_dets), np.array(log_priors), min_area)


def calibrate(model: Model, images: list[tuple[np.ndarray, list[dict]]]) -> Model:
    """Learn per class how much larger a box is than the region found for it (median over matches)."""
    ratios: dict[str, list[float]] = {}
    for rgb, boxes in images:
        for label, _score, x, y, w, h in model.regions(features(rgb)):
            cx, cy = (x + w / 2) * SCALE, (y + h / 2) * SCALE
            for box in boxes:
                if box["label"] == label and box["x"] <= cx <= box["x"] + box["width"] \
                        and box["y"] <= cy <= box["y"] + box["height"]:
                    side = np.sqrt(box["width"] * box["height"]) / max(np.sqrt(w * h) * SCALE, 1.0)
                    ratios.setdefault(label, []).append(float(side))
                    break
    model.grow = {label: float(np.clip(np.median(values), 0.5, 3.0)) for label, values in ratios.items()}
    return model
