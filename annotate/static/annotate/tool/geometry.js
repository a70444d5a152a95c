// Viewport transform and box geometry. Boxes live in ORIGINAL-image pixels;
// the viewport maps them to CSS pixels of the stage (screen = image * scale + t).
// Device pixel ratio is applied only when painting, never here.

export const MIN_SCALE = 1 / 256;
export const MAX_SCALE = 64;

export function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

export class Viewport {
  constructor() {
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
  }

  toScreen(x, y) {
    return { x: x * this.scale + this.tx, y: y * this.scale + this.ty };
  }

  toImage(sx, sy) {
    return { x: (sx - this.tx) / this.scale, y: (sy - this.ty) / this.scale };
  }

  fit(imageW, imageH, viewW, viewH, margin = 12) {
    const s = Math.min((viewW - 2 * margin) / imageW, (viewH - 2 * margin) / imageH);
    this.scale = clamp(s > 0 ? s : 1, MIN_SCALE, MAX_SCALE);
    this.tx = (viewW - imageW * this.scale) / 2;
    this.ty = (viewH - imageH * this.scale) / 2;
  }

  // Zoom keeping the image point under (sx, sy) where it is.
  zoomAt(sx, sy, factor) {
    const p = this.toImage(sx, sy);
    this.scale = clamp(this.scale * factor, MIN_SCALE, MAX_SCALE);
    this.tx = sx - p.x * this.scale;
    this.ty = sy - p.y * this.scale;
  }

  panBy(dx, dy) {
    this.tx += dx;
    this.ty += dy;
  }
}

// Two hundredths of a pixel is far below what anyone can draw; rounding keeps
// stored numbers short and the JSON stable across save round trips.
export function round2(v) {
  return Math.round(v * 100) / 100;
}

// No side of a box is ever shorter than one image pixel: the server refuses
// empty boxes, and a box thinner than a pixel can be neither seen nor grabbed.
export const MIN_SIDE = 1;

// One axis of a box: [lo, hi] inside [0, limit] and at least MIN_SIDE long,
// grown on the side given by `grow` ("hi" or "lo") when too short.
function span(lo, hi, limit, grow = "hi") {
  lo = clamp(lo, 0, limit);
  hi = clamp(hi, 0, limit);
  const min = Math.min(MIN_SIDE, limit);
  if (hi - lo < min) {
    if (grow === "lo") {
      lo = hi - min;
      if (lo < 0) { lo = 0; hi = min; }
    } else {
      hi = lo + min;
      if (hi > limit) { hi = limit; lo = limit - min; }
    }
  }
  return [round2(lo), round2(hi)];
}

function fromSpans([x0, x1], [y0, y1]) {
  return { x: x0, y: y0, width: round2(x1 - x0), height: round2(y1 - y0) };
}

// The box spanned by two image points (in either order), inside the image.
export function rectFromPoints(a, b, imageW, imageH) {
  return fromSpans(
    span(Math.min(a.x, b.x), Math.max(a.x, b.x), imageW, b.x < a.x ? "lo" : "hi"),
    span(Math.min(a.y, b.y), Math.max(a.y, b.y), imageH, b.y < a.y ? "lo" : "hi"),
  );
}

export function moveBox(box, dx, dy, imageW, imageH) {
  const fixed = clampBox(box, imageW, imageH);
  return {
    ...fixed,
    x: round2(clamp(fixed.x + dx, 0, imageW - fixed.width)),
    y: round2(clamp(fixed.y + dy, 0, imageH - fixed.height)),
  };
}

// Move the edges named by the handle ("n", "se", ...). A dragged edge stops
// one pixel short of the opposite edge: it never reaches or passes it, so the
// box keeps its orientation and a size the server accepts.
export function resizeBox(box, handle, dx, dy, imageW, imageH) {
  let x0 = box.x, y0 = box.y, x1 = box.x + box.width, y1 = box.y + box.height;
  if (handle.includes("w")) x0 = clamp(x0 + dx, 0, x1 - MIN_SIDE);
  if (handle.includes("e")) x1 = clamp(x1 + dx, x0 + MIN_SIDE, imageW);
  if (handle.includes("n")) y0 = clamp(y0 + dy, 0, y1 - MIN_SIDE);
  if (handle.includes("s")) y1 = clamp(y1 + dy, y0 + MIN_SIDE, imageH);
  return {
    ...box,
    ...fromSpans(span(x0, x1, imageW, handle.includes("w") ? "lo" : "hi"),
      span(y0, y1, imageH, handle.includes("n") ? "lo" : "hi")),
  };
}

// Any box (a restored draft, an imported one) made valid: inside the image, sides >= MIN_SIDE.
export function clampBox(box, imageW, imageH) {
  return { ...box, ...fromSpans(span(box.x, box.x + box.width, imageW), span(box.y, box.y + box.height, imageH)) };
}

// The keyboard's new box (B): centred in the part of the image the stage
// shows, a fifth of that part's width and height, inside the image and at
// least MIN_SIDE a side. With the image panned out of sight, the whole image counts.
export function boxInView(vp, viewW, viewH, imageW, imageH) {
  const a = vp.toImage(0, 0), b = vp.toImage(viewW, viewH);
  let x0 = clamp(a.x, 0, imageW), x1 = clamp(b.x, 0, imageW);
  let y0 = clamp(a.y, 0, imageH), y1 = clamp(b.y, 0, imageH);
  if (x1 - x0 < MIN_SIDE || y1 - y0 < MIN_SIDE) { x0 = 0; x1 = imageW; y0 = 0; y1 = imageH; }
  const w = Math.max(MIN_SIDE, (x1 - x0) / 5), h = Math.max(MIN_SIDE, (y1 - y0) / 5);
  return clampBox({ x: (x0 + x1 - w) / 2, y: (y0 + y1 - h) / 2, width: w, height: h }, imageW, imageH);
}

export const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

export function handlePoints(box, vp) {
  const a = vp.toScreen(box.x, box.y);
  const b = vp.toScreen(box.x + box.width, box.y + box.height);
  const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
  return {
    nw: { x: a.x, y: a.y }, n: { x: mx, y: a.y }, ne: { x: b.x, y: a.y }, e: { x: b.x, y: my },
    se: { x: b.x, y: b.y }, s: { x: mx, y: b.y }, sw: { x: a.x, y: b.y }, w: { x: a.x, y: my },
  };
}

export function hitHandle(box, vp, sx, sy, radius = 7) {
  const pts = handlePoints(box, vp);
  for (const name of HANDLES) {
    const p = pts[name];
    if (Math.abs(p.x - sx) <= radius && Math.abs(p.y - sy) <= radius) return name;
  }
  return null;
}

export function containsPoint(box, p) {
  return p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height;
}
