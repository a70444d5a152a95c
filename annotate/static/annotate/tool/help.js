// The "?" overlay listing every shortcut.

import { shortcuts } from "./shortcuts.js";

export function buildHelp(overlay) {
  const table = overlay.querySelector("tbody");
  table.replaceChildren();
  for (const [keys, what] of shortcuts()) {
    const tr = document.createElement("tr");
    const k = document.createElement("td");
    const kbd = document.createElement("kbd");
    kbd.textContent = keys;
    k.append(kbd);
    const w = document.createElement("td");
    w.textContent = what;
    tr.append(k, w);
    table.append(tr);
  }
  overlay.addEventListener("click", (e) => { if (e.target === overlay) overlay.hidden = true; });
  overlay.querySelector("[data-close]").addEventListener("click", () => { overlay.hidden = true; });
}
