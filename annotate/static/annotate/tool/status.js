// Header and notice rendering: energy tag, today's progress, save state and
// the banners that explain what happened (conflicts, expired leases, review
// comments, restored drafts).

export function renderEnergy(el, energy) {
  if (!energy || energy.kwh == null) {
    el.textContent = gettext("Energy: unknown");
    el.title = gettext("No energy has been measured or estimated for this task yet.");
    el.dataset.basis = (energy && energy.basis) || "unknown";
    return;
  }
  const kwh = energy.kwh < 0.01
    ? `${l10n.number(energy.kwh * 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} Wh`
    : `${l10n.number(energy.kwh, { minimumFractionDigits: 3, maximumFractionDigits: 3 })} kWh`;
  const share = energy.clean_share == null
    ? gettext("clean share unknown")
    : interpolate(gettext("%(share)s clean"), { share: l10n.percent(energy.clean_share) }, true);
  el.textContent = `${kwh} · ${share}`;
  const basis = BASIS_TEXT[energy.basis] ? BASIS_TEXT[energy.basis]() : energy.basis;
  el.title = energy.co2e_g == null
    ? interpolate(gettext("Energy used on this task (%(basis)s)"), { basis }, true)
    : interpolate(gettext("Energy used on this task (%(basis)s), %(co2)s g CO2e"),
      { basis, co2: l10n.number(energy.co2e_g, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }, true);
  el.dataset.basis = energy.basis || "";
}

const BASIS_TEXT = {
  measured: () => gettext("measured"),
  estimated: () => gettext("estimated"),
  mixed: () => gettext("partly measured"),
};

// my-progress: {today, total, date}: tasks submitted today and in all.
export function renderProgress(el, data) {
  if (!data || data.today == null) { el.textContent = ""; return; }
  el.textContent = interpolate(
    ngettext("%(today)s submitted today · %(total)s in all", "%(today)s submitted today · %(total)s in all", data.today),
    { today: l10n.number(data.today), total: l10n.number(data.total) }, true);
  el.title = interpolate(gettext("Your submitted tasks in this project (day: %(date)s)"),
    { date: l10n.date(`${data.date}T12:00:00+08:00`) }, true);
}

// Functions, not strings: gettext must run after the catalog has loaded.
const SAVE_TEXT = {
  saved: () => gettext("All changes saved"),
  dirty: () => gettext("Unsaved changes…"),
  saving: () => gettext("Saving…"),
  offline: () => gettext("Offline — kept in this browser"),
  error: () => gettext("Save failed — retrying"),
  blocked: () => gettext("Not saved — see the message"),
  readonly: () => gettext("Read-only"),
};

export function renderSaveState(el, state) {
  el.textContent = SAVE_TEXT[state] ? SAVE_TEXT[state]() : state;
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
