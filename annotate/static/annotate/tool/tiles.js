// Deep Zoom tiles for large images: {tiles_url}{level}/{col}_{row}.jpg, with
// `levels` levels, the highest being full resolution and each one below half
// the size (dimensions rounded up). Tiles load on demand and stay in a small
// LRU cache; until a tile arrives the display image underneath shows through.

const CACHE_LIMIT = 400;

export class TileSource {
  constructor(image, onLoad) {
    this.width = image.width;
    this.height = image.height;
    this.levels = image.tile_levels;
    this.size = image.tile_size || 512;
    this.base = image.tiles_url.endsWith("/") ? image.tiles_url : image.tiles_url + "/";
    this.maxLevel = this.levels - 1;
    this.onLoad = onLoad;
    this.cache = new Map();
    this.closed = false;
  }

  close() {
    this.closed = true;
    for (const img of this.cache.values()) img.src = "";
    this.cache.clear();
  }

  // Image pixels per level pixel.
  factor(level) {
    return 2 ** (this.maxLevel - level);
  }

  // The coarsest level that still gives at least one level pixel per device pixel.
  levelFor(devicePxPerImagePx) {
    let level = this.maxLevel;
    while (level > 0 && 1 / this.factor(level - 1) >= devicePxPerImagePx) level -= 1;
    return level;
  }

  tile(level, col, row) {
    const url = `${this.base}${level}/${col}_${row}.jpg`;
    let img = this.cache.get(url);
    if (img) {
      this.cache.delete(url); // refresh its LRU position
      this.cache.set(url, img);
      return img;
    }
    img = new Image();
    img.decoding = "async";
    img.onload = () => { if (!this.closed) this.onLoad(); };
    img.src = url;
    this.cache.set(url, img);
    while (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      this.cache.get(oldest).src = "";
      this.cache.delete(oldest);
    }
    return img;
  }

  // Paint the tiles covering the visible part of the image. Returns true when all were ready.
  draw(ctx, vp, viewW, viewH, dpr) {
    const level = this.levelFor(vp.scale * dpr);
    const f = this.factor(level);
    const span = this.size * f; // image pixels per tile
    const a = vp.toImage(0, 0);
    const b = vp.toImage(viewW, viewH);
    const c0 = Math.max(0, Math.floor(a.x / span));
    const r0 = Math.max(0, Math.floor(a.y / span));
    const c1 = Math.min(Math.ceil(this.width / span) - 1, Math.floor(b.x / span));
    const r1 = Math.min(Math.ceil(this.height / span) - 1, Math.floor(b.y / span));
    let complete = true;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const img = this.tile(level, c, r);
        if (!img.complete || !img.naturalWidth) { complete = false; continue; }
        const x = c * span, y = r * span;
        const w = Math.min(span, this.width - x), h = Math.min(span, this.height - y);
        const s = vp.toScreen(x, y);
        ctx.drawImage(img, s.x, s.y, w * vp.scale, h * vp.scale);
      }
    }
    return complete;
  }
}
