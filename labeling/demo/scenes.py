"""Deterministic synthetic top-down drone scenes of the Qinghai-Tibet plateau.

The ground is composed in numpy at half resolution (noise is generated on
fixed-size grids, so a seed gives the same layout at any output size), then
upscaled; objects are drawn at full resolution from sprites.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from .sprites import make_sprite, paste_shadow

# Display names: Chinese, and Tibetan in Unicode Tibetan script (sources in README, "Languages").
LABELS: list[dict] = [
    {"name": "yak", "supercategory": "animal", "color": "#8c564b", "hotkey": 1,
     "display_names": {"en": "yak", "zh-hans": "牦牛", "bo": "གཡག"}},
    {"name": "snow_leopard", "supercategory": "animal", "color": "#7f7f7f", "hotkey": 2,
     "display_names": {"en": "snow leopard", "zh-hans": "雪豹", "bo": "གསའ"}},
    {"name": "tibetan_antelope", "supercategory": "animal", "color": "#ff7f0e", "hotkey": 3,
     "display_names": {"en": "Tibetan antelope", "zh-hans": "藏羚羊", "bo": "གཙོད"}},
    {"name": "herder_tent", "supercategory": "structure", "color": "#1f77b4", "hotkey": 4,
     "display_names": {"en": "herder's tent", "zh-hans": "牧民帐篷", "bo": "སྦྲ་ནག"}},
    {"name": "person", "supercategory": "human", "color": "#d62728", "hotkey": 5,
     "display_names": {"en": "person", "zh-hans": "人", "bo": "མི"}},
]

KINDS = ("lake", "shore", "grassland", "snow")
_KIND_WEIGHTS = (0.2, 0.25, 0.35, 0.2)
# Long-axis length in px at 1600x1200 and zoom 1.
_BASE_LENGTH = {"yak": 40, "snow_leopard": 52, "tibetan_antelope": 36, "herder_tent": 50, "person": 20}
# Group kinds per scene kind, with weights.
_GROUPS = {
    "lake": {"yak": 5, "tent": 2, "person": 2, "antelope": 1},
    "shore": {"yak": 5, "tent": 3, "person": 2},
    "grassland": {"yak": 5, "tent": 3, "antelope": 3, "person": 1, "leopard": 0.5},
    "snow": {"leopard": 4, "antelope": 4, "yak": 1.5, "person": 1},
}
_MAX_OBJECTS = 25


@dataclass(frozen=True)
class SceneBox:
    label: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Scene:
    image: Image.Image
    boxes: list[SceneBox]
    kind: str
    water_mask: np.ndarray = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    """Boolean (height, width) array, True on water pixels."""


# ---------------------------------------------------------------- ground
# Colour fields are channel-first (3, h, w) float32 arrays: broadcasting a (h, w)
# weight over the leading axis is several times faster than over a trailing one.
# A ground builder returns (colour field, water mask), both at half resolution.
_Ground = tuple[np.ndarray, np.ndarray]


def _c(*rgb: float) -> np.ndarray:
    return np.array(rgb, dtype=np.float32).reshape(3, 1, 1)


def _mix(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    return a + (b - a) * t


def _smooth(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _fbm(
    rng: np.random.Generator, w: int, h: int, cells: int, octaves: int, gain: float = 0.5, stretch: float = 1.0
) -> np.ndarray:
    """Fractal value noise with zero mean and unit std; ``stretch`` > 1 makes streaks along x."""
    # Sum octaves on a grid just fine enough for the finest one, then upscale once.
    ww = min(w, max(16, cells * 2 ** (octaves - 1) * 4))
    hh = max(2, round(ww * h / w))
    out = np.zeros((hh, ww), np.float32)
    amp = 1.0
    for o in range(octaves):
        cw = max(2, round(cells * 2**o / stretch))
        ch = max(2, round(cells * 2**o * h / w))
        grid = rng.standard_normal((ch, cw), dtype=np.float32)
        out += amp * np.asarray(Image.fromarray(grid).resize((ww, hh), Image.Resampling.BICUBIC))
        amp *= gain
    out = (out - out.mean()) / (out.std() + 1e-6)
    if (ww, hh) != (w, h):
        out = np.asarray(Image.fromarray(out).resize((w, h), Image.Resampling.BILINEAR))
    return out


def _streaks(rng: np.random.Generator, w: int, h: int, cells: int, stretch: float, vertical: bool) -> np.ndarray:
    """Wind streaks along x, or along y when ``vertical``."""
    return _fbm(rng, h, w, cells, 2, stretch=stretch).T if vertical else _fbm(rng, w, h, cells, 2, stretch=stretch)


def _curve(rng: random.Random, w: int, h: int, wiggle: float, n: int = 80) -> np.ndarray:
    """A gently curving path between two image edges, as an (n, 2) array."""
    def edge_point(side: int) -> tuple[float, float]:
        t = rng.uniform(0.1, 0.9)
        return [(t * w, -5), (w + 5, t * h), (t * w, h + 5), (-5, t * h)][side]

    a = rng.randrange(4)
    p0, p3 = np.array(edge_point(a)), np.array(edge_point((a + rng.choice((1, 2, 2, 3))) % 4))
    p1 = np.array((rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h))
    p2 = np.array((rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h))
    t = np.linspace(0, 1, n)[:, None]
    pts = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3
    phase, freq = rng.uniform(0, 6.3), rng.uniform(2, 6)
    return pts + _normals(pts) * (wiggle * np.sin(phase + freq * math.pi * t))


def _normals(pts: np.ndarray) -> np.ndarray:
    tangent = np.gradient(pts, axis=0)
    return np.stack([-tangent[:, 1], tangent[:, 0]], 1) / (np.linalg.norm(tangent, axis=1, keepdims=True) + 1e-6)


def _polyline(d: ImageDraw.ImageDraw, pts: np.ndarray, fill: int, width: int) -> None:
    d.line([tuple(p) for p in pts.tolist()], fill=fill, width=max(1, width), joint="curve")


def _as_float(layer: Image.Image, blur: float = 0.0) -> np.ndarray:
    if blur > 0:
        layer = layer.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(layer, np.float32) / 255


def _ruts(rng: random.Random, w: int, h: int, count: int, unit: float) -> np.ndarray:
    """Vehicle tracks (pairs of ruts) as a soft mask in [0, 1]."""
    layer = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(layer)
    for _ in range(count):
        pts = _curve(rng, w, h, wiggle=rng.uniform(5, 30) * unit)
        gap = rng.uniform(3.0, 4.5) * unit
        for s in (-1, 1):
            _polyline(d, pts + s * gap * _normals(pts), rng.randint(150, 230), round(rng.uniform(1.2, 2.2) * unit))
    return _as_float(layer, 0.8 * unit)


def _grass(nrng: np.random.Generator, w: int, h: int, speckle: np.ndarray) -> np.ndarray:
    patches = _fbm(nrng, w, h, 3, 3)
    col = _mix(_c(88, 102, 54), _c(140, 128, 82), _smooth(-1.2, 1.4, patches))
    col = _mix(col, _c(166, 150, 112), 0.6 * _smooth(1.2, 2.4, _fbm(nrng, w, h, 10, 3)))  # bare soil
    texture = 0.06 * _fbm(nrng, w, h, 24, 3) + 0.06 * _fbm(nrng, w, h, 90, 1) + 0.05 * speckle
    return col * (1 + texture)


def _ground_water(kind: str, rng: random.Random, nrng: np.random.Generator, w: int, h: int, unit: float) -> _Ground:
    """Lake or shore: a wavy shoreline splitting water from beach and steppe."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32) / w
    theta = rng.uniform(0, 2 * math.pi)
    if kind == "lake" and rng.random() < 0.5:
        cx, cy = rng.uniform(-0.3, 1.3), rng.uniform(-0.3, 1.3) * h / w
        s = -np.hypot(xs - cx, ys - cy)
    else:
        s = xs * math.cos(theta) + ys * math.sin(theta)
    s = s + (0.05 if kind == "lake" else 0.08) * _fbm(nrng, w, h, 3, 4, 0.55)
    frac = rng.uniform(0.6, 0.8) if kind == "lake" else rng.uniform(0.4, 0.6)
    d = s - np.quantile(s, 1 - frac)  # > 0 on water, grows with depth
    water = d > 0
    speckle = nrng.standard_normal((h, w), dtype=np.float32)
    streaks = _streaks(nrng, w, h, 50, 5, rng.random() < 0.5)
    ripple = 1 + 0.025 * streaks + 0.025 * _fbm(nrng, w, h, 6, 2) + 0.01 * speckle
    deep = _mix(_c(74, 168, 170), _c(34, 108, 150), _smooth(0.0, 0.12, d))
    deep = _mix(deep, _c(18, 58, 108), _smooth(0.1, 0.45, d)) * ripple
    deep = _mix(_c(150, 150, 126), deep, _smooth(0.0, 0.012, d))  # bottom shows through the shallows
    band = rng.uniform(0.02, 0.05) if kind == "lake" else rng.uniform(0.15, 0.35)
    sand = _mix(_c(204, 190, 156), _c(150, 146, 136), _smooth(-0.5, 1.5, _fbm(nrng, w, h, 8, 3)))
    grain = 0.05 * _fbm(nrng, w, h, 60, 2) + 0.06 * speckle
    sand = sand * (1 + grain + 0.035 * np.sin(-d * 160 + 3 * grain))  # gravel and beach ridges
    sand = _mix(sand, _c(128, 122, 100), 0.7 * _smooth(-0.01, 0.0, d))  # wet margin
    t = _smooth(band * 0.6, band * 1.4, -d + 0.03 * _fbm(nrng, w, h, 12, 2))
    land = _mix(sand, _grass(nrng, w, h, speckle), t)
    ruts = _ruts(rng, w, h, rng.choice((0, 1, 1, 2)), unit) * ~water
    land = _mix(land, _c(176, 160, 124), ruts * 0.8)
    return np.where(water, deep, land), water


def _ground_grassland(rng: random.Random, nrng: np.random.Generator, w: int, h: int, unit: float) -> _Ground:
    col = _grass(nrng, w, h, nrng.standard_normal((h, w), dtype=np.float32))
    col = _mix(col, _c(176, 158, 118), _ruts(rng, w, h, rng.choice((1, 1, 2, 3)), unit) * 0.85)
    dots = Image.new("L", (w, h), 0)
    dd = ImageDraw.Draw(dots)
    for _ in range(rng.randint(20, 200)):  # pika burrows
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.8, 1.5) * unit
        dd.ellipse([x - r, y - r, x + r, y + r], fill=210)
    col = _mix(col, _c(150, 128, 96), _as_float(dots))
    stream = Image.new("L", (w, h), 0)
    if rng.random() < 0.45:
        pts = _curve(rng, w, h, wiggle=rng.uniform(10, 40) * unit, n=600)
        bends = np.linspace(0, rng.uniform(15, 35), len(pts))
        pts = pts + _normals(pts) * (rng.uniform(6, 14) * unit * np.sin(bends + np.sin(bends * 0.37) * 2))[:, None]
        knots = Image.fromarray(nrng.standard_normal((1, 40), dtype=np.float32))
        wobble = np.asarray(knots.resize((len(pts), 1), Image.Resampling.BICUBIC))[0]
        radius = rng.uniform(1.5, 4.0) * unit * np.clip(1 + 0.35 * wobble, 0.4, 2.0)
        sd = ImageDraw.Draw(stream)
        for (x, y), r in zip(pts.tolist(), radius.tolist()):
            sd.ellipse([x - r, y - r, x + r, y + r], fill=255)
    water = np.asarray(stream) > 127
    bank = _as_float(stream, 5 * unit)
    col = _mix(col, _c(58, 90, 46), np.minimum(1, bank * 2.5) * 0.6)  # lush, darker banks
    depth = _as_float(stream, 1.5 * unit)
    river = _mix(_c(128, 134, 118), _c(62, 84, 94), depth) * (1 + 0.06 * _fbm(nrng, w, h, 40, 2))
    return np.where(water, river, col), water


def _ground_snow(rng: random.Random, nrng: np.random.Generator, w: int, h: int, unit: float) -> _Ground:
    speckle = nrng.standard_normal((h, w), dtype=np.float32)
    drift = _fbm(nrng, w, h, 4, 4)
    col = _mix(_c(242, 245, 250), _c(196, 208, 226), _smooth(-1.0, 2.0, drift))
    col = col * (1 + 0.015 * _streaks(nrng, w, h, 60, 4, rng.random() < 0.5) + 0.012 * speckle)  # wind-packed streaks
    fine = _fbm(nrng, w, h, 40, 2)
    rock_t = _fbm(nrng, w, h, 5, 4) + 0.25 * fine
    rock_col = _mix(_c(88, 82, 76), _c(138, 130, 120), _smooth(-1.2, 1.2, fine)) * (1 + 0.08 * speckle)
    rock_col = _mix(rock_col, _c(226, 230, 238), _smooth(1.0, 1.8, fine))  # snow-dusted ledges
    col = _mix(col, rock_col, _smooth(rng.uniform(1.4, 2.1), 2.3, rock_t) ** 0.3)
    layer = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(layer)
    for _ in range(rng.randint(4, 40)):  # boulders
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, 7) * unit
        corners = []
        for a in np.linspace(0, 2 * math.pi, 8)[:-1]:
            px = x + r * rng.uniform(0.6, 1.1) * math.cos(a)
            corners.append((px, y + r * rng.uniform(0.6, 1.1) * math.sin(a)))
        d.polygon(corners, fill=255)
    boulders = _as_float(layer, 0.4 * unit)
    shadow = np.roll(boulders, (round(2 * unit), round(2 * unit)), (0, 1))
    col = _mix(col, _c(160, 172, 198), shadow * 0.6)
    col = _mix(col, _c(104, 98, 92) * (1 + 0.1 * fine + 0.1 * speckle), boulders)
    trail = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(trail)
    for _ in range(rng.randint(1, 4)):  # animal trails: staggered paw prints
        pts = _curve(rng, w, h, wiggle=rng.uniform(5, 25) * unit, n=500)
        pts = pts[:: rng.randint(2, 4)]
        pts = pts + _normals(pts) * 0.9 * unit * (np.arange(len(pts)) % 2 * 2 - 1)[:, None]
        r = 0.7 * unit
        for x, y in pts.tolist():
            x, y = x + rng.uniform(-0.3, 0.3) * unit, y + rng.uniform(-0.3, 0.3) * unit
            d.ellipse([x - r, y - r, x + r, y + r], fill=rng.randint(80, 150))
    col = _mix(col, _c(150, 164, 192), _as_float(trail, 0.4 * unit))
    col = _mix(col, _c(178, 190, 212), _ruts(rng, w, h, rng.choice((0, 0, 1)), unit) * 0.7)
    return col, np.zeros((h, w), bool)


# ---------------------------------------------------------------- objects


@dataclass
class _Placed:
    label: str
    sprite: Image.Image
    left: int
    top: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1, clipped


def _overlaps(box: tuple[float, float, float, float], placed: list[_Placed]) -> bool:
    area = (box[2] - box[0]) * (box[3] - box[1])
    for p in placed:
        ix = min(box[2], p.box[2]) - max(box[0], p.box[0])
        iy = min(box[3], p.box[3]) - max(box[1], p.box[1])
        other = (p.box[2] - p.box[0]) * (p.box[3] - p.box[1])
        if ix > 0 and iy > 0 and ix * iy > 0.2 * min(area, other):
            return True
    return False


def _populate(
    rng: random.Random, kind: str, on_land: Callable[[float, float], bool], W: int, H: int, zoom: float
) -> list[_Placed]:
    """Place herds, camps and loners on land until the scene's object budget is used."""
    placed: list[_Placed] = []
    if rng.random() < 0.05:
        return placed
    target = rng.randint(*{"lake": (1, 10), "shore": (2, 20), "grassland": (3, 25), "snow": (1, 10)}[kind])

    def place(label: str, x: float, y: float, heading: float) -> bool:
        if len(placed) >= _MAX_OBJECTS:
            return False
        length = _BASE_LENGTH[label] * zoom * rng.uniform(0.85, 1.15)
        r = 0.45 * length
        if not all(on_land(x + dx, y + dy) for dx, dy in ((0, 0), (r, 0), (-r, 0), (0, r), (0, -r))):
            return False
        sprite = make_sprite(label, length, math.degrees(heading), rng)
        bbox = sprite.getchannel("A").point(lambda a: 255 if a > 40 else 0).getbbox()
        if bbox is None:
            return False
        left, top = round(x - sprite.width / 2), round(y - sprite.height / 2)
        x0, y0 = float(max(0, left + bbox[0])), float(max(0, top + bbox[1]))
        box = (x0, y0, float(min(W, left + bbox[2])), float(min(H, top + bbox[3])))
        if box[2] - box[0] < 4 or box[3] - box[1] < 4 or _overlaps(box, placed):
            return False
        placed.append(_Placed(label, sprite, left, top, box))
        return True

    def anchor() -> tuple[float, float] | None:
        for _ in range(40):
            x, y = rng.uniform(0, W), rng.uniform(0, H)
            if on_land(x, y):
                return x, y
        return None

    def herd(label: str, n: int, spread: float) -> None:
        if (a := anchor()) is None:
            return
        heading = rng.uniform(0, 2 * math.pi)
        for _ in range(n * 3):
            if n <= 0:
                break
            x, y = a[0] + rng.gauss(0, spread), a[1] + rng.gauss(0, spread)
            n -= place(label, x, y, heading + rng.gauss(0, 0.7))

    groups = list(_GROUPS[kind])
    weights = list(_GROUPS[kind].values())
    for _ in range(30):
        if len(placed) >= target:
            break
        g = rng.choices(groups, weights)[0]
        if g == "yak":
            herd("yak", rng.randint(2, 9), _BASE_LENGTH["yak"] * zoom * rng.uniform(1.2, 3.0))
        elif g == "antelope":
            herd("tibetan_antelope", rng.randint(1, 7), _BASE_LENGTH["tibetan_antelope"] * zoom * rng.uniform(1.5, 3.5))
        elif g == "leopard":
            herd("snow_leopard", rng.choice((1, 1, 1, 2, 3)), _BASE_LENGTH["snow_leopard"] * zoom * 1.5)
        elif g == "person":
            herd("person", rng.choice((1, 1, 2, 3)), _BASE_LENGTH["person"] * zoom * 2)
        elif (a := anchor()) is not None and place("herder_tent", a[0], a[1], rng.uniform(0, 2 * math.pi)):
            reach = _BASE_LENGTH["herder_tent"] * zoom
            for label, n in (("yak", rng.choice((0, 2, 3, 5))), ("person", rng.choice((0, 1, 1, 2)))):
                for _ in range(n * 3):
                    ang, dist = rng.uniform(0, 2 * math.pi), reach * rng.uniform(0.8, 2.2)
                    x, y = a[0] + dist * math.cos(ang), a[1] + dist * math.sin(ang)
                    n -= place(label, x, y, rng.uniform(0, 2 * math.pi))
                    if n <= 0:
                        break
    return placed


# ---------------------------------------------------------------- scene


def render_scene(seed: int, width: int = 1600, height: int = 1200) -> Scene:
    """Render the synthetic scene for ``seed``; identical output for identical arguments."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(abs(seed))  # random.Random also ignores the sign
    kind = rng.choices(KINDS, _KIND_WEIGHTS)[0]
    w2, h2 = max(8, (width + 1) // 2), max(8, (height + 1) // 2)
    unit = w2 / 800  # half-res pixels per detail unit, so features scale with the image
    if kind in ("lake", "shore"):
        col, water = _ground_water(kind, rng, nrng, w2, h2, unit)
    elif kind == "grassland":
        col, water = _ground_grassland(rng, nrng, w2, h2, unit)
    else:
        col, water = _ground_snow(rng, nrng, w2, h2, unit)

    ys, xs = np.ogrid[-1:1:h2 * 1j, -1:1:w2 * 1j]
    col = col * _c(*(rng.uniform(0.96, 1.04) for _ in range(3)))  # white balance
    col = np.clip(col * (1 - 0.06 * (xs**2 + ys**2)), 0, 255).astype(np.uint8)  # lens vignette
    ground = Image.merge("RGB", [Image.fromarray(ch) for ch in col]).resize((width, height), Image.Resampling.BILINEAR)
    water_mask = water.repeat(2, 0).repeat(2, 1)[:height, :width]
    # Grow the water by a half-res pixel so the interpolated shoreline never counts as land.
    wet = water.copy()
    wet[1:] |= water[:-1]
    wet[:-1] |= water[1:]
    wet[:, 1:] |= water[:, :-1]
    wet[:, :-1] |= water[:, 1:]

    def on_land(x: float, y: float) -> bool:
        return 0 <= x < width and 0 <= y < height and not wet[int(y) // 2, int(x) // 2]

    zoom = rng.uniform(0.7, 1.4) * math.sqrt(width * height / (1600 * 1200))
    placed = _populate(rng, kind, on_land, width, height, zoom)
    sun = rng.uniform(0, 2 * math.pi)
    for p in placed:
        paste_shadow(ground, p.sprite, (p.left, p.top), p.label, sun)
    for p in placed:
        ground.paste(p.sprite, (p.left, p.top), p.sprite)

    grain = Image.fromarray(nrng.integers(0, 11, size=(height, width), dtype=np.uint8))
    image = ImageChops.add(ground, Image.merge("RGB", (grain, grain, grain)), offset=-5)  # sensor noise
    boxes = [SceneBox(p.label, p.box[0], p.box[1], p.box[2] - p.box[0], p.box[3] - p.box[1]) for p in placed]
    return Scene(image=image, boxes=boxes, kind=kind, water_mask=water_mask)
