// Upload page: drop files, folders or zips; they go to the images API in small
// batches, each file with its own progress bar fed by XHR upload events (fetch
// reports no upload progress, so this is the one caller that does not use request()).
import { csrfToken } from "./http.js";

const root = document.querySelector("[data-upload]");
const url = root.dataset.url;
// A new task is open: its link shows the image (the box tool is for annotators; annotate/pages/task_links.py).
const imageUrl = (id) => root.dataset.imageUrl.replace("/0/", `/${id}/`);
const batchFiles = Number(root.dataset.batchFiles) || 4;
const batchBytes = Number(root.dataset.batchBytes) || 48 * 1024 * 1024;
const maxFileBytes = Number(root.dataset.maxFileBytes);
const maxRequestBytes = Number(root.dataset.maxRequestBytes);
const parallel = Number(root.dataset.parallel) || 2;

const dropzone = root.querySelector(".dropzone");
const rowsBody = root.querySelector("[data-testid=upload-rows]");
const overall = root.querySelector("[data-testid=upload-overall]");
const overallBar = overall.querySelector("progress");
// Files (what was chosen) and images (what the server made of them: a zip's members one by one).
const counts = { done: 0, total: 0, created: 0, duplicate: 0, error: 0, members: 0, zips: 0 };
const queue = [];
const entries = [];
let active = 0;

function human(bytes) {
  const fixed = (v, d) => l10n.number(v, { minimumFractionDigits: d, maximumFractionDigits: d });
  if (bytes < 1024) return `${fixed(bytes, 0)} B`;
  if (bytes < 1024 ** 2) return `${fixed(bytes / 1024, 0)} KiB`;
  if (bytes < 1024 ** 3) return `${fixed(bytes / 1024 ** 2, 1)} MiB`;
  return `${fixed(bytes / 1024 ** 3, 2)} GiB`;
}

// Write a translated sentence with its %(name)s numbers as <span data-count=name> elements.
function fill(el, template, values) {
  el.replaceChildren();
  for (const part of template.split(/(%\(\w+\)s)/)) {
    const m = part.match(/^%\((\w+)\)s$/);
    if (m) {
      const span = document.createElement("span");
      span.dataset.count = m[1];
      span.textContent = l10n.number(values[m[1]]);
      el.append(span);
    } else if (part) {
      el.append(part);
    }
  }
}

function render() {
  fill(overall.querySelector("[data-files-line]"),
    ngettext("Files: %(done)s of %(total)s sent", "Files: %(done)s of %(total)s sent", counts.total), counts);
  const images = counts.created + counts.duplicate + counts.error;
  const parts = [
    ngettext("Images: %(created)s created", "Images: %(created)s created", counts.created),
    ngettext("%(duplicate)s already in the project", "%(duplicate)s already in the project", counts.duplicate),
    ngettext("%(error)s refused", "%(error)s refused", counts.error),
  ];
  let line = parts.join(" · ");
  if (counts.zips) {
    line += " " + ngettext("(%(members)s of them from inside %(zips)s zip)", "(%(members)s of them from inside %(zips)s zips)", counts.zips);
  }
  fill(overall.querySelector("[data-images-line]"), images ? line : "", counts);
  const total = entries.reduce((sum, e) => sum + e.file.size, 0) || 1;
  const sent = entries.reduce((sum, e) => sum + e.sent, 0);
  overallBar.value = sent / total;
}

function addFile(file, label) {
  const row = document.createElement("tr");
  row.setAttribute("data-testid", "upload-row");
  row.dataset.status = "queued";
  const name = document.createElement("td");
  name.textContent = label || file.name;
  const size = document.createElement("td");
  size.textContent = human(file.size);
  const barCell = document.createElement("td");
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.value = 0;
  barCell.append(bar);
  const result = document.createElement("td");
  result.className = "result";
  result.textContent = gettext("waiting");
  row.append(name, size, barCell, result);
  rowsBody.append(row);
  const entry = { file, row, bar, result, sent: 0, results: [] };
  entries.push(entry);
  counts.total += 1;
  overall.hidden = false;
  root.querySelector("table.files").hidden = false;
  if (file.size > maxFileBytes || file.size > maxRequestBytes) {
    finish(entry, [{ status: "error", code: "file_too_large", detail: interpolate(gettext("Larger than the limit of %(size)s."), { size: human(Math.min(maxFileBytes, maxRequestBytes)) }, true) }]);
  } else {
    queue.push(entry);
  }
}

function finish(entry, results) {
  entry.results = results;
  entry.sent = entry.file.size;
  entry.bar.value = 1;
  const statuses = results.map((r) => r.status);
  const status = statuses.includes("error") ? "error" : statuses.includes("created") ? "created" : "duplicate";
  entry.row.dataset.status = status;
  entry.result.textContent = "";
  if (results.some((r) => r.name && r.name !== entry.file.name)) counts.zips += 1;
  for (const r of results) {
    const line = document.createElement("div");
    const inner = r.name && r.name !== entry.file.name ? `${r.name.slice(entry.file.name.length + 1)}: ` : "";
    if (inner) counts.members += 1;
    if (r.status === "created" && r.task_id) {
      const link = document.createElement("a");
      link.href = imageUrl(r.image_id);
      link.textContent = interpolate(gettext("task %(id)s"), { id: r.task_id }, true);
      line.append(`${inner}${gettext("created")} · `, link);
    } else if (r.status === "duplicate") {
      line.textContent = inner + interpolate(gettext("already in the project (task %(id)s)"), { id: r.task_id ?? "?" }, true);
    } else {
      line.textContent = `${inner}${r.detail || gettext("refused")}`;
      if (r.code) line.title = r.code;
    }
    entry.result.append(line);
    counts[r.status] = (counts[r.status] || 0) + 1;
  }
  counts.done += 1;
  render();
}

function nextBatch() {
  const batch = [];
  let bytes = 0;
  while (queue.length && batch.length < batchFiles) {
    const size = queue[0].file.size;
    if (batch.length && bytes + size > batchBytes) break;
    bytes += size;
    batch.push(queue.shift());
  }
  return batch;
}

// Results come back in input order; a zip gives one result per member, named "zip/member".
function assign(batch, results) {
  let i = 0;
  for (const entry of batch) {
    const mine = [];
    while (i < results.length) {
      const name = results[i].name || "";
      const belongs = name === entry.file.name || name.startsWith(`${entry.file.name}/`);
      if (!belongs && mine.length) break;
      mine.push(results[i]);
      i += 1;
      if (name === entry.file.name) break;
    }
    finish(entry, mine.length ? mine : [{ status: "error", detail: gettext("No result from the server.") }]);
  }
}

function send(batch) {
  active += 1;
  const form = new FormData();
  for (const entry of batch) {
    form.append("files", entry.file, entry.file.name);
    entry.row.dataset.status = "sending";
    entry.result.textContent = gettext("sending");
  }
  const xhr = new XMLHttpRequest();
  xhr.open("POST", url);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (event) => {
    // The request body is the files in order: spread the bytes sent over them.
    let left = event.loaded;
    for (const entry of batch) {
      const share = Math.max(0, Math.min(entry.file.size, left));
      left -= entry.file.size;
      entry.sent = share;
      entry.bar.value = entry.file.size ? share / entry.file.size : 1;
      if (share >= entry.file.size) entry.result.textContent = gettext("checking");
    }
    render();
  });
  xhr.addEventListener("load", () => {
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (err) {
      body = null;
    }
    if ((xhr.status === 200 || xhr.status === 207) && Array.isArray(body)) {
      assign(batch, body);
    } else {
      const detail = (body && body.detail) || interpolate(gettext("The server answered %(status)s."), { status: xhr.status }, true);
      for (const entry of batch) finish(entry, [{ status: "error", code: body && body.code, detail }]);
    }
    done();
  });
  xhr.addEventListener("error", () => {
    for (const entry of batch) finish(entry, [{ status: "error", code: "network", detail: gettext("The upload failed (network).") }]);
    done();
  });
  xhr.send(form);
}

function done() {
  active -= 1;
  pump();
}

function pump() {
  while (active < parallel && queue.length) send(nextBatch());
}

function addFiles(list) {
  for (const file of list) addFile(file, file.webkitRelativePath || file.name);
  pump();
}

// Dropped folders arrive as entries: walk them to their files.
async function filesOfEntry(entry, prefix = "") {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [[file, prefix + file.name]];
  }
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    children.push(...batch);
  }
  const nested = await Promise.all(
    children.filter((c) => !c.name.startsWith(".")).map((c) => filesOfEntry(c, `${prefix}${entry.name}/`)),
  );
  return nested.flat();
}

dropzone.addEventListener("dragover", (event) => {
  event.preventDefault();
  dropzone.classList.add("over");
});
dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
dropzone.addEventListener("drop", async (event) => {
  event.preventDefault();
  dropzone.classList.remove("over");
  const items = [...(event.dataTransfer.items || [])];
  const dropped = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (dropped.length && dropped.every(Boolean)) {
    const found = (await Promise.all(dropped.map((entry) => filesOfEntry(entry)))).flat();
    for (const [file, label] of found) addFile(file, label);
    pump();
  } else {
    addFiles(event.dataTransfer.files);
  }
});
function takeChosen(input) {
  if (!input.files.length) return;
  addFiles(input.files);
  input.value = "";
}
for (const input of root.querySelectorAll("input[type=file]")) {
  input.addEventListener("change", () => takeChosen(input));
  // Files chosen on a slow connection, before this script ran, fired no change we heard.
  takeChosen(input);
}
