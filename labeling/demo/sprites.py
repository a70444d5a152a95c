"""Top-down sprites of plateau animals, tents and people.

Every sprite is drawn facing +x on a transparent canvas at 2-3x supersampling,
then reduced and rotated in premultiplied alpha (``RGBa``) so that the
antialiased edges do not pick up dark fringes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

Color = tuple[int, int, int]
_Draw = Callable[[ImageDraw.ImageDraw, float, float, float, random.Random], None]


def _rgba(c: Color, a: int = 255) -> tuple[int, int, int, int]:
    return (c[0], c[1], c[2], a)


def _shade(c: Color, f: float) -> Color:
    return tuple(max(0, min(255, round(v * f))) for v in c)  # type: ignore[return-value]


def _jitter(c: Color, rng: random.Random, amount: int = 10) -> Color:
    return tuple(max(0, min(255, v + rng.randint(-amount, amount))) for v in c)  # type: ignore[return-value]


def _ell(d: ImageDraw.ImageDraw, cx: float, cy: float, rx: float, ry: float, fill, outline=None, width: int = 0):
    d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill, outline=outline, width=width)


def _bezier(p0, p1, p2, n: int = 12) -> list[tuple[float, float]]:
    pts = []
    for i in range(n + 1):
        t = i / n
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        pts.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return pts


def _yak(d: ImageDraw.ImageDraw, ox: float, y0: float, L: float, rng: random.Random) -> None:
    coat = _jitter(rng.choice([(30, 25, 22), (36, 29, 24), (46, 34, 27), (62, 44, 31)]), rng, 5)
    fringe = _shade(coat, 0.85)
    horn = _jitter((214, 204, 184), rng, 12)
    tail = [(ox + 0.08 * L, y0), (ox - 0.04 * L, y0 + rng.uniform(-0.06, 0.06) * L)]
    d.line(tail, fill=_rgba(fringe), width=max(1, round(0.045 * L)))
    # Ragged outline of long hair around a barrel body with a hump over the shoulders.
    for i in range(40):
        a = 2 * math.pi * i / 40
        r = rng.uniform(0.025, 0.045) * L
        _ell(d, ox + 0.45 * L + math.cos(a) * 0.34 * L, y0 + math.sin(a) * 0.185 * L, r, r, _rgba(fringe))
    _ell(d, ox + 0.45 * L, y0, 0.36 * L, 0.2 * L, _rgba(coat))
    _ell(d, ox + 0.63 * L, y0, 0.15 * L, 0.215 * L, _rgba(coat))
    _ell(d, ox + 0.5 * L, y0, 0.28 * L, 0.11 * L, _rgba(_shade(coat, 1.12)))  # sunlit back
    _ell(d, ox + 0.52 * L, y0, 0.2 * L, 0.05 * L, _rgba(_shade(coat, 1.24)))
    face = (222, 216, 204) if rng.random() < 0.2 else _shade(coat, 1.1)
    hw = max(1, round(0.032 * L))
    for s in (-1, 1):
        root, bend, tip = (0.83, 0.05), (0.83, 0.17), (0.93, 0.16)
        curve = _bezier(*((ox + fx * L, y0 + s * fy * L) for fx, fy in (root, bend, tip)), 8)
        d.line(curve, fill=_rgba(horn), width=hw)
    _ell(d, ox + 0.88 * L, y0, 0.1 * L, 0.08 * L, _rgba(face))
    if rng.random() < 0.25:  # piebald patch, kept small so the animal still reads as dark
        px = ox + rng.uniform(0.3, 0.55) * L
        _ell(d, px, y0 + rng.uniform(-0.06, 0.06) * L, 0.07 * L, 0.05 * L, _rgba((210, 204, 192)))


def _snow_leopard(d: ImageDraw.ImageDraw, ox: float, y0: float, L: float, rng: random.Random) -> None:
    fur = _jitter((186, 180, 166), rng, 8)
    spot = _jitter((92, 86, 80), rng, 6)
    side = rng.choice((-1, 1))
    curl = rng.uniform(0.12, 0.30) * side
    tail = _bezier((ox + 0.45 * L, y0), (ox + 0.12 * L, y0 - 0.03 * L * side), (ox + 0.03 * L, y0 + curl * L), 16)
    d.line(tail, fill=_rgba(_shade(fur, 0.92)), width=max(1, round(0.085 * L)), joint="curve")
    for x, y in tail[3::3]:
        _ell(d, x, y, 0.018 * L, 0.03 * L, _rgba(spot))
    _ell(d, tail[-1][0], tail[-1][1], 0.042 * L, 0.042 * L, _rgba(_shade(spot, 0.7)))
    _ell(d, ox + 0.63 * L, y0, 0.25 * L, 0.125 * L, _rgba(fur))
    _ell(d, ox + 0.63 * L, y0, 0.2 * L, 0.05 * L, _rgba(_shade(fur, 0.9)))  # darker saddle along the spine
    _ell(d, ox + 0.9 * L, y0, 0.075 * L, 0.075 * L, _rgba(_shade(fur, 1.05)))
    for s in (-1, 1):
        _ell(d, ox + 0.88 * L, y0 + s * 0.062 * L, 0.02 * L, 0.02 * L, _rgba(_shade(fur, 0.75)))
    rw = max(1, round(0.014 * L))
    for _ in range(11):
        a, r = rng.uniform(0, 2 * math.pi), math.sqrt(rng.random()) * 0.7
        x, y = ox + 0.63 * L + math.cos(a) * r * 0.23 * L, y0 + math.sin(a) * r * 0.11 * L
        rr = rng.uniform(0.014, 0.024) * L
        if rng.random() < 0.5:
            _ell(d, x, y, rr, rr * 1.2, None, outline=_rgba(spot), width=rw)
        else:
            _ell(d, x, y, rr * 0.6, rr * 0.6, _rgba(spot))
    for _ in range(4):
        _ell(d, ox + rng.uniform(0.87, 0.94) * L, y0 + rng.uniform(-0.04, 0.04) * L, 0.008 * L, 0.008 * L, _rgba(spot))


def _antelope(d: ImageDraw.ImageDraw, ox: float, y0: float, L: float, rng: random.Random) -> None:
    coat = _jitter((182, 142, 98), rng, 10)
    belly = (238, 232, 220)
    off = rng.choice((-1, 1)) * 0.03 * L
    d.line([(ox + 0.22 * L, y0), (ox + 0.13 * L, y0)], fill=_rgba(_shade(coat, 0.6)), width=max(1, round(0.03 * L)))
    _ell(d, ox + 0.48 * L, y0 + off, 0.29 * L, 0.11 * L, _rgba(belly))  # underside showing on one flank
    _ell(d, ox + 0.48 * L, y0, 0.29 * L, 0.105 * L, _rgba(coat))
    _ell(d, ox + 0.24 * L, y0, 0.06 * L, 0.07 * L, _rgba(belly))  # pale rump
    _ell(d, ox + 0.76 * L, y0, 0.10 * L, 0.05 * L, _rgba(coat))
    horned = rng.random() < 0.6
    face = (70, 58, 48) if horned else _shade(coat, 0.92)
    _ell(d, ox + 0.89 * L, y0, 0.07 * L, 0.045 * L, _rgba(face))
    if horned:
        hw = max(1, round(0.02 * L))
        for s in (-1, 1):
            horn = [(ox + 0.88 * L, y0 + s * 0.02 * L), (ox + 1.12 * L, y0 + s * 0.04 * L)]
            d.line(horn, fill=_rgba((44, 40, 36)), width=hw)


def _tent(d: ImageDraw.ImageDraw, ox: float, y0: float, L: float, rng: random.Random) -> None:
    black = rng.random() < 0.45
    half = rng.uniform(0.30, 0.45) * L
    base = _jitter((42, 37, 33), rng, 5) if black else _jitter((234, 233, 226), rng, 5)
    rope = (96, 88, 78) if black else (70, 66, 60)
    x0, x1 = ox, ox + L
    rw = max(1, round(0.012 * L))
    reach = rng.uniform(0.14, 0.22) * L
    xm = (x0 + x1) / 2
    anchors = [(x0, y0 - half), (x1, y0 - half), (x0, y0 + half), (x1, y0 + half), (xm, y0 - half), (xm, y0 + half)]
    if black:  # yak-hair tents are held out by many ropes along the long sides
        anchors += [(x0 + f * L, y0 + s * half) for s in (-1, 1) for f in (0.25, 0.75)]
    for ax, ay in anchors:
        dx = (ax - (x0 + x1) / 2) / (L / 2) * 0.5
        dy = 1.0 if ay > y0 else -1.0
        n = math.hypot(dx, dy)
        sx, sy = ax + dx / n * reach, ay + dy / n * reach
        d.line([(ax, ay), (sx, sy)], fill=_rgba(rope), width=rw)
        _ell(d, sx, sy, 1.5 * rw, 1.5 * rw, _rgba(_shade(rope, 0.8)))
    lit, dark = _shade(base, 1.15), _shade(base, 0.85)
    if rng.random() >= 0.5:
        lit, dark = dark, lit
    d.rectangle([x0, y0 - half, x1, y0], fill=_rgba(lit))
    d.rectangle([x0, y0, x1, y0 + half], fill=_rgba(dark))
    if black:
        slit = [(x0 + 0.15 * L, y0), (x1 - 0.15 * L, y0)]  # smoke slit along the ridge
        d.line(slit, fill=_rgba((150, 138, 118)), width=max(1, round(0.03 * L)))
    else:
        trim = (38, 72, 142)
        d.rectangle([x0, y0 - half, x1, y0 + half], outline=_rgba(trim), width=max(1, round(0.035 * L)))
        d.line([(x0, y0), (x1, y0)], fill=_rgba(trim), width=max(1, round(0.02 * L)))
        _ell(d, xm, y0 - half * 0.5, 0.05 * L, 0.05 * L, None, outline=_rgba(trim), width=max(1, round(0.015 * L)))
    px = x0 + rng.uniform(0.3, 0.7) * L
    _ell(d, px, y0 + rng.uniform(-0.1, 0.1) * half, 0.025 * L, 0.025 * L, _rgba((28, 26, 24)))  # stove pipe
    door = rng.choice((x0, x1 - 0.06 * L))
    d.rectangle([door, y0 - 0.2 * half, door + 0.06 * L, y0 + 0.2 * half], fill=_rgba(_shade(base, 0.55)))


def _person(d: ImageDraw.ImageDraw, ox: float, y0: float, L: float, rng: random.Random) -> None:
    robes = [(120, 28, 34), (150, 40, 30), (40, 62, 120), (196, 106, 30), (50, 76, 50), (70, 50, 40)]
    robe = _jitter(rng.choice(robes), rng, 10)
    cx = ox + 0.25 * L
    _ell(d, cx, y0, 0.22 * L, 0.5 * L, _rgba(robe))
    _ell(d, cx - 0.02 * L, y0, 0.12 * L, 0.38 * L, _rgba(_shade(robe, 1.2)))
    hat = rng.random() < 0.5
    r = 0.27 * L if hat else 0.2 * L
    _ell(d, cx + 0.04 * L, y0, r, r, _rgba((112, 86, 60) if hat else (28, 24, 22)))
    if hat:
        _ell(d, cx + 0.04 * L, y0, r * 0.55, r * 0.55, _rgba((80, 60, 42)))


# label -> (drawing function, canvas width, canvas height, x origin), all in units of L.
_SPRITES: dict[str, tuple[_Draw, float, float, float]] = {
    "yak": (_yak, 1.15, 0.6, 0.08),
    "snow_leopard": (_snow_leopard, 1.1, 0.75, 0.04),
    "tibetan_antelope": (_antelope, 1.25, 0.35, 0.06),
    "herder_tent": (_tent, 1.6, 1.6, 0.3),
    "person": (_person, 0.7, 1.2, 0.1),
}

# Height above ground, relative to the sprite size, that sets the length of the cast shadow.
_SHADOW_HEIGHT = {"yak": 0.35, "snow_leopard": 0.2, "tibetan_antelope": 0.35, "herder_tent": 0.12, "person": 1.6}


def make_sprite(label: str, length: float, angle_deg: float, rng: random.Random) -> Image.Image:
    """Draw ``label`` about ``length`` px long, rotated counter-clockwise by ``angle_deg``; RGBA."""
    draw, cw, ch, ox = _SPRITES[label]
    ss = 3 if length < 60 else 2
    L = length * ss
    canvas = Image.new("RGBA", (max(ss, math.ceil(cw * L)), max(ss, math.ceil(ch * L))), (0, 0, 0, 0))
    draw(ImageDraw.Draw(canvas), ox * L, canvas.height / 2, L, rng)
    small = canvas.convert("RGBa").reduce(ss)
    return small.rotate(angle_deg, resample=Image.Resampling.BICUBIC, expand=True).convert("RGBA")


def paste_shadow(ground: Image.Image, sprite: Image.Image, at: tuple[int, int], label: str, sun: float) -> None:
    """Darken ``ground`` under a sprite pasted at ``at``, smeared away from the sun (radians)."""
    # Smearing from zero offset keeps the shadow attached to the object's feet.
    alpha = sprite.getchannel("A")
    dist = _SHADOW_HEIGHT[label] * max(sprite.size) * 0.6
    dx, dy = round(dist * math.cos(sun)), round(dist * math.sin(sun))
    mask = Image.new("L", (alpha.width + abs(dx), alpha.height + abs(dy)), 0)
    steps = max(1, round(dist / 2))
    for k in range(steps + 1):
        mask.paste(255, (round(max(0, -dx) + dx * k / steps), round(max(0, -dy) + dy * k / steps)), alpha)
    mask = mask.filter(ImageFilter.GaussianBlur(0.8 + 0.03 * dist)).point(lambda a: a * 45 // 100)
    ground.paste((22, 30, 52), (at[0] - max(0, -dx), at[1] - max(0, -dy)), mask)
