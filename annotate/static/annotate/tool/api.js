// The REST calls of the tool, through the site's one HTTP helper.
import { request } from "../http.js";

export { ApiError, OfflineError } from "../http.js";

const V1 = "/api/v1";

export const api = {
  project: (projectId) => request("GET", `${V1}/projects/${projectId}/`),
  next: (projectId) => request("POST", `${V1}/projects/${projectId}/tasks/next/`, {}),
  task: (taskId) => request("GET", `${V1}/tasks/${taskId}/`),
  annotation: (taskId) => request("GET", `${V1}/tasks/${taskId}/annotation/`),
  save: (taskId, boxes, version, opts, extra) =>
    request("PUT", `${V1}/tasks/${taskId}/annotation/`, { boxes, version, ...(extra || {}) }, opts),
  // body: {active_seconds?, next?, and the final save's boxes + version (+ from_prediction)?}
  submit: (taskId, body) => request("POST", `${V1}/tasks/${taskId}/submit/`, body),
  skip: (taskId, reason) => request("POST", `${V1}/tasks/${taskId}/skip/`, { reason }),
  heartbeat: (taskId, activeSeconds, opts) =>
    request("POST", `${V1}/tasks/${taskId}/heartbeat/`, { active_seconds: activeSeconds }, opts),
  takeBack: (taskId) => request("POST", `${V1}/tasks/${taskId}/take-back/`, {}),
  progress: (projectId) => request("GET", `${V1}/projects/${projectId}/my-progress/`),
};
