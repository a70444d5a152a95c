// Header and notice rendering: energy tag, today's progress, save state and
// the banners that explain what happened (conflicts, expired leases, review
// comments, restored drafts).

// Watt-hours below a kilowatt-hour, two significant digits for small figures;
// nothing measured yet (no figure, or zero) is a dash, never a made-up "0.0 Wh".
export function formatEnergy(kwh) {
  if (kwh == null || !(kwh > 0)) return "—";
  if (kwh >= 1) return `${l10n.number(kwh, { maximumFractionDigits: 2 })} kWh`;
  const wh = kwh * 1000;
  const digits = wh >= 10 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 2 };
  return `${l10n.number(wh, digits)} Wh`;
}

export function renderEnergy(el, energy) {
  if (!energy || !(energy.kwh > 0)) {
    el.textContent = gettext("Energy: —");
    el.title = gettext("No energy has been measured or estimated for this task yet.");
    el.dataset.basis = "unknown";
    return;
  }
  const share = energy.clean_share == null
    ? gettext("clean share unknown")
    : interpolate(gettext("%(share)s clean"), { share: l10n.percent(energy.clean_share) }, true);
  el.textContent = `${formatEnergy(energy.kwh)} · ${share}`;
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
  lapsed: () => gettext("Lease lapsed — not saving"),
};

export function renderSaveState(el, state) {
  el.textContent = SAVE_TEXT[state] ? SAVE_TEXT[state]() : state;
  el.dataset.state = state;
}

// Most pressing first: an error hides a warning, which hides a review comment, ...
const RANK = { error: 3, warn: 2, review: 1, info: 0 };
const TRANSIENT_MS = 6000;

// The one status area above the image. It has a fixed height (tool.css), so
// a message never pushes the image down mid-stroke, and it shows one message
// at a time: the most pressing, newest first; "n more" steps through the rest.
// With no message it says what to do next (`hint`).
export class Notices {
  constructor(container, hint = () => "") {
    this.container = container;
    this.hint = hint;
    this.items = new Map(); // id -> {kind, title, text, actions, seq}
    this.seq = 0;
    this.pinned = null; // an id the annotator stepped to with "n more"
    this.timers = new Map();
  }

  show(id, { kind = "info", title = "", text = "", actions = [], transient = false }) {
    clearTimeout(this.timers.get(id));
    this.items.set(id, { id, kind, title, text, actions, seq: ++this.seq });
    if (transient) this.timers.set(id, setTimeout(() => this.clear(id), TRANSIENT_MS));
    this.pinned = null;
    this.render();
  }

  clear(id) {
    clearTimeout(this.timers.get(id));
    if (!this.items.delete(id)) return;
    if (this.pinned === id) this.pinned = null;
    this.render();
  }

  clearAll() {
    for (const t of this.timers.values()) clearTimeout(t);
    this.items.clear();
    this.pinned = null;
    this.render();
  }

  ordered() {
    return [...this.items.values()].sort((a, b) => (RANK[b.kind] - RANK[a.kind]) || (b.seq - a.seq));
  }

  render() {
    const all = this.ordered();
    const current = (this.pinned && this.items.get(this.pinned)) || all[0];
    const div = document.createElement("div");
    if (!current) {
      div.className = "notice hint";
      div.setAttribute("data-testid", "notice-hint");
      div.textContent = this.hint();
      this.container.replaceChildren(div);
      return;
    }
    div.className = `notice ${current.kind}`;
    div.setAttribute("role", current.kind === "error" || current.kind === "warn" ? "alert" : "status");
    div.setAttribute("data-testid", `notice-${current.id}`);
    div.dataset.notice = current.id;
    const body = document.createElement("span");
    body.className = "notice-text";
    if (current.title) {
      const h = document.createElement("strong");
      h.textContent = current.title;
      body.append(h, " ");
    }
    body.append(current.text);
    // The whole text on hover, should it ever not fit the area's height.
    body.title = `${current.title} ${current.text}`.trim();
    const buttons = document.createElement("span");
    buttons.className = "notice-actions";
    for (const action of current.actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = action.label;
      if (action.testid) b.setAttribute("data-testid", action.testid);
      if (action.secondary) b.className = "secondary";
      b.addEventListener("click", action.onClick);
      buttons.append(b);
    }
    if (all.length > 1) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "link more";
      more.setAttribute("data-testid", "notice-more");
      const n = all.length - 1;
      more.textContent = interpolate(ngettext("%(n)s more message", "%(n)s more messages", n), { n: l10n.number(n) }, true);
      more.addEventListener("click", () => {
        const i = all.indexOf(current);
        this.pinned = all[(i + 1) % all.length].id;
        this.render();
      });
      buttons.append(more);
    }
    div.append(body, buttons);
    this.container.replaceChildren(div);
  }

  // Keyboard access to the shown message's buttons.
  focusActions() {
    const button = this.container.querySelector("button");
    if (button) button.focus();
    return !!button;
  }
}
