// Header and notice rendering: energy tag, today's progress, save state and
// the banners that explain what happened (conflicts, expired leases, review
// comments, restored drafts).

export function renderEnergy(el, energy) {
  if (!energy || energy.kwh == null) {
    el.textContent = "Energy: unknown";
    el.title = "No energy has been measured or estimated for this task yet.";
    el.dataset.basis = (energy && energy.basis) || "unknown";
    return;
  }
  const kwh = energy.kwh < 0.01 ? `${(energy.kwh * 1000).toFixed(1)} Wh` : `${energy.kwh.toFixed(3)} kWh`;
  const share = energy.clean_share == null ? "clean share unknown" : `${Math.round(energy.clean_share * 100)}% clean`;
  el.textContent = `${kwh} · ${share}`;
  const co2 = energy.co2e_g == null ? "" : `, ${energy.co2e_g.toFixed(1)} g CO2e`;
  el.title = `Energy used on this task (${energy.basis})${co2}`;
  el.dataset.basis = energy.basis || "";
}

// my-progress: {today, total, date}: tasks submitted today and in all.
export function renderProgress(el, data) {
  if (!data || data.today == null) { el.textContent = ""; return; }
  el.textContent = `${data.today} submitted today · ${data.total} in all`;
  el.title = `Your submitted tasks in this project (day: ${data.date})`;
}

const SAVE_TEXT = {
  saved: "All changes saved",
  dirty: "Unsaved changes…",
  saving: "Saving…",
  offline: "Offline — kept in this browser",
  error: "Save failed — retrying",
  blocked: "Not saved — see the message",
  readonly: "Read-only",
  lapsed: gettext("Lease lapsed — not saving"),
};

export function renderSaveState(el, state) {
  el.textContent = SAVE_TEXT[state] || state;
  el.dataset.state = state;
}

export class Notices {
  constructor(container) {
    this.container = container;
  }

  show(id, { kind = "info", title = "", text = "", actions = [] }) {
    this.clear(id);
    const div = document.createElement("div");
    div.className = `notice ${kind}`;
    div.setAttribute("role", kind === "info" ? "status" : "alert");
    div.setAttribute("data-testid", `notice-${id}`);
    div.dataset.notice = id;
    if (title) {
      const h = document.createElement("strong");
      h.textContent = title;
      div.append(h, " ");
    }
    const p = document.createElement("span");
    p.textContent = text;
    div.append(p);
    for (const action of actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = action.label;
      if (action.testid) b.setAttribute("data-testid", action.testid);
      if (action.secondary) b.className = "secondary";
      b.addEventListener("click", action.onClick);
      div.append(b);
    }
    this.container.append(div);
    return div;
  }

  clear(id) {
    for (const el of this.container.querySelectorAll(`[data-notice="${id}"]`)) el.remove();
  }

  clearAll() {
    this.container.replaceChildren();
  }
}
