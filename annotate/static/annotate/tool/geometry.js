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

export function rectFromPoints(a, b, imageW, imageH) {
  const x0 = clamp(Math.min(a.x, b.x), 0, imageW);
  const y0 = clamp(Math.min(a.y, b.y), 0, imageH);
  const x1 = clamp(Math.max(a.x, b.x), 0, imageW);
  const y1 = clamp(Math.max(a.y, b.y), 0, imageH);
  return { x: round2(x0), y: round2(y0), width: round2(x1 - x0), height: round2(y1 - y0) };
}

export function moveBox(box, dx, dy, imageW, imageH) {
  return {
    ...box,
    x: round2(clamp(box.x + dx, 0, imageW - box.width)),
    y: round2(clamp(box.y + dy, 0, imageH - box.height)),
  };
}

// Move the edges named by the handle ("n", "se", ...); dragging past the
// opposite edge flips the box instead of giving it a negative size.
export function resizeBox(box, handle, dx, dy, imageW, imageH) {
  let x0 = box.x, y0 = box.y, x1 = box.x + box.width, y1 = box.y + box.height;
  if (handle.includes("w")) x0 += dx;
  if (handle.includes("e")) x1 += dx;
  if (handle.includes("n")) y0 += dy;
  if (handle.includes("s")) y1 += dy;
  const r = rectFromPoints({ x: x0, y: y0 }, { x: x1, y: y1 }, imageW, imageH);
  return { ...box, ...r };
}

export function clampBox(box, imageW, imageH) {
  return { ...box, ...rectFromPoints({ x: box.x, y: box.y }, { x: box.x + box.width, y: box.y + box.height }, imageW, imageH) };
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
