// Paints the stage canvas: image (display image, tiles on top for large
// images), boxes, the selection's handles, the box being drawn and the
// crosshair guides. The canvas backing store follows devicePixelRatio so
// lines stay sharp; all geometry is in CSS pixels through the viewport.

import { handlePoints, HANDLES, Viewport } from "./geometry.js";
import { TileSource } from "./tiles.js";

const BG = "#20272e";

export class Stage {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.vp = new Viewport();
    this.image = null; // the task's image record from the API
    this.bitmap = null; // the decoded display image
    this.tiles = null;
    this.boxes = [];
    this.labels = new Map();
    this.selectedId = null;
    this.preview = null;
    this.pointer = null;
    this.fitted = true;
    this.frame = 0;
    this.onDrawn = () => {};
    this.loadToken = 0;
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  // Fractional CSS sizes (not clientWidth's rounded ones): the viewport must
  // agree with where the pointer events say the pointer is.
  get viewW() { return this.canvas.getBoundingClientRect().width; }
  get viewH() { return this.canvas.getBoundingClientRect().height; }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.viewW * dpr));
    const h = Math.max(1, Math.round(this.viewH * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    if (this.fitted && this.image) this.fit();
    this.redraw();
  }

  // Show a new image. Resolves once its first frame with pixels is painted.
  async setImage(image) {
    const token = ++this.loadToken;
    if (this.tiles) this.tiles.close();
    this.image = image;
    this.tiles = image.tile_levels > 0 && image.tiles_url ? new TileSource(image, () => this.redraw()) : null;
    this.bitmap = null;
    this.fitted = true;
    this.fit();
    this.canvas.dataset.imageReady = "0";
    this.redraw();
    const img = await loadImage(image.display_url || image.url);
    if (token !== this.loadToken) return false;
    this.bitmap = img;
    this.drawNow();
    this.canvas.dataset.imageReady = "1";
    this.onDrawn(image);
    return true;
  }

  clearImage() {
    this.loadToken++;
    if (this.tiles) this.tiles.close();
    this.image = null;
    this.bitmap = null;
    this.tiles = null;
    this.boxes = [];
    this.canvas.dataset.imageReady = "0";
    this.redraw();
  }

  fit() {
    if (!this.image) return;
    this.vp.fit(this.image.width, this.image.height, this.viewW, this.viewH);
    this.fitted = true;
  }

  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  drawNow() {
    const { ctx, vp } = this;
    const dpr = this.canvas.width / Math.max(1, this.viewW);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = BG;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (!this.image) return;
    const W = this.image.width, H = this.image.height;
    const o = vp.toScreen(0, 0);
    ctx.imageSmoothingEnabled = vp.scale * dpr < 2; // show real pixels when zoomed far in
    if (this.bitmap) {
      // The display image may be smaller than the original: stretch it over the original's extent.
      ctx.drawImage(this.bitmap, o.x, o.y, W * vp.scale, H * vp.scale);
    } else {
      ctx.fillStyle = "#3a4652";
      ctx.fillRect(o.x, o.y, W * vp.scale, H * vp.scale);
    }
    if (this.tiles && this.bitmap && vp.scale * dpr > this.bitmap.naturalWidth / W) {
      this.tiles.draw(ctx, vp, this.viewW, this.viewH, dpr);
    }
    this.drawBoxes();
    this.drawCrosshair();
  }

  drawBoxes() {
    const { ctx, vp } = this;
    for (const box of this.boxes) {
      if (box.hidden) continue;
      const color = (this.labels.get(box.label) || {}).color || "#ffcc00";
      const a = vp.toScreen(box.x, box.y);
      const selected = box.id === this.selectedId;
      ctx.lineWidth = selected ? 2.5 : 1.5;
      ctx.strokeStyle = color;
      ctx.fillStyle = color + (selected ? "33" : box.predicted ? "0d" : "1a");
      ctx.fillRect(a.x, a.y, box.width * vp.scale, box.height * vp.scale);
      // A model's box the annotator has not touched yet: dashed.
      if (box.predicted) ctx.setLineDash([6, 3]);
      ctx.strokeRect(a.x, a.y, box.width * vp.scale, box.height * vp.scale);
      ctx.setLineDash([]);
      ctx.font = "12px system-ui, sans-serif";
      const shown = (this.labels.get(box.label) || {}).display_name || box.label;
      const text = box.predicted && box.score != null ? `${shown} ${l10n.number(box.score, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : shown;
      const tw = ctx.measureText(text).width + 6;
      ctx.fillStyle = color;
      ctx.fillRect(a.x, a.y - 16, tw, 16);
      ctx.fillStyle = "#fff";
      ctx.fillText(text, a.x + 3, a.y - 4);
      if (selected) {
        const pts = handlePoints(box, vp);
        ctx.fillStyle = "#fff";
        ctx.strokeStyle = "#111";
        ctx.lineWidth = 1;
        for (const name of HANDLES) {
          ctx.fillRect(pts[name].x - 4, pts[name].y - 4, 8, 8);
          ctx.strokeRect(pts[name].x - 4, pts[name].y - 4, 8, 8);
        }
      }
    }
    if (this.preview) {
      const a = vp.toScreen(this.preview.x, this.preview.y);
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = this.preview.color || "#fff";
      ctx.lineWidth = 1.5;
      ctx.strokeRect(a.x, a.y, this.preview.width * vp.scale, this.preview.height * vp.scale);
      ctx.setLineDash([]);
    }
  }

  drawCrosshair() {
    if (!this.pointer) return;
    const { ctx } = this;
    ctx.strokeStyle = "rgba(255,255,255,0.55)";
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(0, this.pointer.y + 0.5);
    ctx.lineTo(this.viewW, this.pointer.y + 0.5);
    ctx.moveTo(this.pointer.x + 0.5, 0);
    ctx.lineTo(this.pointer.x + 0.5, this.viewH);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

// Load and decode an image before it is painted, so the switch shows no half-drawn frame.
export function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.decoding = "async";
    img.onload = () => (img.decode ? img.decode().catch(() => {}) : Promise.resolve()).then(() => resolve(img));
    img.onerror = () => reject(new Error(interpolate(gettext("the image did not load: %(url)s"), { url }, true)));
    img.src = url;
  });
}
