// Keeps the open task's lease: a heartbeat goes out only after a whole
// interval in which no save or heartbeat reached the server (each renews the
// lease), so someone drawing sends saves, never heartbeats. Heartbeats carry
// the active seconds (activity.js); a refused one (409) means the lease is
// gone, and saves are held back until the annotator decides (lapsed.js).

import { api, ApiError } from "./api.js";

// The interval when the page sets none (LABELING_TOOL_HEARTBEAT_SECONDS sets it).
export const HEARTBEAT_MS = 30000;

export class LeaseKeeper {
  // tool: the Tool (app.js), for its task, editable flag, activity and saver.
  constructor(tool, intervalMs = HEARTBEAT_MS) {
    this.tool = tool;
    this.intervalMs = intervalMs;
    this.on = false;
    this.timer = null;
  }

  start() {
    this.on = true;
    this.due();
  }

  // Something renewed the lease (or the keeper just started): the next
  // heartbeat is a whole interval away.
  due() {
    if (!this.on) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.beat(), this.intervalMs);
  }

  stop() {
    this.on = false;
    clearTimeout(this.timer);
  }

  // Report the activity still pending for the task about to be left (the
  // lease ends with submit or skip, so this must happen before).
  async reportActivity() {
    const tool = this.tool;
    const seconds = tool.activity.take();
    if (!tool.task || seconds <= 0) return;
    try {
      await api.heartbeat(tool.task.id, seconds);
    } catch {
      // Lost seconds only make the energy figure slightly low; never block a submit on it.
    }
  }

  async beat() {
    const tool = this.tool;
    if (!tool.task || !tool.editable) return;
    const taskId = tool.task.id;
    try {
      await this.sendBeat(taskId);
    } finally {
      if (taskId === (tool.task && tool.task.id)) this.due();
    }
  }

  async sendBeat(taskId) {
    const tool = this.tool;
    const seconds = tool.activity.take();
    try {
      const res = await api.heartbeat(taskId, seconds);
      if (res && res.expires_at) tool.task.lease = { ...(tool.task.lease || {}), expires_at: res.expires_at };
    } catch (err) {
      if (taskId !== (tool.task && tool.task.id)) return;
      // Not received (network, server down): the seconds go with the next report.
      // A 409 means the lease is gone: that time cannot be this task's any more.
      if (!(err instanceof ApiError && err.status === 409)) tool.activity.giveBack(seconds);
      if (err instanceof ApiError && err.status === 409 && !tool.saver.blocked) {
        tool.saver.block({ kind: "lease", detail: err.message });
      }
    }
  }
}
