"""The annotation park as Locust users: annotators, supervisors, a client.

Run headless against a running server (``bench/park/stack.py`` starts one;
``bench/park/capacity.py`` runs the whole search):

    PARK_STATE=bench/.park-state.json .venv/bin/locust -f bench/park/locustfile.py --headless \
        -u 204 -r 4 -t 300s --host http://127.0.0.1:8300 --reset-stats --csv /tmp/park

``-u`` counts everyone: the supervisors and clients (fixed counts below) are
taken first, the rest are annotators.

An annotator does what the labeling tool (``annotate/static/annotate/tool/``)
does for a person drawing boxes:

- signs in once (``POST /api/v1/auth/token/``; the token is kept, as the
  browser keeps its session, in ``PARK_TOKENS`` when set);
- leases its first task (``POST .../tasks/next/``, which carries today's
  progress), fetches its display image and its thumbnail (signed links);
- draws, autosaves (each save renewing the lease, and carrying the active
  seconds once 30 s passed since the last report) and heartbeats at the tool's cadence for
  ``PARK_THINK`` seconds (30–60; ``bench/park/cadence.py`` says how);
- submits with its active seconds and ``"next": true``, as Ctrl+Enter does:
  the answer carries the next task, so there is no separate "next" request.

Supervisors poll the review queue every ``PARK_REVIEW_EVERY`` seconds (10–20)
and decide up to three tasks of their share (supervisor i of n takes task ids
≡ i mod n): accept, or reject one in ten with a comment. The client requests a
COCO export every ``PARK_EXPORT_EVERY`` seconds (180), polls it every 2 s and
downloads it.

Request names start with who makes them: ``A`` annotator, ``S`` supervisor,
``C`` client. ``PARK_LEDGER`` (a file path) records every lease and every 2xx
save, for the smoke test's correctness checks.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.park.calls import timed_call  # noqa: E402
from bench.park.cadence import (  # noqa: E402
    CLIENTS, EXPORT_EVERY_S, HEARTBEAT_S, REVIEW_EVERY, SUPERVISORS, THINK, next_boxes, task_plan,
)

STATE = json.loads(open(os.environ.get("PARK_STATE", "bench/.park-state.json")).read())
PROJECT = STATE["project"]


class _Ledger:
    """Append-only JSON lines: what the server acknowledged, for the smoke test."""

    def __init__(self, path: str | None) -> None:
        self.file = open(path, "a") if path else None
        self.lock = threading.Lock()

    def write(self, **row) -> None:
        if self.file is None:
            return
        with self.lock:
            self.file.write(json.dumps(row) + "\n")
            self.file.flush()


LEDGER = _Ledger(os.environ.get("PARK_LEDGER"))


@events.request.add_listener
def _failed(request_type, name, response_time, response_length, exception=None, **kwargs) -> None:
    # When each failure happened: the fault drills measure error bursts from these.
    if exception is not None:
        LEDGER.write(kind="failure", name=name, at=time.time(), error=str(exception)[:120])


class _Tokens:
    """Tokens by username, kept across runs when ``PARK_TOKENS`` names a file."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.known = json.loads(open(path).read()) if path and os.path.exists(path) else {}

    def get(self, username: str) -> str | None:
        return self.known.get(username)

    def put(self, username: str, token: str) -> None:
        self.known[username] = token
        if self.path:
            with open(self.path, "w") as out:
                json.dump(self.known, out)


TOKENS = _Tokens(os.environ.get("PARK_TOKENS"))
_numbers = {"annotators": itertools.count(), "supervisors": itertools.count(), "clients": itertools.count()}


def flow(name: str, waited_ms: float) -> None:
    """One task's server time, summed over its calls, as a row of its own."""
    events.request.fire(request_type="FLOW", name=name, response_time=waited_ms, response_length=0,
                        exception=None, context={})


class _Person(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    waited_ms = 0.0
    role = "annotators"
    prefix = "A"

    def on_start(self) -> None:
        self.index = next(_numbers[self.role])
        self.username = STATE[self.role][self.index % len(STATE[self.role])]
        self.token = TOKENS.get(self.username)
        while self.token is None:
            with self.client.post("/api/v1/auth/token/", json={"username": self.username,
                                                               "password": STATE["password"]},
                                  name=f"{self.prefix} sign-in", catch_response=True) as response:
                if response.status_code == 200:
                    self.token = response.json()["token"]
                    TOKENS.put(self.username, self.token)
                else:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    gevent.sleep(5)
        self.headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}

    def call(self, name: str, method: str, path: str, body=None, ok=(200,), raw: bool = False):
        return timed_call(self, name, method, path, body=body, ok=ok, raw=raw)


class Annotator(_Person):
    role, prefix = "annotators", "A"

    def on_start(self) -> None:
        super().on_start()
        self.rng = random.Random()
        self.following = None  # the next task, as the last submit's answer carried it
        # People do not all start at the same instant of their task.
        gevent.sleep(self.rng.uniform(0, THINK[0] / 3))

    @task
    def label_one_task(self) -> None:
        self.waited_ms = 0.0
        leased, self.following = self.following, None
        if leased is None:
            status, leased = self.call("next", "POST", f"/api/v1/projects/{PROJECT}/tasks/next/", {}, ok=(200, 204))
            if status != 200 or leased is None:
                gevent.sleep(10)  # nothing to label (or an error, already counted): look again later
                return
        task_id = leased["id"]
        LEDGER.write(kind="lease", user=self.username, task=task_id)
        image = leased["image"]
        self.call("image display", "GET", image["display_url"], raw=True)
        self.call("image thumbnail", "GET", image["thumbnail_url"], raw=True)
        mine = leased.get("annotation") or {}
        version = mine.get("version", 0)
        if not (version == 0 and mine.get("status") == "draft"):
            _, current = self.call("annotation GET", "GET", f"/api/v1/tasks/{task_id}/annotation/", ok=(200, 404))
            version = (current or {}).get("version", version)
        duration, plan = task_plan(self.rng)
        boxes: list[dict] = []
        clock = reported = 0.0
        for at, kind in plan:
            gevent.sleep(max(0.0, at - clock))
            clock = at
            # Heartbeats report the active seconds since the last report; saves do
            # once a heartbeat interval has passed since it (activity.js, takeDue).
            report = {}
            if kind == "heartbeat" or at - reported >= HEARTBEAT_S:
                report, reported = {"active_seconds": round(at - reported, 1)}, at
            if kind == "heartbeat":
                self.call("heartbeat", "POST", f"/api/v1/tasks/{task_id}/heartbeat/", report)
                continue
            boxes = next_boxes(self.rng, boxes)
            status, saved = self.call("save", "PUT", f"/api/v1/tasks/{task_id}/annotation/",
                                      {"boxes": boxes, "version": version, **report})
            if saved is not None:
                version = saved["version"]
                LEDGER.write(kind="save", user=self.username, task=task_id, version=version, boxes=boxes)
        gevent.sleep(max(0.0, duration - clock))
        status, answer = self.call("submit", "POST", f"/api/v1/tasks/{task_id}/submit/",
                                   {"active_seconds": round(max(0.0, duration - reported), 1), "next": True})
        if status == 200:
            LEDGER.write(kind="submit", user=self.username, task=task_id, version=version)
            self.following = (answer or {}).get("next")
        flow("A per-task flow", self.waited_ms)


class Supervisor(_Person):
    role, prefix = "supervisors", "S"
    fixed_count = SUPERVISORS

    @task
    def review(self) -> None:
        gevent.sleep(random.uniform(*REVIEW_EVERY))
        _, page = self.call("review queue", "GET", f"/api/v1/projects/{PROJECT}/review-queue/?limit=20")
        items = (page or {}).get("results", [])
        mine = [item["task"]["id"] for item in items if item["task"]["id"] % max(1, SUPERVISORS) == self.index]
        for task_id in mine[:3]:
            body = {"decision": "accept", "comment": ""}
            if random.random() < 0.1:
                body = {"decision": "reject", "comment": "The yak on the left is missing."}
            # 409: the task left review in between: not an error.
            self.call("review decide", "POST", f"/api/v1/tasks/{task_id}/review/", body, ok=(200, 409))


class Client(_Person):
    role, prefix = "clients", "C"
    fixed_count = CLIENTS

    @task
    def export(self) -> None:
        begun = time.perf_counter()
        status, made = self.call("export request", "POST", f"/api/v1/projects/{PROJECT}/exports/",
                                 {"format": "coco", "status": "accepted"}, ok=(200, 201, 202))
        if made:
            for _ in range(90):
                _, current = self.call("export poll", "GET", f"/api/v1/exports/{made['id']}/")
                if (current or {}).get("state") in {"done", "failed", "expired", None}:
                    break
                gevent.sleep(2)
            if (current or {}).get("state") == "done":
                self.call("export download", "GET", f"/api/v1/exports/{made['id']}/download/", raw=True)
                # From the request to the file in hand, polls and waits included.
                flow("C export, request to file", (time.perf_counter() - begun) * 1000)
        gevent.sleep(EXPORT_EVERY_S)
