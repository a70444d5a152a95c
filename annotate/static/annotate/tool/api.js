// The REST client: session cookie + CSRF header, JSON in and out, the
// project's error shape ({detail, code, ...}) surfaced as ApiError.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || "";
  }
}

// A network failure (server down, connection dropped), not a refusal.
export class OfflineError extends Error {}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function request(method, url, body, { keepalive = false } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    keepalive,
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new OfflineError(String(err));
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text.slice(0, 200) }; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const V1 = "/api/v1";

export const api = {
  project: (projectId) => request("GET", `${V1}/projects/${projectId}/`),
  next: (projectId) => request("POST", `${V1}/projects/${projectId}/tasks/next/`, {}),
  task: (taskId) => request("GET", `${V1}/tasks/${taskId}/`),
  annotation: (taskId) => request("GET", `${V1}/tasks/${taskId}/annotation/`),
  save: (taskId, boxes, version, opts, extra) =>
    request("PUT", `${V1}/tasks/${taskId}/annotation/`, { boxes, version, ...(extra || {}) }, opts),
  submit: (taskId, activeSeconds) =>
    request("POST", `${V1}/tasks/${taskId}/submit/`, { active_seconds: activeSeconds }),
  skip: (taskId, reason) => request("POST", `${V1}/tasks/${taskId}/skip/`, { reason }),
  heartbeat: (taskId, activeSeconds, opts) =>
    request("POST", `${V1}/tasks/${taskId}/heartbeat/`, { active_seconds: activeSeconds }, opts),
  takeBack: (taskId) => request("POST", `${V1}/tasks/${taskId}/take-back/`, {}),
  progress: (projectId) => request("GET", `${V1}/projects/${projectId}/my-progress/`),
};
