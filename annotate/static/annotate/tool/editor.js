// The editing half of the tool: labels, the box list and its edits (with
// undo history and autosave hooks), and the view (zoom, fit, pan state).
// Tool (app.js) extends it with the task lifecycle; the fields used here are
// set up in Tool's constructor.

import { renderBoxList } from "./boxlist.js";
import { boxInView, clampBox, moveBox, resizeBox } from "./geometry.js";
import { uid } from "./ids.js";
import { clearTouched, refreshPredictionPanel } from "./predictions.js";


export class Editor {
  // ---- labels -------------------------------------------------------------

  setLabels(labels) {
    this.labels = labels;
    this.labelByName = new Map(labels.map((l) => [l.name, l]));
    this.stage.labels = this.labelByName;
    this.labelName = labels.length ? labels[0].name : null;
    const bar = this.$("[data-labels]");
    bar.replaceChildren();
    labels.forEach((l, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "label-pick";
      b.dataset.label = l.name;
      b.setAttribute("data-testid", "label-pick");
      b.style.setProperty("--label-color", l.color);
      const key = l.hotkey || (i < 9 ? i + 1 : "");
      b.innerHTML = `<kbd></kbd> <span class="label-name"></span>`;
      b.querySelector("kbd").textContent = key;
      b.querySelector(".label-name").textContent = l.display_name || l.name;
      b.title = interpolate(gettext("%(label)s: key %(key)s. Relabels the selected box; with none selected, the label of new boxes."), { label: l.display_name || l.name, key }, true);
      // Tibetan beside the page's language, where the label has it (not an interface language).
      const tibetan = l.display_names && l.display_names.bo;
      if (tibetan && tibetan !== l.display_name) {
        const bo = document.createElement("span");
        bo.className = "label-bo";
        bo.lang = "bo";
        bo.setAttribute("data-testid", "label-tibetan");
        bo.textContent = tibetan;
        b.append(" ", bo);
      }
      b.addEventListener("click", () => this.pickLabel(l.name));
      bar.append(b);
    });
    this.renderLabels();
  }

  renderLabels() {
    const selected = this.selectedBox();
    for (const b of this.root.querySelectorAll(".label-pick")) {
      b.classList.toggle("active", b.dataset.label === this.labelName);
      b.classList.toggle("of-selected", !!selected && b.dataset.label === selected.label);
      b.disabled = !this.editable;
    }
    this.$("[data-current-label]").textContent = this.labelDisplayName(this.labelName);
  }

  // What people read for a label's canonical name (boxes keep the canonical name).
  labelDisplayName(name) {
    const l = this.labelByName.get(name);
    return (l && l.display_name) || name || "";
  }

  currentLabelColor() {
    const l = this.labelByName.get(this.labelName);
    return l ? l.color : "#fff";
  }

  pickLabelByHotkey(n) {
    const byKey = this.labels.find((l) => l.hotkey === n);
    const label = byKey || (this.labels.some((l) => l.hotkey) ? null : this.labels[n - 1]);
    if (label) this.pickLabel(label.name);
  }

  // With a box selected, a label applies to that box only; without one, it
  // becomes the label of the boxes drawn next.
  pickLabel(name) {
    if (!this.editable) return;
    if (this.selectedId) {
      this.setBoxLabel(this.selectedId, name);
      return;
    }
    this.labelName = name;
    this.renderLabels();
  }

  // ---- boxes and edits ----------------------------------------------------

  snapshot() {
    return JSON.stringify(this.boxes);
  }

  // What is saved: every box inside the image with sides of at least a pixel,
  // whatever path it came by (drawn, restored from a draft, predicted).
  payload() {
    const image = this.stage.image;
    return this.boxes.map((box) => {
      const { label, x, y, width, height } = image ? clampBox(box, image.width, image.height) : box;
      return { label, x, y, width, height };
    });
  }

  selectedBox() {
    return this.boxes.find((b) => b.id === this.selectedId) || null;
  }

  // An edit already applied to this.boxes; `before` is the snapshot to undo to.
  committed(before) {
    clearTouched(this.boxes, before);
    this.history.record(before);
    this.saver.changed();
    this.changed();
  }

  edit(mutator) {
    if (!this.editable) return;
    const before = this.snapshot();
    mutator();
    if (this.snapshot() !== before) this.committed(before);
  }

  changed() {
    this.stage.boxes = this.boxes;
    this.stage.selectedId = this.selectedId;
    this.stage.redraw();
    this.renderLabels();
    renderBoxList(this.$("[data-box-list]"), this);
    this.$("[data-box-count]").textContent = String(this.boxes.length);
    this.$("[data-undo]").disabled = !this.history.past.length || !this.editable;
    this.$("[data-redo]").disabled = !this.history.future.length || !this.editable;
    refreshPredictionPanel(this);
    this.notices.render(); // the hint follows the state
  }

  addBox(rect) {
    if (!this.labelName) {
      this.notices.show("labels", { kind: "warn", text: gettext("This project has no labels yet, so no box can be drawn: ask a supervisor to add some.") });
      return;
    }
    // The server refuses more boxes than the project allows: do not make them.
    if (this.boxes.length >= this.maxBoxes) {
      this.notices.show("max-boxes", {
        kind: "warn",
        text: interpolate(ngettext(
          "This project allows at most %(n)s box per image: delete one (Del) before drawing another.",
          "This project allows at most %(n)s boxes per image: delete one (Del) before drawing another.",
          this.maxBoxes), { n: l10n.number(this.maxBoxes) }, true),
        transient: true,
      });
      return;
    }
    const image = this.stage.image;
    this.edit(() => {
      const box = clampBox({ id: uid(), label: this.labelName, ...rect, hidden: false }, image.width, image.height);
      this.boxes.push(box);
      this.selectedId = box.id;
    });
  }

  // Live update during a drag; history is recorded once when the drag ends.
  replaceBox(box) {
    const i = this.boxes.findIndex((b) => b.id === box.id);
    if (i >= 0) this.boxes[i] = box;
    this.stage.boxes = this.boxes;
    this.stage.redraw();
  }

  setBoxLabel(id, name) {
    this.edit(() => {
      const box = this.boxes.find((b) => b.id === id);
      if (box) box.label = name;
    });
  }

  deleteBox(id) {
    this.edit(() => {
      this.boxes = this.boxes.filter((b) => b.id !== id);
      if (this.selectedId === id) this.selectedId = null;
    });
  }

  deleteSelected() {
    if (this.selectedId) this.deleteBox(this.selectedId);
  }

  nudge(dx, dy) {
    const box = this.selectedBox();
    if (!box || !this.stage.image) return;
    this.edit(() => this.replaceBox(moveBox(box, dx, dy, this.stage.image.width, this.stage.image.height)));
  }

  // Drawing without a mouse (B): a box of the current label in the middle of
  // the view, selected, so that arrows move it and Alt+arrows size it.
  addBoxInView() {
    const image = this.stage.image;
    if (!image || !this.editable) return;
    this.addBox(boxInView(this.stage.vp, this.stage.viewW, this.stage.viewH, image.width, image.height));
  }

  // Alt+arrows move the selected box's right / bottom edge, with the same
  // limits as dragging its corner handle (inside the image, sides >= 1 px).
  resizeSelected(dx, dy) {
    const box = this.selectedBox();
    const image = this.stage.image;
    if (!box || !image) return;
    this.edit(() => this.replaceBox(resizeBox(box, "se", dx, dy, image.width, image.height)));
  }

  // Hiding is a view setting: not saved, not undone.
  toggleHidden(id) {
    const box = this.boxes.find((b) => b.id === id);
    if (!box) return;
    box.hidden = !box.hidden;
    this.changed();
  }

  // Selecting shows the box's label on the picker (outlined) but leaves the
  // label of new boxes alone.
  select(id) {
    this.selectedId = id;
    this.changed();
  }

  // Draw mode: a drag always draws a new box, even on top of other boxes or
  // a selected box's handles (herds of touching animals).
  setDrawMode(on) {
    this.drawMode = on && this.editable;
    const button = this.$("[data-draw-mode]");
    button.setAttribute("aria-pressed", String(this.drawMode));
    button.classList.toggle("active", this.drawMode);
    this.root.classList.toggle("draw-mode", this.drawMode);
    this.stage.canvas.style.cursor = this.drawMode ? "crosshair" : this.stage.canvas.style.cursor;
    this.notices.render();
  }

  toggleDrawMode() {
    this.setDrawMode(!this.drawMode);
  }

  cycleSelection(step) {
    if (!this.boxes.length) return;
    const i = this.boxes.findIndex((b) => b.id === this.selectedId);
    const j = i < 0 ? (step > 0 ? 0 : this.boxes.length - 1) : (i + step + this.boxes.length) % this.boxes.length;
    this.select(this.boxes[j].id);
  }

  restore(snapshot) {
    this.boxes = JSON.parse(snapshot);
    if (!this.boxes.some((b) => b.id === this.selectedId)) this.selectedId = null;
    this.saver.changed();
    this.changed();
  }

  undo() {
    if (!this.editable) return;
    const prev = this.history.undo(this.snapshot());
    if (prev != null) this.restore(prev);
  }

  redo() {
    if (!this.editable) return;
    const next = this.history.redo(this.snapshot());
    if (next != null) this.restore(next);
  }

  // ---- view -----------------------------------------------------------------

  setSpace(down) {
    this.spaceDown = down;
    this.stage.canvas.style.cursor = down ? "grab" : "crosshair";
  }

  // Arrow keys without a selected box move the view (a quarter of the stage, or a tenth).
  panBy(dx, dy) {
    this.stage.vp.panBy(dx * this.stage.viewW, dy * this.stage.viewH);
    this.stage.fitted = false;
    this.viewChanged();
  }

  zoomBy(factor) {
    this.stage.vp.zoomAt(this.stage.viewW / 2, this.stage.viewH / 2, factor);
    this.stage.fitted = false;
    this.viewChanged();
  }

  fit() {
    this.stage.fit();
    this.viewChanged();
  }

  viewChanged() {
    this.$("[data-zoom]").textContent = `${Math.round(this.stage.vp.scale * 100)}%`;
    this.stage.redraw();
  }
}
