// Keyboard shortcuts. The list doubles as the help overlay's content.

import { acceptPredictions, clearPredictions, cyclePrediction } from "./predictions.js";

// A function, not a table: gettext must run after the catalog has loaded.
export function shortcuts() {
  return [
    [gettext("drag"), gettext("draw a box (on a box: move it; on a handle: resize it)")],
    ["N", gettext("draw mode on / off: every drag draws, even inside other boxes")],
    ["1 – 9", gettext("with a box selected: relabel that box only; with none: the label for new boxes")],
    ["Tab / Shift+Tab", gettext("select the next / previous box")],
    ["Esc", gettext("deselect, leave draw mode, close this help")],
    ["Del / Backspace", gettext("delete the selected box")],
    ["B", gettext("add a box with the current label in the middle of the view, selected (arrows then move it)")],
    [gettext("arrows (Shift: ×10)"), gettext("nudge the selected box by a pixel; with none selected, pan")],
    [gettext("Alt+arrows (Shift: ×10)"), gettext("resize the selected box: move its right / bottom edge by a pixel")],
    ["H", gettext("hide / show the selected box")],
    ["Ctrl+Z / Ctrl+Shift+Z", gettext("undo / redo")],
    ["Ctrl+S", gettext("save now")],
    ["Ctrl+Enter", gettext("submit and open the next task")],
    ["K", gettext("skip this task (asks for a reason)")],
    [gettext("wheel, + / −"), gettext("zoom (around the cursor)")],
    [gettext("0 or F"), gettext("fit the image")],
    [gettext("Space + drag"), gettext("pan")],
    ["A / C", gettext("accept all model predictions / clear the untouched ones")],
    ["V", gettext("show the next model version's predictions")],
    ["M", gettext("go to the buttons of the message above the image (Tab between them, Esc back)")],
    ["G", gettext("go to the page header: my projects, language, sign out (Tab between them, Esc back)")],
    ["?", gettext("show / hide this help")],
  ];
}

function inFormControl(target) {
  return target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function attachShortcuts(tool) {
  window.addEventListener("keydown", (e) => {
    if (tool.modalOpen()) {
      // "?" closes the help it opened; inside the skip dialog it is just a character.
      if (e.key === "Escape" || (e.key === "?" && !inFormControl(e.target))) tool.closeModals();
      return;
    }
    // No task (all done, or it could not open): the page's links and buttons take the keys, Tab included.
    if (!tool.task && e.key !== "?") return;
    const ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && e.key === "Enter") { e.preventDefault(); tool.submitAndNext(); return; }
    if (ctrl && (e.key === "s" || e.key === "S")) { e.preventDefault(); tool.saveNow(); return; }
    // Keyboard focus in the page header or on a message's buttons: Tab, Enter and Space
    // work them (the language list included); Esc goes back to the image.
    if (e.target && e.target.closest && e.target.closest(".topbar, [data-notices]")) {
      if (e.key === "Escape") tool.stage.canvas.focus({ preventScroll: true });
      return;
    }
    if (inFormControl(e.target)) return;
    if (ctrl && (e.key === "z" || e.key === "Z")) {
      e.preventDefault();
      if (e.shiftKey) tool.redo(); else tool.undo();
      return;
    }
    if (ctrl && (e.key === "y" || e.key === "Y")) { e.preventDefault(); tool.redo(); return; }
    const arrow = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (arrow && e.altKey && !ctrl) {
      // Also keeps Alt+Left from leaving the page (the browser's "back").
      e.preventDefault();
      const step = e.shiftKey ? 10 : 1;
      tool.resizeSelected(arrow[0] * step, arrow[1] * step);
      return;
    }
    if (ctrl || e.altKey) return;
    if (e.key === " ") { e.preventDefault(); tool.setSpace(true); return; }
    if (/^[1-9]$/.test(e.key)) { tool.pickLabelByHotkey(Number(e.key)); return; }
    if (arrow) {
      e.preventDefault();
      if (tool.selectedBox()) {
        const step = e.shiftKey ? 10 : 1;
        tool.nudge(arrow[0] * step, arrow[1] * step);
      } else {
        // The view moves, so the image seems to move the other way: arrows look around.
        const step = e.shiftKey ? 0.5 : 0.1;
        tool.panBy(-arrow[0] * step, -arrow[1] * step);
      }
      return;
    }
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
      case "b":
      case "B": tool.addBoxInView(); break;
      case "h":
      case "H": tool.toggleHidden(tool.selectedId); break;
      case "n":
      case "N": tool.toggleDrawMode(); break;
      case "k":
      case "K": tool.openSkip(); break;
      case "m":
      case "M": tool.focusNoticeActions(); break;
      case "g":
      case "G": document.querySelector(".topbar a").focus(); break;
      case "v":
      case "V": cyclePrediction(tool); break;
      case "Escape": tool.setDrawMode(false); tool.select(null); break;
      case "Tab": e.preventDefault(); tool.cycleSelection(e.shiftKey ? -1 : 1); break;
      default: break;
    }
  });
  window.addEventListener("keyup", (e) => {
    if (e.key === " ") tool.setSpace(false);
  });
  window.addEventListener("blur", () => tool.setSpace(false));
}
