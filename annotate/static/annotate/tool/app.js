// The box tool: wires the stage, interactions, history, autosave, heartbeat
// and shortcuts to the task API. One page serves task after task without a
// reload, so the switch after Ctrl+Enter costs one API request (final save,
// submit and next together) and the image decode.

import { Activity } from "./activity.js";
import { api, ApiError } from "./api.js";
import { clearDraft, readDraft } from "./drafts.js";
import { Editor } from "./editor.js";
import { uid } from "./ids.js";
import { buildHelp } from "./help.js";
import { History } from "./history.js";
import { attachInteractions } from "./interactions.js";
import { attachShortcuts } from "./shortcuts.js";
import * as messages from "./messages.js";
import { Stage } from "./stage.js";
import { clampBox } from "./geometry.js";
import { Saver } from "./autosave.js";
import { Notices, renderEnergy, renderProgress, renderSaveState } from "./status.js";
import { bindPredictionPanel, offerPredictions } from "./predictions.js";
import { isLapsed, offerTakeBack } from "./lapsed.js";
import { HEARTBEAT_MS, LeaseKeeper } from "./lease.js";

// An annotation's status in words (gettext runs when called: the catalog is loaded by then).
function statusText(status) {
  const words = {
    draft: gettext("a draft"), submitted: gettext("submitted"), accepted: gettext("accepted"),
    rejected: gettext("rejected"), skipped: gettext("skipped"), superseded: gettext("superseded"),
  };
  return words[status] || status;
}

const EDITABLE = new Set(["draft", "rejected"]);

class Tool extends Editor {
  constructor(config, root) {
    super();
    this.config = config;
    this.root = root;
    this.$ = (sel) => document.querySelector(sel);
    this.labels = [];
    this.maxBoxes = Infinity;
    this.labelByName = new Map();
    this.labelName = null;
    this.boxes = [];
    this.selectedId = null;
    this.task = null;
    this.editable = false;
    this.spaceDown = false;
    this.busy = false;
    this.history = new History();
    this.drawMode = false;
    this.notices = new Notices(this.$("[data-notices]"), () => this.hint());
    this.stage = new Stage(this.$('[data-testid="annotation-stage"]'));
    this.activity = new Activity({ idleMs: config.idleMs || undefined });
    this.saver = new Saver({
      userId: config.userId,
      onState: (state) => renderSaveState(this.$("[data-save-state]"), state),
      onBlocked: (info) => this.showBlocked(info),
      onSaved: (saved) => this.savedOk(saved),
      activity: this.activity,
      // Saves report active time as often as heartbeats would.
      reportEveryMs: config.heartbeatMs || HEARTBEAT_MS,
    });
    this.leaseKeeper = new LeaseKeeper(this, config.heartbeatMs || HEARTBEAT_MS);
    // What tests and the switch benchmark read: timings of task switches.
    this.metrics = { switches: [], taskId: null };
    window.__plateau = this.metrics;
  }

  async boot() {
    attachInteractions(this.stage, this);
    attachShortcuts(this);
    buildHelp(this.$("[data-help]"));
    this.bindToolbar();
    bindPredictionPanel(this);
    this.activity.start();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.saver.saveOnHide();
    });
    window.addEventListener("pagehide", () => this.saver.saveOnHide());
    try {
      const project = await api.project(this.config.projectId);
      this.setLabels(project.labels || []);
      this.maxBoxes = project.max_boxes_per_image || Infinity;
      const task = this.config.taskId ? await api.task(this.config.taskId) : await api.next(this.config.projectId);
      if (!task) this.allDone();
      else {
        await this.loadTask(task);
        this.showProgress(task);
      }
    } catch (err) {
      this.fatal(err);
    }
  }

  // ---- modal bits ----------------------------------------------------------

  modalOpen() {
    return !this.$("[data-help]").hidden || this.$("[data-skip-dialog]").open;
  }

  closeModals() {
    this.$("[data-help]").hidden = true;
    if (this.$("[data-skip-dialog]").open) this.$("[data-skip-dialog]").close();
  }

  toggleHelp() {
    const help = this.$("[data-help]");
    help.hidden = !help.hidden;
  }

  bindToolbar() {
    // A clicked button must not keep the focus: Space (pan) or Enter would press it again.
    document.addEventListener("click", (e) => {
      const button = e.target.closest(".toolbar button");
      if (button) button.blur();
    });
    const on = (sel, fn) => this.$(sel).addEventListener("click", fn);
    on("[data-zoom-in]", () => this.zoomBy(1.25));
    on("[data-zoom-out]", () => this.zoomBy(0.8));
    on("[data-fit]", () => this.fit());
    on("[data-undo]", () => this.undo());
    on("[data-redo]", () => this.redo());
    on("[data-save]", () => this.saveNow());
    on("[data-submit]", () => this.submitAndNext());
    on("[data-skip]", () => this.openSkip());
    on("[data-help-open]", () => this.toggleHelp());
    on("[data-draw-mode]", () => this.toggleDrawMode());
    on("[data-check-again]", () => this.checkAgain());
    const dialog = this.$("[data-skip-dialog]");
    dialog.querySelector("form").addEventListener("submit", (e) => {
      e.preventDefault();
      const choice = dialog.querySelector("select").value;
      const more = dialog.querySelector("textarea").value.trim();
      const reason = [choice, more].filter(Boolean).join(": ");
      if (!reason) return;
      dialog.close();
      this.skipAndNext(reason);
    });
    dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close());
  }

  // What the tool says: messages.js.
  hint() { return messages.hint(this); }
  showReviewComment(annotation) { messages.showReviewComment(this, annotation); }
  showBlocked(info) { messages.showBlocked(this, info); }
  submitRefused() { messages.submitRefused(this); }
  actionFailed(what, err) { messages.actionFailed(this, what, err); }
  fatal(err) { messages.fatal(this, err); }

  focusNoticeActions() {
    this.notices.focusActions();
  }

  // ---- task lifecycle --------------------------------------------------------

  async loadTask(task, startedAt = null) {
    this.task = task;
    this.metrics.taskId = null;
    this.history.clear();
    this.selectedId = null;
    this.boxes = [];
    this.notices.clearAll();
    this.root.dataset.taskId = task.id;
    this.stage.canvas.dataset.taskId = task.id;
    this.$("[data-task-title]").textContent = interpolate(gettext("Task %s"), [task.id]);
    this.$("[data-done]").hidden = true;
    this.root.classList.remove("all-done");
    this.$("[data-workspace]").hidden = false;
    renderEnergy(this.$("[data-energy]"), task.energy);
    // A fresh lease comes with an empty draft (version 0), and a task without an annotation
    // of mine (null) has none to fetch: no need to ask for boxes (nor to log a 404).
    const fresh = task.annotation === null
      || (task.annotation && task.annotation.version === 0 && task.annotation.status === "draft");
    const annotationP = fresh
      ? Promise.resolve({ boxes: [], version: 0, status: "draft", review_comment: "" })
      : api.annotation(task.id).catch((err) => {
        if (err instanceof ApiError && err.status === 404) return { boxes: [], version: 0, status: "draft" };
        throw err;
      });
    const imageP = this.stage.setImage(task.image).catch((err) => {
      this.notices.show("image", { kind: "error", text: interpolate(gettext("The image could not be loaded (%(error)s)."), { error: err.message }, true) });
      return false;
    });
    const annotation = await annotationP;
    this.editable = EDITABLE.has(annotation.status || "draft");
    this.root.classList.toggle("read-only", !this.editable);
    if (!this.editable) this.setDrawMode(false);
    this.boxes = this.fromServer(annotation.boxes);
    this.saver.reset(task.id, annotation.version || 0, () => this.payload());
    this.showReviewComment(annotation);
    if (!this.editable) {
      renderSaveState(this.$("[data-save-state]"), "readonly");
      this.notices.show("readonly", {
        kind: "info",
        title: interpolate(gettext("This task is %s."), [statusText(annotation.status)]),
        text: gettext("It is read-only here: boxes can be looked at, not changed. Go back to your projects to label more."),
      });
    }
    this.applyDraft(annotation);
    if (this.editable && isLapsed(task, annotation)) offerTakeBack(this);
    offerPredictions(this, annotation);
    this.toolbarState();
    this.changed();
    await imageP;
    if (this.task !== task) return;
    this.viewChanged();
    this.metrics.taskId = task.id;
    if (startedAt != null) {
      this.metrics.switches.push(performance.now() - startedAt);
      if (this.phase) {
        this.metrics.phases = this.metrics.phases || [];
        this.metrics.phases.push({ ...this.phase, total: performance.now() - startedAt });
        this.phase = null;
      }
    }
    this.stage.canvas.dataset.drawnTaskId = task.id;
    if (task.lease) this.leaseKeeper.start();
  }

  // Boxes as the server sent them, shown as the tool would save them.
  fromServer(boxes) {
    const image = this.task && this.task.image;
    return (boxes || []).map((b) => {
      const box = { id: uid(), label: b.label, x: b.x, y: b.y, width: b.width, height: b.height, hidden: false };
      return image && image.width ? clampBox(box, image.width, image.height) : box;
    });
  }

  toolbarState() {
    for (const button of this.root.querySelectorAll(".toolbar button")) {
      button.disabled = !this.task && !button.matches("[data-help-open]");
    }
    for (const sel of ["[data-submit]", "[data-skip]", "[data-save]", "[data-draw-mode]"]) {
      this.$(sel).disabled = !this.task || !this.editable;
    }
  }

  // Boxes this browser still holds for the task beat what the server has.
  applyDraft(annotation) {
    const draft = readDraft(this.config.userId, this.task.id);
    if (!draft) return;
    const server = JSON.stringify(this.payload());
    if (!this.editable || JSON.stringify(draft.boxes) === server) {
      if (JSON.stringify(draft.boxes) === server) clearDraft(this.config.userId, this.task.id);
      return;
    }
    this.boxes = this.fromServer(draft.boxes);
    if ((draft.baseVersion || 0) === (annotation.version || 0)) {
      this.notices.show("restored", {
        kind: "info",
        text: interpolate(ngettext(
          "Restored %s box that had not reached the server; saving it now. Nothing to do.",
          "Restored %s boxes that had not reached the server; saving them now. Nothing to do.",
          draft.boxes.length), [draft.boxes.length]),
        transient: true,
      });
      this.saver.changed();
    } else {
      this.saver.dirty = true;
      this.saver.block({
        kind: "stale",
        currentVersion: annotation.version,
        detail: gettext("The task changed on the server after these boxes were drawn in this browser."),
      });
    }
  }

  savedOk() {
    this.notices.clear("blocked");
    this.notices.clear("offline");
    // The save renewed the lease: no heartbeat needed for another interval.
    this.leaseKeeper.due();
  }

  async overwrite(version) {
    this.notices.clear("blocked");
    const ok = await this.saver.overwrite(version);
    if (ok) this.notices.show("saved", { kind: "info", text: gettext("Your boxes are saved."), transient: true });
  }

  async discardDraft() {
    clearDraft(this.config.userId, this.task.id);
    this.notices.clear("blocked");
    const annotation = await api.annotation(this.task.id);
    this.boxes = this.fromServer(annotation.boxes);
    this.selectedId = null;
    this.history.clear();
    this.saver.reset(this.task.id, annotation.version || 0, () => this.payload());
    this.changed();
  }

  async discardAndNext() {
    clearDraft(this.config.userId, this.task.id);
    this.saver.reset(null, 0, () => []);
    this.notices.clear("blocked");
    try {
      await this.nextTask(performance.now());
    } catch (err) {
      this.actionFailed("open the next task", err);
    }
  }

  async saveNow() {
    if (!this.task || !this.editable) return;
    if (!this.saver.dirty && !this.saver.blocked) {
      renderSaveState(this.$("[data-save-state]"), "saved");
      return;
    }
    await this.saver.flush();
  }

  // One request: the unsaved boxes (if any), the submit and the next task.
  async submitAndNext() {
    if (!this.task || this.busy || !this.editable) return;
    const t0 = performance.now();
    this.busy = true;
    try {
      const marks = {};
      const answer = await this.saver.submit({ next: true }, marks);
      if (!answer) {
        this.submitRefused();
        return;
      }
      const tAnswered = performance.now();
      // save: waiting for an autosave already in flight; submit: the one request
      // (final save, submit and next on the server); next: no request of its own.
      this.phase = { save: marks.sent - t0, submit: tAnswered - marks.sent, next: 0, t: tAnswered };
      this.leaseKeeper.stop();
      await this.openNext(answer.next, t0);
    } catch (err) {
      this.actionFailed("submit", err);
    } finally {
      this.busy = false;
    }
  }

  openSkip() {
    if (!this.task || !this.editable) return;
    const dialog = this.$("[data-skip-dialog]");
    dialog.querySelector("textarea").value = "";
    dialog.showModal();
  }

  async skipAndNext(reason) {
    if (this.busy) return;
    const t0 = performance.now();
    this.busy = true;
    try {
      await Promise.all([this.saver.flush(), this.leaseKeeper.reportActivity()]);
      await api.skip(this.task.id, reason);
      clearDraft(this.config.userId, this.task.id);
      await this.nextTask(t0);
    } catch (err) {
      this.actionFailed("skip", err);
    } finally {
      this.busy = false;
    }
  }

  async nextTask(t0) {
    this.leaseKeeper.stop();
    const task = await api.next(this.config.projectId);
    if (this.phase) this.phase.next = performance.now() - this.phase.t;
    await this.openNext(task, t0);
  }

  // The task "next" answered (null: nothing left), from its own request or a submit's.
  async openNext(task, t0) {
    if (window.location.pathname !== this.config.projectUrl) {
      history.replaceState(null, "", this.config.projectUrl);
    }
    if (!task) {
      this.allDone();
      return;
    }
    await this.loadTask(task, t0);
    this.showProgress(task);
  }

  allDone() {
    this.task = null;
    this.editable = false;
    this.leaseKeeper.stop();
    this.saver.reset(null, 0, () => []);
    this.stage.clearImage();
    this.boxes = [];
    this.changed();
    this.$("[data-workspace]").hidden = true;
    this.$("[data-done]").hidden = false;
    this.$("[data-task-title]").textContent = gettext("all done");
    this.root.dataset.taskId = "";
    this.root.classList.add("all-done");
    this.setDrawMode(false);
    this.notices.clearAll();
    this.toolbarState();
    this.refreshProgress();
  }

  async checkAgain() {
    try {
      await this.nextTask(performance.now());
    } catch (err) {
      this.actionFailed("open the next task", err);
    }
  }

  // ---- progress ------------------------------------------------------------

  // "next" carries the progress; a task opened by its address does not.
  showProgress(task) {
    if (task.progress) renderProgress(this.$("[data-progress]"), task.progress);
    else this.refreshProgress();
  }

  async refreshProgress() {
    try {
      renderProgress(this.$("[data-progress]"), await api.progress(this.config.projectId));
    } catch {
      // Progress is a nicety; the tool works without it.
    }
  }
}

const root = document.querySelector("[data-tool]");
const config = JSON.parse(document.getElementById("tool-config").textContent);
const tool = new Tool(config, root);
// A handle for the browser tests and the switch benchmark.
window.__plateauTool = tool;
tool.boot();
