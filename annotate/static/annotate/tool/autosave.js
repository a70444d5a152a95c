// Saves drafts a moment after each change, at once on Ctrl+S, and with a
// keepalive request when the page is hidden; a save renews the lease on the
// server and carries the active seconds not yet reported once a heartbeat
// interval has passed since the last report (activity.js). Submit sends
// the unsaved boxes along in the same request. A stale version (409) or an
// expired lease blocks further saves until the annotator decides; the boxes
// stay on screen and in localStorage meanwhile.

import { api, ApiError, OfflineError } from "./api.js";
import { clearDraft, writeDraft } from "./drafts.js";

export const SAVE_DELAY_MS = 800;
// How often saves report active time: the heartbeat's interval (lease.js), so the
// energy ledger gets a row per half minute of work, not one per save.
export const REPORT_EVERY_MS = 30000;
const RETRY_MS = 4000;

export class Saver {
  constructor({ userId, onState, onBlocked, onSaved, activity, reportEveryMs }) {
    this.userId = userId;
    // Where the active seconds come from (take/takeDue/giveBack); none: saves report none.
    this.activity = activity || { take: () => undefined, takeDue: () => undefined, giveBack: () => {} };
    this.reportEveryMs = reportEveryMs || REPORT_EVERY_MS;
    this.onState = onState;
    this.onBlocked = onBlocked;
    this.onSaved = onSaved || (() => {});
    this.reset(null, 0, () => []);
  }

  reset(taskId, version, getBoxes) {
    clearTimeout(this.timer);
    this.taskId = taskId;
    this.version = version;
    this.getBoxes = getBoxes;
    // Sent with every save, e.g. {from_prediction: id} when the boxes came from a model.
    this.extra = {};
    this.dirty = false;
    this.inflight = null;
    this.blocked = null; // {kind: "stale"|"lease"|"closed", ...} while saving is held back
    this.state("saved");
  }

  state(name, detail = "") {
    this.current = name;
    this.onState(name, detail);
  }

  changed() {
    if (this.taskId == null) return;
    this.dirty = true;
    writeDraft(this.userId, this.taskId, this.getBoxes(), this.version);
    if (this.blocked) return;
    this.state("dirty");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  // Save now if anything is unsaved; resolves when the server has it (or fails).
  async flush() {
    clearTimeout(this.timer);
    if (this.inflight) {
      await this.inflight.catch(() => {});
      if (!this.dirty) return true;
    }
    if (!this.dirty) return true;
    if (this.blocked) return false;
    this.inflight = this._put();
    try {
      return await this.inflight;
    } finally {
      this.inflight = null;
    }
  }

  async _put() {
    const taskId = this.taskId;
    const boxes = this.getBoxes();
    const sent = JSON.stringify(boxes);
    this.state("saving");
    const seconds = this.activity.takeDue(this.reportEveryMs);
    try {
      const saved = await api.save(taskId, boxes, this.version, undefined, this._withActive(seconds));
      if (taskId !== this.taskId) return true;
      this.version = saved.version;
      // Changes made while the request was in flight still need a save.
      if (JSON.stringify(this.getBoxes()) === sent) {
        this.dirty = false;
        clearDraft(this.userId, taskId);
        this.state("saved");
      } else {
        writeDraft(this.userId, taskId, this.getBoxes(), this.version);
        this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
        this.state("dirty");
      }
      this.onSaved(saved);
      return true;
    } catch (err) {
      if (taskId !== this.taskId) return false;
      this.activity.giveBack(seconds);
      this._failed(err);
      return false;
    }
  }

  _withActive(seconds) {
    return seconds === undefined ? this.extra : { ...this.extra, active_seconds: seconds };
  }

  // Submit in one request: unsaved boxes go along and are saved and submitted
  // together, with the pending active seconds and ``body`` (e.g. {next: true}).
  // Resolves to the server's answer, or null when the boxes were not taken: that
  // refusal is handled exactly as a failed save (kept on screen and in this
  // browser, blocked or retried). A refused submit with nothing unsaved throws.
  // ``marks.sent`` gets the time the request left (after any save in flight).
  async submit(body, marks = {}) {
    clearTimeout(this.timer);
    if (this.inflight) await this.inflight.catch(() => {});
    if (this.blocked) return null;
    const taskId = this.taskId;
    const withBoxes = this.dirty;
    const seconds = this.activity.take();
    const sent = withBoxes
      ? { boxes: this.getBoxes(), version: this.version, ...this._withActive(seconds), ...body }
      : { ...(seconds === undefined ? {} : { active_seconds: seconds }), ...body };
    if (withBoxes) this.state("saving");
    marks.sent = performance.now();
    // Saves asked for meanwhile wait for it (and then have nothing to do).
    const request = api.submit(taskId, sent);
    this.inflight = request;
    try {
      const answer = await request;
      if (taskId === this.taskId) {
        clearTimeout(this.timer);
        this.dirty = false;
        clearDraft(this.userId, taskId);
        this.state("saved");
      }
      return answer;
    } catch (err) {
      if (taskId !== this.taskId) throw err;
      this.activity.giveBack(seconds);
      if (!withBoxes) throw err;
      this._failed(err);
      return null;
    } finally {
      if (this.inflight === request) this.inflight = null;
    }
  }

  _failed(err) {
    if (err instanceof OfflineError) {
      this.state("offline", gettext("No connection: your boxes are kept in this browser and will be saved when it is back."));
      this.timer = setTimeout(() => this.flush(), RETRY_MS);
      return;
    }
    if (err instanceof ApiError && err.status === 409) {
      const kind = err.code === "lease_expired" ? "lease" : "stale";
      this.block({ kind, currentVersion: err.body.current_version, detail: err.body.detail || "" });
      return;
    }
    if (err instanceof ApiError && err.status >= 500) {
      this.state("error", gettext("The server failed to save; retrying. Your boxes are kept in this browser."));
      this.timer = setTimeout(() => this.flush(), RETRY_MS);
      return;
    }
    this.block({ kind: "refused", status: err.status, detail: (err.body && err.body.detail) || String(err) });
  }

  block(info) {
    clearTimeout(this.timer);
    this.blocked = info;
    writeDraft(this.userId, this.taskId, this.getBoxes(), this.version);
    this.state("blocked", info.detail);
    this.onBlocked(info);
  }

  // The annotator chose to keep their boxes over a newer server version.
  async overwrite(version) {
    if (version != null) this.version = version;
    this.blocked = null;
    this.dirty = true;
    return this.flush();
  }

  // Page hidden: fire one save that outlives the page (fetch keepalive). With
  // no connection the draft in localStorage is all there is to keep; a request
  // queued now could land later, behind a newer save from another tab.
  saveOnHide() {
    if (!this.dirty || this.blocked || this.taskId == null || this.inflight) return;
    clearTimeout(this.timer);
    const taskId = this.taskId;
    const boxes = this.getBoxes();
    writeDraft(this.userId, taskId, boxes, this.version);
    if (navigator.onLine === false) return;
    // The page may not come back: report everything pending.
    const seconds = this.activity.take();
    this.inflight = api.save(taskId, boxes, this.version, { keepalive: true }, this._withActive(seconds)).then(
      (saved) => {
        if (taskId !== this.taskId) return true;
        this.version = saved.version;
        if (JSON.stringify(this.getBoxes()) === JSON.stringify(boxes)) {
          this.dirty = false;
          clearDraft(this.userId, taskId);
          this.state("saved");
        }
        return true;
      },
      (err) => {
        if (taskId !== this.taskId) return false;
        this.activity.giveBack(seconds);
        this._failed(err);
        return false;
      },
    ).finally(() => { this.inflight = null; });
  }
}
