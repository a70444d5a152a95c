// A task opened after its lease lapsed: say so at once and offer to take it
// back (the server re-leases it when its slot is still free), instead of
// showing "All changes saved" until the first save is refused.

import { api, ApiError } from "./api.js";
import { renderSaveState } from "./status.js";

export function isLapsed(task, annotation) {
  return !task.lease && ["draft", "rejected"].includes(annotation.status || "draft");
}

export function offerTakeBack(tool) {
  const task = tool.task;
  // Held back, not refused: edits stay in this browser until the task is ours again.
  tool.saver.blocked = { kind: "lapsed" };
  renderSaveState(tool.$("[data-save-state]"), "lapsed");
  tool.notices.show("lapsed", {
    kind: "error",
    title: gettext("Your lease on this task lapsed."),
    text: gettext("Nothing you change here is saved until you take the task back. Your saved boxes are kept."),
    actions: [
      { label: gettext("Take it back"), testid: "take-back", onClick: () => takeBack(tool, task) },
      { label: gettext("My work"), secondary: true, testid: "open-my-work",
        onClick: () => { window.location.href = `/annotate/projects/${tool.config.projectId}/my-work/`; } },
    ],
  });
}

async function takeBack(tool, task) {
  try {
    const lease = await api.takeBack(task.id);
    if (tool.task !== task) return;
    task.lease = lease;
    tool.notices.clear("lapsed");
    tool.notices.show("taken-back", { kind: "info", text: gettext("The task is yours again; saving resumes.") });
    tool.saver.blocked = null;
    renderSaveState(tool.$("[data-save-state]"), tool.saver.dirty ? "dirty" : "saved");
    tool.leaseKeeper.start();
    if (tool.saver.dirty) await tool.saver.overwrite(null);
  } catch (err) {
    const why = err instanceof ApiError ? err.message : String(err);
    tool.notices.show("lapsed-refused", { kind: "error", text: interpolate(gettext("Not taken back: %s"), [why]) });
  }
}

// "Try to save again" after a save was refused for a lapsed lease: take the
// task back (when its slot is still free), then save the boxes held back.
export async function retryAfterLease(tool) {
  try {
    tool.task.lease = await api.takeBack(tool.task.id);
    tool.leaseKeeper.start();
  } catch (err) {
    tool.notices.show("blocked-retry", {
      kind: "error",
      title: gettext("Still refused:"),
      text: interpolate(gettext("%s Discard your boxes to move on, or ask a supervisor to assign the task back to you."), [err.message]),
      actions: [{ label: gettext("Discard my boxes and take the next task"), testid: "discard-draft", secondary: true, onClick: () => tool.discardAndNext() }],
    });
    return;
  }
  tool.notices.clear("blocked-retry");
  tool.overwrite(null);
}
