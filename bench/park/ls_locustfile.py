"""The park's load model against Label Studio 1.23.2: its equivalent calls.

    .venv/bin/python -m bench.park.capacity --base http://127.0.0.1:8081 \
        --locustfile bench/park/ls_locustfile.py --steps 25,50,100 --duration 180

(after ``bench/park/ls_fill.py``; people come from /tmp/ls-park-state.json,
each with their own token). Same cadence as ``locustfile.py``
(``bench/park/cadence.py``), with Label Studio's calls for each step, as its
editor makes them in the label stream:

| Plateau | Label Studio |
| --- | --- |
| ``POST .../tasks/next/`` | ``GET /api/projects/{id}/next/`` |
| display image, thumbnail | the image (``/data/local-files/?d=...``); there is no thumbnail |
| today's progress (carried by "next") | none (the stream shows no progress) |
| autosave ``PUT .../annotation/`` | first ``POST /api/tasks/{id}/drafts``, then ``PATCH /api/drafts/{id}/`` |
| heartbeat | none: Community edition's task lock has a fixed lifetime, nothing renews it |
| submit | ``POST /api/tasks/{id}/annotations/?project={id}`` with the draft id |
| review queue, decide | the task list (``GET /api/tasks/?project=&page_size=20``); Community has no review |
| export request, poll, download | ``GET /api/projects/{id}/export?exportType=COCO`` (made in the request) |

Boxes go in Label Studio's result format (percent of the image, ``original_width``).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.park.calls import timed_call  # noqa: E402
from bench.park.cadence import (  # noqa: E402
    CLIENTS, EXPORT_EVERY_S, HEIGHT, REVIEW_EVERY, SUPERVISORS, WIDTH, next_boxes, task_plan,
)

STATE = json.loads(open(os.environ.get("LS_PARK_STATE", "/tmp/ls-park-state.json")).read())
PROJECT = STATE["project"]
_numbers = {"annotators": itertools.count(), "supervisors": itertools.count(), "clients": itertools.count()}


def ls_result(boxes: list[dict]) -> list[dict]:
    return [{"id": f"b{n}", "from_name": "label", "to_name": "image", "type": "rectanglelabels",
             "original_width": WIDTH, "original_height": HEIGHT, "image_rotation": 0,
             "value": {"x": 100 * b["x"] / WIDTH, "y": 100 * b["y"] / HEIGHT, "width": 100 * b["width"] / WIDTH,
                       "height": 100 * b["height"] / HEIGHT, "rotation": 0, "rectanglelabels": [b["label"]]}}
            for n, b in enumerate(boxes)]


class _Person(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    waited_ms = 0.0
    role = "annotators"
    prefix = "A"

    def on_start(self) -> None:
        self.index = next(_numbers[self.role])
        token = STATE[self.role][self.index % len(STATE[self.role])]
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def call(self, name: str, method: str, path: str, body=None, ok=(200, 201), raw: bool = False):
        return timed_call(self, name, method, path, body=body, ok=ok, raw=raw)


class Annotator(_Person):
    role, prefix = "annotators", "A"

    def on_start(self) -> None:
        super().on_start()
        self.rng = random.Random()
        gevent.sleep(self.rng.uniform(0, 10))

    @task
    def label_one_task(self) -> None:
        self.waited_ms = 0.0
        status, leased = self.call("next", "GET", f"/api/projects/{PROJECT}/next/", ok=(200, 404))
        if status != 200 or leased is None:
            gevent.sleep(10)
            return
        task_id = leased["id"]
        self.call("image display", "GET", leased["data"]["image"], raw=True)
        duration, plan = task_plan(self.rng, heartbeats=False)
        boxes: list[dict] = []
        draft = None
        clock = 0.0
        for at, _ in plan:
            gevent.sleep(max(0.0, at - clock))
            clock = at
            boxes = next_boxes(self.rng, boxes)
            body = {"result": ls_result(boxes), "lead_time": clock}
            if draft is None:
                _, made = self.call("save", "POST", f"/api/tasks/{task_id}/drafts", body)
                draft = (made or {}).get("id")
            else:
                self.call("save", "PATCH", f"/api/drafts/{draft}/", body)
        gevent.sleep(max(0.0, duration - clock))
        body = {"result": ls_result(boxes), "lead_time": duration}
        if draft is not None:
            body["draft_id"] = draft
        self.call("submit", "POST", f"/api/tasks/{task_id}/annotations/?project={PROJECT}", body)
        events.request.fire(request_type="FLOW", name="A per-task flow", response_time=self.waited_ms,
                            response_length=0, exception=None, context={})


class Supervisor(_Person):
    role, prefix = "supervisors", "S"
    fixed_count = SUPERVISORS

    @task
    def review(self) -> None:
        gevent.sleep(random.uniform(*REVIEW_EVERY))
        self.call("review queue", "GET", f"/api/tasks/?project={PROJECT}&page_size=20")


class Client(_Person):
    role, prefix = "clients", "C"
    fixed_count = CLIENTS

    @task
    def export(self) -> None:
        begun = time.perf_counter()
        status, _ = self.call("export request", "GET", f"/api/projects/{PROJECT}/export?exportType=COCO", raw=True)
        if status == 200:  # made in the request: the request is the whole export
            events.request.fire(request_type="FLOW", name="C export, request to file", response_length=0,
                                response_time=(time.perf_counter() - begun) * 1000, exception=None, context={})
        gevent.sleep(EXPORT_EVERY_S)
