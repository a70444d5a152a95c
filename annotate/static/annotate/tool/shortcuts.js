// Keyboard shortcuts. The table doubles as the help overlay's content.

import { acceptPredictions, clearPredictions } from "./predictions.js";

// Built when the help opens: gettext needs the catalog, loaded before this module.
export function shortcuts() {
  return [
    [gettext("drag"), gettext("draw a box")],
    ["1 – 9", gettext("pick a label (also for the selected box)")],
    ["Del / Backspace", gettext("delete the selected box")],
    ["Ctrl+Z / Ctrl+Shift+Z", gettext("undo / redo")],
    ["Ctrl+S", gettext("save now")],
    ["Ctrl+Enter", gettext("submit and open the next task")],
    [gettext("wheel, + / −"), gettext("zoom (around the cursor)")],
    [gettext("0 or F"), gettext("fit the image")],
    [gettext("Space + drag"), gettext("pan")],
    ["Tab / Shift+Tab", gettext("select the next / previous box")],
    [gettext("arrows (Shift: ×10)"), gettext("nudge the selected box by a pixel")],
    ["H", gettext("hide / show the selected box")],
    ["A / C", gettext("accept all model predictions / clear the untouched ones")],
    ["Esc", gettext("deselect, close this help")],
    ["?", gettext("show / hide this help")],
  ];
}

function inFormControl(target) {
  return target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function attachShortcuts(tool) {
  window.addEventListener("keydown", (e) => {
    if (tool.modalOpen()) {
      if (e.key === "Escape") tool.closeModals();
      return;
    }
    const ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && e.key === "Enter") { e.preventDefault(); tool.submitAndNext(); return; }
    if (ctrl && (e.key === "s" || e.key === "S")) { e.preventDefault(); tool.saveNow(); return; }
    if (inFormControl(e.target)) return;
    if (ctrl && (e.key === "z" || e.key === "Z")) {
      e.preventDefault();
      if (e.shiftKey) tool.redo(); else tool.undo();
      return;
    }
    if (ctrl && (e.key === "y" || e.key === "Y")) { e.preventDefault(); tool.redo(); return; }
    if (ctrl || e.altKey) return;
    if (e.key === " ") { e.preventDefault(); tool.setSpace(true); return; }
    if (/^[1-9]$/.test(e.key)) { tool.pickLabelByHotkey(Number(e.key)); return; }
    switch (e.key) {
      case "Delete":
      case "Backspace": e.preventDefault(); tool.deleteSelected(); break;
      case "+":
      case "=": tool.zoomBy(1.25); break;
      case "-":
      case "_": tool.zoomBy(0.8); break;
      case "0":
      case "f":
      case "F": tool.fit(); break;
      case "?": tool.toggleHelp(); break;
      case "a":
      case "A": acceptPredictions(tool); break;
      case "c":
      case "C": clearPredictions(tool); break;
      case "h":
      case "H": tool.toggleHidden(tool.selectedId); break;
      case "Escape": tool.select(null); break;
      case "Tab": e.preventDefault(); tool.cycleSelection(e.shiftKey ? -1 : 1); break;
      case "ArrowLeft": e.preventDefault(); tool.nudge(e.shiftKey ? -10 : -1, 0); break;
      case "ArrowRight": e.preventDefault(); tool.nudge(e.shiftKey ? 10 : 1, 0); break;
      case "ArrowUp": e.preventDefault(); tool.nudge(0, e.shiftKey ? -10 : -1); break;
      case "ArrowDown": e.preventDefault(); tool.nudge(0, e.shiftKey ? 10 : 1); break;
      default: break;
    }
  });
  window.addEventListener("keyup", (e) => {
    if (e.key === " ") tool.setSpace(false);
  });
  window.addEventListener("blur", () => tool.setSpace(false));
}
