// Pointer and wheel handling on the stage: draw by drag, select, move,
// resize with handles, pan with space+drag (or the middle button), zoom with
// the wheel around the cursor. In draw mode every drag draws, wherever it starts. Edits go through the tool, which keeps history
// and schedules the save.

import { containsPoint, hitHandle, moveBox, rectFromPoints, resizeBox } from "./geometry.js";

// A drag shorter than this (CSS px) is a click, not a box.
const MIN_DRAG_PX = 3;

const HANDLE_CURSORS = {
  nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize",
  n: "ns-resize", s: "ns-resize", e: "ew-resize", w: "ew-resize",
};

export function attachInteractions(stage, tool) {
  const canvas = stage.canvas;
  let drag = null;

  const local = (e) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const boxAt = (p) => {
    const ip = stage.vp.toImage(p.x, p.y);
    const boxes = tool.boxes;
    for (let i = boxes.length - 1; i >= 0; i--) {
      if (!boxes[i].hidden && containsPoint(boxes[i], ip)) return boxes[i];
    }
    return null;
  };

  canvas.addEventListener("pointerdown", (e) => {
    if (!stage.image || (e.button !== 0 && e.button !== 1)) return;
    canvas.focus({ preventScroll: true });
    canvas.setPointerCapture(e.pointerId);
    const p = local(e);
    const ip = stage.vp.toImage(p.x, p.y);
    if (tool.spaceDown || e.button === 1 || !tool.editable) {
      drag = { mode: "pan", last: p };
      canvas.style.cursor = "grabbing";
      e.preventDefault();
      return;
    }
    if (tool.drawMode) {
      drag = { mode: "draw", start: ip, startScreen: p };
      return;
    }
    const selected = tool.selectedBox();
    const handle = selected && !selected.hidden ? hitHandle(selected, stage.vp, p.x, p.y) : null;
    if (handle) {
      drag = { mode: "resize", handle, start: ip, orig: { ...selected }, before: tool.snapshot(), moved: false };
      return;
    }
    const hit = boxAt(p);
    if (hit) {
      tool.select(hit.id);
      drag = { mode: "move", start: ip, orig: { ...hit }, before: tool.snapshot(), moved: false };
      return;
    }
    tool.select(null);
    drag = { mode: "draw", start: ip, startScreen: p };
  });

  canvas.addEventListener("pointermove", (e) => {
    const p = local(e);
    stage.pointer = p;
    if (!drag) {
      updateCursor(p);
      stage.redraw();
      return;
    }
    const ip = stage.vp.toImage(p.x, p.y);
    const W = stage.image.width, H = stage.image.height;
    if (drag.mode === "pan") {
      stage.vp.panBy(p.x - drag.last.x, p.y - drag.last.y);
      stage.fitted = false;
      drag.last = p;
    } else if (drag.mode === "draw") {
      stage.preview = { ...rectFromPoints(drag.start, ip, W, H), color: tool.currentLabelColor() };
    } else if (drag.mode === "move") {
      drag.moved = true;
      tool.replaceBox(moveBox(drag.orig, ip.x - drag.start.x, ip.y - drag.start.y, W, H));
    } else if (drag.mode === "resize") {
      drag.moved = true;
      tool.replaceBox(resizeBox(drag.orig, drag.handle, ip.x - drag.start.x, ip.y - drag.start.y, W, H));
    }
    stage.redraw();
  });

  const finish = (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    if (d.mode === "draw") {
      const p = local(e);
      const rect = stage.preview;
      stage.preview = null;
      const far = Math.abs(p.x - d.startScreen.x) >= MIN_DRAG_PX && Math.abs(p.y - d.startScreen.y) >= MIN_DRAG_PX;
      if (far && rect) {
        tool.addBox({ x: rect.x, y: rect.y, width: rect.width, height: rect.height });
      }
    } else if ((d.mode === "move" || d.mode === "resize") && d.moved) {
      const now = tool.selectedBox();
      if (now && (now.x !== d.orig.x || now.y !== d.orig.y || now.width !== d.orig.width || now.height !== d.orig.height)) {
        tool.committed(d.before);
      }
    }
    updateCursor(local(e));
    stage.redraw();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  canvas.addEventListener("pointerleave", () => {
    if (!drag) {
      stage.pointer = null;
      stage.redraw();
    }
  });

  canvas.addEventListener("wheel", (e) => {
    if (!stage.image) return;
    e.preventDefault();
    const p = local(e);
    // Pixel-mode wheels report ~100 per notch; line-mode ones ~3.
    const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
    stage.vp.zoomAt(p.x, p.y, Math.exp(-delta * 0.0015));
    stage.fitted = false;
    tool.viewChanged();
  }, { passive: false });

  function updateCursor(p) {
    if (tool.spaceDown || !tool.editable) {
      canvas.style.cursor = "grab";
      return;
    }
    if (tool.drawMode) {
      canvas.style.cursor = "crosshair";
      return;
    }
    const sel = tool.selectedBox();
    const handle = sel && !sel.hidden ? hitHandle(sel, stage.vp, p.x, p.y) : null;
    if (handle) canvas.style.cursor = HANDLE_CURSORS[handle];
    else if (boxAt(p)) canvas.style.cursor = "move";
    else canvas.style.cursor = "crosshair";
  }
}
