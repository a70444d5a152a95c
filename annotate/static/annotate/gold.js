// Gold tasks page: mark a task gold (from its accepted answer) and unmark one, over the API.
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
const statusEl = document.getElementById("gold-status");

async function call(method, url) {
  const response = await fetch(url, { method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: method === "POST" ? "{}" : undefined });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `HTTP ${response.status}`);
  return body;
}

document.getElementById("gold-mark").addEventListener("submit", async (event) => {
  event.preventDefault();
  const task = Number(new FormData(event.target).get("task"));
  try {
    await call("POST", `/api/v1/tasks/${task}/gold/`);
    window.location.reload();
  } catch (err) {
    statusEl.textContent = interpolate(gettext("Task %(task)s not marked: %(why)s"), { task, why: err.message }, true);
    statusEl.className = "error";
  }
});

for (const button of document.querySelectorAll("[data-unmark]")) {
  button.addEventListener("click", async () => {
    try {
      await call("DELETE", `/api/v1/tasks/${button.dataset.unmark}/gold/`);
      window.location.reload();
    } catch (err) {
      statusEl.textContent = err.message;
      statusEl.className = "error";
    }
  });
}
