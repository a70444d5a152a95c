// Active labeling time: seconds in which the page is visible and focused and
// the annotator touched the pointer or keyboard within the idle cut-off.
// Reported with every submit and heartbeat, and with a save when the last report is
// a heartbeat interval old (and through them to the energy ledger, in the hours the
// work happened): each report is a ledger row, and a person saves every few seconds.

export const IDLE_CUTOFF_MS = 60000;
const TICK_MS = 1000;

export class Activity {
  constructor({ idleMs = IDLE_CUTOFF_MS, now = () => performance.now() } = {}) {
    this.idleMs = idleMs;
    this.now = now;
    this.lastInput = now();
    this.lastTick = now();
    this.pending = 0; // seconds not yet reported
    this.total = 0;
    this.reportedAt = now();
  }

  start(target = window) {
    const touch = () => { this.lastInput = this.now(); };
    for (const ev of ["pointerdown", "pointermove", "keydown", "wheel", "focus"]) {
      target.addEventListener(ev, touch, { passive: true, capture: true });
    }
    this.interval = setInterval(() => this.tick(), TICK_MS);
  }

  tick() {
    const t = this.now();
    const dt = t - this.lastTick;
    this.lastTick = t;
    const visible = document.visibilityState === "visible" && document.hasFocus();
    if (!visible) return;
    // Count only the part of the interval that lies before the idle cut-off.
    const activeUntil = this.lastInput + this.idleMs;
    const counted = Math.max(0, Math.min(t, activeUntil) - (t - dt));
    this.pending += counted / 1000;
    this.total += counted / 1000;
  }

  // Seconds of activity since the last call.
  take() {
    this.tick();
    const s = Math.round(this.pending * 10) / 10;
    this.pending = 0;
    this.reportedAt = this.now();
    return s;
  }

  // take(), once ``everyMs`` have passed since the last report; undefined before.
  takeDue(everyMs) {
    return this.now() - this.reportedAt >= everyMs ? this.take() : undefined;
  }

  // Seconds taken for a request the server refused or never got: report them with the next one.
  giveBack(seconds) {
    if (seconds > 0) this.pending += seconds;
  }
}
