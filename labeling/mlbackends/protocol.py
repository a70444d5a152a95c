"""HTTP calls of the Label Studio ML backend protocol, as Label Studio makes them.

Matches label-studio-ml 2.0.x (``label_studio_ml/api.py`` of
HumanSignal/label-studio-ml-backend, version 2.0.1dev0): ``GET /health`` →
``{"status": "UP"}``; ``POST /setup`` ``{"project": "<id>.<created ts>",
"schema": <label config>, ...}`` → ``{"model_version"}``; ``POST /predict``
``{"tasks", "project", "label_config", "params": {"context"}}`` →
``{"results": [{"result": [...], "score", "model_version"}, ...]}`` (1.0.9
also puts ``model_version`` beside ``results``); ``POST /webhook``
``{"action": "START_TRAINING", "project": {"id", "label_config"}, ...}``
(with the accepted annotations under ``annotations``, which LS's own backends
would fetch through its API) and the older ``POST /train``.

Redirects are never followed (a redirect could point inside the network).
"""

import json
import socket
import urllib.error
import urllib.request
from typing import Any

from django.utils.translation import gettext as _

from labeling.mlbackends.guard import url_check

MAX_RESPONSE_BYTES = 50 * 1024 * 1024


class BackendError(Exception):
    """A call that did not give a usable answer; ``code`` says which way it failed."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def call(base_url: str, path: str, *, payload: Any = None, auth_header: str = "", timeout: float = 30.0) -> Any:
    """One protocol call; the decoded JSON answer, or BackendError."""
    url = url_check(base_url) + path
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="GET" if payload is None else "POST")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if auth_header:
        request.add_header("Authorization", auth_header)
    try:
        with _opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise BackendError(_("%(path)s answered HTTP %(status)s.") % {"path": path, "status": exc.code},
                           code="backend_http_error") from None
    except (TimeoutError, socket.timeout):
        raise BackendError(_("%(path)s did not answer within %(s)s s.") % {"path": path, "s": timeout},
                           code="backend_timeout") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise BackendError(_("%(path)s did not answer within %(s)s s.") % {"path": path, "s": timeout},
                               code="backend_timeout") from None
        raise BackendError(_("The backend cannot be reached: %(reason)s") % {"reason": reason},
                           code="backend_unreachable") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise BackendError(_("%(path)s answered more than %(n)d bytes.") % {"path": path, "n": MAX_RESPONSE_BYTES},
                           code="backend_malformed")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BackendError(_("%(path)s did not answer JSON.") % {"path": path}, code="backend_malformed") from None


def health(base_url: str, *, auth_header: str = "", timeout: float = 10.0) -> dict:
    answer = call(base_url, "/health", auth_header=auth_header, timeout=timeout)
    if not isinstance(answer, dict) or answer.get("status") != "UP":
        raise BackendError(_("/health did not say the backend is UP."), code="backend_down")
    return answer


def setup(base_url: str, *, project: str, label_config: str, auth_header: str = "", timeout: float = 30.0) -> str:
    """Tell the backend the project's label config; its current model version."""
    answer = call(base_url, "/setup", auth_header=auth_header, timeout=timeout, payload={
        "project": project, "schema": label_config, "hostname": "", "access_token": "", "extra_params": {},
    })
    if not isinstance(answer, dict):
        raise BackendError(_("/setup did not answer an object."), code="backend_malformed")
    version = answer.get("model_version")
    return "" if version is None else str(version)[:200]


def predict(base_url: str, *, tasks: list[dict], project: str, label_config: str, auth_header: str = "",
            timeout: float = 30.0) -> tuple[list, str]:
    """The per-task results (one entry per task, in order) and the answer's own model version."""
    answer = call(base_url, "/predict", auth_header=auth_header, timeout=timeout, payload={
        "tasks": tasks, "project": project, "label_config": label_config, "params": {"context": None},
    })
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise BackendError(_("/predict did not answer {\"results\": [...]}."), code="backend_malformed")
    results = answer["results"]
    if len(results) != len(tasks):
        raise BackendError(_("/predict answered %(got)d results for %(sent)d tasks.")
                           % {"got": len(results), "sent": len(tasks)}, code="backend_malformed")
    version = answer.get("model_version")
    return results, "" if version is None else str(version)[:200]


def train(base_url: str, *, project: dict, annotations: list[dict], auth_header: str = "",
          timeout: float = 300.0) -> Any:
    """Ask for training the way Label Studio does (``/webhook``), falling back to ``/train``."""
    try:
        return call(base_url, "/webhook", auth_header=auth_header, timeout=timeout, payload={
            "action": "START_TRAINING", "project": project, "annotations": annotations,
        })
    except BackendError as exc:
        if exc.code != "backend_http_error":
            raise
    # Backends of label-studio-ml before 1.4.1 train on /train.
    return call(base_url, "/train", auth_header=auth_header, timeout=timeout, payload={
        "annotations": annotations, "project": project["id"], "label_config": project["label_config"],
    })
