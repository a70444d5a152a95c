// What the tool says in its status area: every message names what happened
// and what to do about it. Box numbers in server messages are the box list's.

import { ApiError, OfflineError } from "./api.js";
import { retryAfterLease } from "./lapsed.js";

// What the status area says when there is no message: what to do next.
export function hint(tool) {
  if (!tool.task) return "";
  if (!tool.editable) return gettext("Read-only: look at the boxes, zoom and pan; nothing can be changed. Plateau Label (top left) leads back to your projects.");
  if (tool.drawMode) return gettext("Draw mode: drag anywhere to draw a box, even inside another box. N or Esc leaves draw mode.");
  if (!tool.boxes.length) return gettext("Drag on the image (or press B) to draw a box; a number key picks its label first. Ctrl+Enter submits; ? lists every shortcut.");
  return gettext("Drag on empty image to draw; drag a box to move it, its handles to resize it; N draws inside boxes. Ctrl+Enter submits.");
}

export function showReviewComment(tool, annotation) {
  if (annotation.status === "rejected" || annotation.review_comment) {
    tool.notices.show("review", {
      kind: "review",
      title: gettext("Sent back by the reviewer:"),
      text: `${annotation.review_comment || gettext("(no comment)")} ${gettext("Fix the boxes, then submit again (Ctrl+Enter).")}`,
    });
  }
}

export function showBlocked(tool, info) {
  const keep = gettext("Your boxes stay here and in this browser until saved or discarded.");
  const discard = {
    label: gettext("Discard my boxes"),
    testid: "discard-draft",
    secondary: true,
    onClick: () => tool.discardDraft(),
  };
  if (info.kind === "stale") {
    tool.notices.show("blocked", {
      kind: "error",
      title: gettext("Not saved: this task was changed elsewhere."),
      text: interpolate(gettext("Someone (or another tab) saved version %(version)s after you opened it. Keep yours over it, or discard yours and see theirs. %(keep)s"),
        { version: info.currentVersion ?? "?", keep }, true),
      actions: [
        { label: gettext("Save my boxes over it"), testid: "overwrite-draft", onClick: () => tool.overwrite(info.currentVersion) },
        discard,
      ],
    });
  } else if (info.kind === "lease") {
    tool.notices.show("blocked", {
      kind: "error",
      title: gettext("Not saved: your lease on this task expired."),
      text: interpolate(gettext("The page was idle or offline too long and the task went back to the pool. Try to save again (works if nobody took it), or discard and take the next task. %(keep)s"),
        { keep }, true),
      actions: [
        { label: gettext("Try to save again"), testid: "retry-save", onClick: () => retryAfterLease(tool) },
        { ...discard, label: gettext("Discard my boxes and take the next task"), onClick: () => tool.discardAndNext() },
      ],
    });
  } else {
    tool.notices.show("blocked", {
      kind: "error",
      title: gettext("Not saved: the server refused the boxes."),
      text: interpolate(gettext("%(detail)s Fix that box (the number is its place in the box list), then try again. %(keep)s"),
        { detail: info.detail, keep }, true),
      actions: [{ label: gettext("Try again"), testid: "retry-save", onClick: () => tool.overwrite(null) }, discard],
    });
  }
}

// Submit waits for the save; say why it did not happen and what to do.
export function submitRefused(tool) {
  if (tool.saver.blocked) {
    tool.showBlocked(tool.saver.blocked); // its buttons are what unblocks the submit
    return;
  }
  const offline = tool.saver.current === "offline";
  tool.notices.show("submit", {
    kind: "warn",
    title: gettext("Not submitted yet:"),
    text: offline
      ? gettext("there is no connection, so your boxes could not be saved. They are kept in this browser and saved as soon as the connection is back; then submit again (Ctrl+Enter).")
      : gettext("the server could not save your boxes; the tool keeps retrying. When the header says \u201cAll changes saved\u201d, submit again (Ctrl+Enter)."),
    actions: [{ label: gettext("Submit again"), testid: "submit-again", onClick: () => tool.submitAndNext() }],
  });
}

export function actionFailed(tool, what, err) {
  const titles = {
    submit: gettext("Not submitted:"),
    skip: gettext("Not skipped:"),
    "open the next task": gettext("The next task did not open:"),
  };
  const text = err instanceof OfflineError
    ? gettext("no connection. Your boxes are kept in this browser; try again when the connection is back.")
    : interpolate(gettext("%s Try again; if it keeps failing, reload the page (your boxes are kept)."), [err.message]);
  tool.notices.show(what, { kind: "error", title: titles[what] || "", text });
}

export function fatal(tool, err) {
  const text = err instanceof ApiError && err.status === 404
    ? gettext("This task is not available to you (it may belong to someone else now). Go back to your projects and start from there.")
    : interpolate(gettext("The tool could not start: %s Reload the page; if that does not help, tell a supervisor."), [err.message]);
  tool.notices.show("fatal", { kind: "error", text });
}
