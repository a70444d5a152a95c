// The review queue: worst first, everyone's boxes over the image, accept / reject / fix.
import { request } from "../http.js";
import { dashSample, drawAnnotatorBoxes, keepScreenSizes } from "./layers.js";

const config = JSON.parse(document.getElementById("review-config").textContent);
const labels = JSON.parse(document.getElementById("label-data").textContent);
// Boxes name their label canonically; people read the display name of their language.
const shownName = new Map(labels.map((l) => [l.name, l.display_name || l.name]));
const shown = (name) => shownName.get(name) || name;
const STATUS_TEXT = {
  draft: gettext("draft"), submitted: gettext("submitted"), accepted: gettext("accepted"),
  rejected: gettext("rejected"), skipped: gettext("skipped"), superseded: gettext("superseded"),
};
const DECISION_TEXT = { accept: gettext("accepted"), reject: gettext("rejected"), fix: gettext("fixed and accepted") };
const queueEl = document.getElementById("queue");
const statusEl = document.getElementById("status");
const filters = document.getElementById("filters");
const emptyEl = document.getElementById("queue-empty");
const waitingEl = document.getElementById("waiting");
const SVG = "http://www.w3.org/2000/svg";
const annotatorNames = new Map();

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    // Through the CSSOM: a style attribute would need CSP's 'unsafe-inline'.
    else if (k === "style") Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function say(text, isError = false) {
  statusEl.textContent = text;
  statusEl.className = isError ? "error" : "muted";
}

async function load() {
  const params = new URLSearchParams(new FormData(filters));
  for (const [k, v] of [...params]) if (!v) params.delete(k);
  params.set("limit", "50");
  const [data, waiting] = await Promise.all([
    request("GET", `/api/v1/projects/${config.project}/review-queue/?${params}`),
    request("GET", `/api/v1/projects/${config.project}/review-queue/waiting/`),
  ]);
  queueEl.replaceChildren(...data.results.map(renderItem));
  renderWaiting(waiting);
  showCounts(data.count, waiting.counts);
  const select = filters.elements.annotator;
  for (const item of data.results) for (const a of item.annotations) annotatorNames.set(a.annotator.id, a.annotator.username);
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "", text: gettext("anyone") }),
    ...[...annotatorNames].map(([id, name]) => el("option", { value: id, text: name })));
  select.value = chosen;
}

// The counts come from the server (the same selector as every other page), after every decision.
async function refreshCounts() {
  const waiting = await request("GET", `/api/v1/projects/${config.project}/review-queue/waiting/`);
  renderWaiting(waiting);
  showCounts(queueEl.querySelectorAll("[data-testid=review-item]").length, waiting.counts);
}

function showCounts(inQueue, counts) {
  const text = interpolate(ngettext("%s task in review, worst first", "%s tasks in review, worst first", inQueue), [inQueue]);
  const more = interpolate(gettext("%(waiting)s waiting for more annotators · %(checking)s being checked · %(accepted)s accepted"), counts, true);
  const countEl = document.getElementById("queue-count");
  countEl.textContent = `${text} · ${more}`;
  countEl.dataset.inReview = counts.in_review;
  countEl.dataset.waiting = counts.waiting;
  emptyEl.hidden = inQueue > 0;
  if (inQueue === 0) {
    emptyEl.textContent = counts.waiting + counts.checking > 0
      ? interpolate(ngettext(
        "Nothing to review right now. %(n)s task waits for more annotators or for its quality check: it comes here by itself once every annotator has submitted and the check has run, or review it early below.",
        "Nothing to review right now. %(n)s tasks wait for more annotators or for their quality check: each comes here by itself once every annotator has submitted and the check has run, or review one early below.",
        counts.waiting + counts.checking), { n: l10n.number(counts.waiting + counts.checking) }, true)
      : gettext("Nothing to review, and nothing waiting. Tasks come here once their annotators have submitted and the quality check has run.");
  }
}

function renderWaiting(waiting) {
  const rows = waiting.results.map((w) => {
    const progress = w.task.status === "submitted"
      ? gettext("all submitted, being checked")
      : interpolate(gettext("%(submitted)s of %(overlap)s submitted"), w, true);
    const early = el("button", { type: "button", class: "quiet", "data-testid": "review-early", text: gettext("Review now"),
      onclick: async () => {
        try {
          await request("POST", `/api/v1/tasks/${w.task.id}/review-early/`, {});
          say(interpolate(gettext("Task %s is in review now."), [w.task.id]));
          await load();
        } catch (err) { say(err.message, true); }
      } });
    return el("tr", { "data-testid": "waiting-row", "data-task": w.task.id },
      el("td", { text: interpolate(gettext("Task %s"), [w.task.id]) }), el("td", { text: w.image.name || "" }),
      el("td", { "data-testid": "waiting-progress", text: progress }), el("td", { text: w.annotators.join(", ") }),
      el("td", {}, early));
  });
  waitingEl.hidden = rows.length === 0;
  waitingEl.querySelector("tbody").replaceChildren(...rows);
}

function pct(score) {
  return score === null || score === undefined ? gettext("not scored") : l10n.percent(score);
}

function drawBoxes(group, boxes, colour, extraClass = "") {
  for (const b of boxes) {
    group.append(el("svg:rect", { class: `box ${extraClass}`, x: b.x, y: b.y, width: b.width, height: b.height, stroke: colour }));
    group.append(el("svg:text", { class: "boxlabel", x: b.x + 3, y: Math.max(14, b.y - 4), text: shown(b.label) }));
  }
}

function renderItem(item) {
  const { width, height } = item.image;
  const svg = el("svg:svg", { class: "stage", viewBox: `0 0 ${width} ${height}`, "data-testid": "review-stage" });
  svg.append(el("svg:image", { href: item.image.display_url, x: 0, y: 0, width, height, preserveAspectRatio: "none" }));
  const layers = new Map();
  if (item.gold_boxes) {
    const g = el("svg:g", { "data-layer": "gold" });
    for (const b of item.gold_boxes) g.append(el("svg:rect", { class: "gold", x: b.x, y: b.y, width: b.width, height: b.height }));
    svg.append(g);
  }
  item.annotations.forEach((a, index) => {
    const g = el("svg:g", { "data-annotation": a.id });
    drawAnnotatorBoxes(g, a.boxes, a.colour, index, shown);
    layers.set(a.id, g);
    svg.append(g);
  });
  keepScreenSizes(svg, width);
  const editLayer = el("svg:g", { "data-layer": "edit" });
  svg.append(editLayer);

  const submitted = item.annotations.filter((a) => a.status === "submitted");
  const worst = [...submitted].sort((x, y) => (x.score ?? 0) - (y.score ?? 0) || x.id - y.id)[0];
  const who = el("ul", { class: "who" });
  item.annotations.forEach((a, index) => {
    const show = el("input", { type: "checkbox", checked: "", "data-testid": "annotator-toggle",
      "aria-label": interpolate(gettext("show the boxes of %(name)s"), { name: a.annotator.username }, true),
      onchange: (e) => { layers.get(a.id).style.display = e.target.checked ? "" : "none"; } });
    show.style.width = "auto";
    const li = el("li", { "data-testid": "review-annotation", "data-annotation": a.id },
      show, dashSample(a.colour, index),
      el("strong", { text: a.annotator.username }),
      el("span", { class: "muted", text: ` · ${interpolate(ngettext("%(n)s box", "%(n)s boxes", a.boxes.length),
        { n: l10n.number(a.boxes.length) }, true)} · ${STATUS_TEXT[a.status] || a.status} · ${gettext("score")} ` }),
      el("span", { class: "score", text: pct(a.score) }));
    for (const f of a.flags) li.append(el("div", { class: `flag ${f.severity}`, "data-flag": f.code,
      text: interpolate(f.severity === "red" ? gettext("Red flag: %(message)s") : gettext("Warning: %(message)s"), { message: f.message }, true) }));
    if (!a.flags.length && a.score !== null) li.append(el("div", { class: "flag muted", text: gettext("no flags") }));
    who.append(li);
  });
  if (item.gold_boxes) who.append(el("li", { class: "muted", text: gettext("White dashes: the gold answer.") }));

  const target = el("select", { "data-testid": "decision-annotation", "aria-label": gettext("annotation to decide on") });
  target.style.width = "auto";
  for (const a of submitted) target.append(el("option", { value: a.id, text: `${a.annotator.username} (${pct(a.score)})` }));
  if (worst) target.value = worst.id;
  const comment = el("textarea", { placeholder: gettext("Comment for the annotator (required to reject)"), "data-testid": "reject-comment" });
  const card = el("article", { class: "card item", "data-testid": "review-item", "data-task": item.task.id });

  async function decide(payload) {
    try {
      await request("POST", `/api/v1/tasks/${item.task.id}/review/`, payload);
      card.remove();
      say(interpolate(gettext("Task %(task)s: %(decision)s recorded."), { task: item.task.id, decision: DECISION_TEXT[payload.decision] || payload.decision }, true));
      await refreshCounts();
    } catch (err) {
      say(interpolate(gettext("Task %(id)s: %(error)s"), { id: item.task.id, error: err.message }, true), true);
    }
  }
  // Accept takes the annotation chosen above; the others are superseded unless "accept all".
  const accept = el("button", { type: "button", "data-testid": "decision-accept", text: gettext("Accept this one"),
    onclick: () => decide({ decision: "accept", annotation: Number(target.value), comment: comment.value }) });
  const acceptAll = el("button", { type: "button", class: "quiet", "data-testid": "decision-accept-all",
    text: gettext("Accept all"), onclick: () => decide({ decision: "accept", accept_all: true, comment: comment.value }) });
  acceptAll.hidden = submitted.length < 2;
  const reject = el("button", { type: "button", class: "reject", "data-testid": "decision-reject", text: gettext("Reject"),
    onclick: () => {
      if (!comment.value.trim()) { say(gettext("Say what to fix: a rejection needs a comment."), true); comment.focus(); return; }
      decide({ decision: "reject", comment: comment.value, annotation: Number(target.value) });
    } });
  const editor = el("div", { class: "editor" });
  const fix = el("button", { type: "button", class: "fix", "data-testid": "decision-fix", text: gettext("Fix boxes…"),
    onclick: () => {
      const chosen = item.annotations.find((a) => a.id === Number(target.value));
      startFix({ svg, editLayer, layers, editor, boxes: chosen ? chosen.boxes : [], width, height,
        onSave: (boxes) => decide({ decision: "fix", boxes, annotation: Number(target.value), comment: comment.value }) });
    } });
  card.append(el("div", {}, svg),
    el("div", {}, el("h2", { text: interpolate(gettext("Task %(id)s"), { id: item.task.id }, true)
        + (item.task.is_gold ? " · " + gettext("gold") : "") + ` · ${item.image.name || ""}` }),
      el("p", { class: "muted", text: interpolate(gettext("Worst score %(score)s"), { score: pct(item.score) }, true) }), who,
      el("label", { text: gettext("Decide on") + " " }, target), comment,
      el("div", { class: "actions" }, accept, acceptAll, reject, fix), editor));
  return card;
}

// --- fix: drag a box to move it, its corner to resize it, or edit the numbers ---
function startFix({ svg, editLayer, layers, editor, boxes, width, height, onSave }) {
  for (const g of layers.values()) g.style.opacity = "0.35";
  let edit = boxes.map((b) => ({ ...b }));
  const clamp = (b) => {
    b.width = Math.max(1, Math.min(b.width, width));
    b.height = Math.max(1, Math.min(b.height, height));
    b.x = Math.min(Math.max(0, b.x), width - b.width);
    b.y = Math.min(Math.max(0, b.y), height - b.height);
  };
  const toSvg = (event) => {
    const pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
    return { x: pt.x, y: pt.y };
  };
  const handle = Math.max(width, height) / 60;

  let nodes = [];

  function place(i) {
    const b = edit[i];
    const n = nodes[i];
    for (const [k, v] of Object.entries({ x: b.x, y: b.y, width: b.width, height: b.height })) n.rect.setAttribute(k, v);
    n.corner.setAttribute("x", b.x + b.width - handle / 2);
    n.corner.setAttribute("y", b.y + b.height - handle / 2);
    n.text.setAttribute("x", b.x + 3);
    n.text.setAttribute("y", Math.max(14, b.y - 4));
    n.text.textContent = shown(b.label);
    for (const key of ["x", "y", "width", "height"]) {
      const input = editor.querySelector(`[data-testid="fix-${key}-${i}"]`);
      if (input && document.activeElement !== input) input.value = Math.round(b[key] * 100) / 100;
    }
  }

  function draw() {
    editLayer.replaceChildren();
    table();
    nodes = edit.map((b, i) => {
      const rect = el("svg:rect", { class: "box editable", stroke: "#ffe119", "data-testid": "fix-box", "data-index": i });
      const corner = el("svg:rect", { class: "handle", width: handle, height: handle, "data-testid": "fix-handle", "data-index": i });
      const text = el("svg:text", { class: "boxlabel" });
      drag(rect, i, "move");
      drag(corner, i, "resize");
      editLayer.append(rect, corner, text);
      return { rect, corner, text };
    });
    edit.forEach((_, i) => place(i));
  }

  function drag(node, index, mode) {
    node.addEventListener("pointerdown", (down) => {
      down.preventDefault();
      node.setPointerCapture(down.pointerId);
      const start = toSvg(down);
      const orig = { ...edit[index] };
      const move = (ev) => {
        const p = toSvg(ev);
        const b = edit[index];
        if (mode === "move") { b.x = orig.x + p.x - start.x; b.y = orig.y + p.y - start.y; }
        else { b.width = orig.width + p.x - start.x; b.height = orig.height + p.y - start.y; }
        clamp(b);
        place(index);
      };
      const up = () => { node.removeEventListener("pointermove", move); node.removeEventListener("pointerup", up); };
      node.addEventListener("pointermove", move);
      node.addEventListener("pointerup", up);
    });
  }

  function table() {
    const rows = edit.map((b, i) => {
      const label = el("select", { "data-field": "label", "aria-label": gettext("label") });
      for (const l of labels) label.append(el("option", { value: l.name, text: l.display_name || l.name }));
      label.value = b.label;
      label.addEventListener("change", () => { b.label = label.value; place(i); });
      const num = (key) => {
        const input = el("input", { type: "number", step: "0.5", value: Math.round(b[key] * 100) / 100,
          "data-testid": `fix-${key}-${i}`, "aria-label": key });
        input.addEventListener("change", () => { b[key] = Number(input.value); clamp(b); place(i); });
        return el("td", {}, input);
      };
      return el("tr", {}, el("td", {}, label), num("x"), num("y"), num("width"), num("height"),
        el("td", {}, el("button", { type: "button", class: "quiet", text: "✕", "aria-label": gettext("remove box"),
          onclick: () => { edit.splice(i, 1); draw(); } })));
    });
    const add = el("button", { type: "button", class: "quiet", text: gettext("Add box"), onclick: () => {
      edit.push({ label: labels[0].name, x: width / 4, y: height / 4, width: width / 8, height: height / 8 }); draw();
    } });
    const save = el("button", { type: "button", "data-testid": "fix-save", text: gettext("Save fix and accept"),
      onclick: () => onSave(edit.map((b) => ({ label: b.label, x: b.x, y: b.y, width: b.width, height: b.height }))) });
    const cancel = el("button", { type: "button", class: "quiet", text: gettext("Cancel"), onclick: () => {
      editLayer.replaceChildren(); editor.replaceChildren();
      for (const g of layers.values()) g.style.opacity = "";
    } });
    editor.replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, ...[gettext("label"), "x", "y", gettext("width"), gettext("height"), ""]
      .map((h) => el("th", { text: h })))), el("tbody", {}, ...rows)), el("div", { class: "actions" }, add, save, cancel));
  }
  draw();
}

filters.addEventListener("change", () => load().catch((e) => say(e.message, true)));
load().catch((e) => say(e.message, true));
