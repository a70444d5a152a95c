// Dataset page: request an export through the API and follow its progress live.
import { request } from "./http.js";

{
  const config = JSON.parse(document.getElementById("datasets-config").textContent);
  const rows = document.getElementById("export-rows");
  const form = document.getElementById("export-form");
  const errorBox = document.getElementById("export-error");
  const ACTIVE = new Set(["pending", "running"]);
  const STATE_TEXT = {
    pending: gettext("Pending"), running: gettext("Running"), done: gettext("Done"),
    failed: gettext("Failed"), expired: gettext("Expired"),
  };
  const SELECTION_TEXT = {
    accepted: gettext("Accepted only"), submitted: gettext("Submitted and accepted"), all: gettext("All tasks"),
  };
  let timer = null;

  function size(bytes) {
    if (!bytes) return "";
    const units = [gettext("bytes"), "KB", "MB", "GB"];
    let value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    const digits = unit ? 1 : 0;
    return l10n.number(value, { minimumFractionDigits: digits, maximumFractionDigits: digits }) + "\u00a0" + units[unit];
  }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (text !== undefined) td.textContent = text;
    return td;
  }

  function renderRow(e) {
    const tr = document.createElement("tr");
    tr.dataset.exportId = e.id;
    tr.dataset.state = e.state;
    tr.appendChild(cell("v" + e.version));
    const tasks = cell(" \u00b7 " + (SELECTION_TEXT[e.status] || e.status) +
      (e.include_images ? " " + gettext("+ images") : "") +
      (e.zero_based_categories ? " \u00b7 " + gettext("0-based") : ""));
    const format = document.createElement("span");
    format.className = "format"; format.textContent = e.format.toUpperCase();
    tasks.prepend(format);
    tr.appendChild(tasks);
    tr.appendChild(cell(STATE_TEXT[e.state] || e.state, "state"));
    const progressCell = cell();
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = e.progress;
    const pct = document.createElement("span");
    pct.className = "pct"; pct.textContent = " " + l10n.percent(e.progress / 100);
    progressCell.append(bar, pct);
    tr.appendChild(progressCell);
    const done = e.state === "done" || e.state === "expired";
    tr.appendChild(cell(done ? l10n.number(e.image_count) + " / " + l10n.number(e.annotation_count) : ""));
    tr.appendChild(cell(size(e.byte_size)));
    const shaCell = cell();
    const code = document.createElement("code");
    code.title = e.sha256; code.textContent = (e.sha256 || "").slice(0, 12);
    shaCell.appendChild(code);
    tr.appendChild(shaCell);
    const action = cell();
    if (e.state === "done") {
      const a = document.createElement("a");
      a.href = e.download_url; a.download = e.filename; a.textContent = interpolate(gettext("Download %(file)s"), { file: e.filename }, true);
      action.appendChild(a);
    } else if (e.state === "failed") {
      action.className = "error"; action.textContent = e.error.slice(0, 80);
    } else if (e.state === "expired") {
      action.className = "muted"; action.textContent = gettext("file removed");
    }
    tr.appendChild(action);
    return tr;
  }

  function render(list) {
    rows.replaceChildren(...list.map(renderRow));
    if (!list.length) {
      const tr = document.createElement("tr");
      tr.className = "none";
      const td = cell(gettext("No versions yet."), "muted"); td.colSpan = 8;
      tr.appendChild(td); rows.appendChild(tr);
    }
    schedule(list.some((e) => ACTIVE.has(e.state)));
  }

  async function refresh() {
    timer = null;
    let list;
    try {
      list = await request("GET", "/api/v1/projects/" + config.projectId + "/exports/");
    } catch {
      schedule(true);  // a dropped poll: try again rather than freeze the progress bars
      return;
    }
    render(list);
  }

  function schedule(active) {
    if (active && timer === null) timer = window.setTimeout(refresh, 1000);
  }

  if (form) {
    const zeroBased = form.querySelector("input[name=zero_based_categories]");
    form.addEventListener("change", () => {
      zeroBased.disabled = new FormData(form).get("format") !== "coco";
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorBox.textContent = "";
      const data = new FormData(form);
      const body = {
        format: data.get("format"),
        status: data.get("status"),
        include_images: data.has("include_images"),
        // Category ids are a COCO notion: YOLO classes are always 0..K-1 in label order.
        zero_based_categories: data.get("format") === "coco" && data.has("zero_based_categories"),
        deferrable: data.has("deferrable"),
      };
      try {
        await request("POST", "/api/v1/projects/" + config.projectId + "/exports/", body);
      } catch (err) {
        errorBox.textContent = err.message;
        return;
      }
      await refresh();
    });
  }

  schedule(Array.from(rows.querySelectorAll("tr[data-state]")).some((tr) => ACTIVE.has(tr.dataset.state)));
}
