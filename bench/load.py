"""Load test: simulated annotators, supervisors and a client over real HTTP.

Run against a real server (gunicorn, PostgreSQL, a Celery worker); see the
``## load`` section of bench/README.md for the exact commands. Prints one JSON
document: per endpoint the number of calls, p50/p95/p99 latency in ms, errors
(5xx, connection failures, unexpected 4xx) and "missing" (404/405 from routes
that do not exist on this build), plus the overall error rate and tasks per hour.

The API contract is docs/contract.md. Endpoints that are not built
yet answer 404/405: they are counted under "missing" and the simulated users fall
back to reading what exists (project, labels, images), so the script measures
whatever the build offers.

Usage:
    python bench/load.py --setup                         # data: 1,000 open tasks (ORM)
    python bench/load.py --base http://127.0.0.1:8190 --duration 60

``--setup`` tops the project up to ``--images`` *open* tasks, so a re-run on
the same database starts with a full pool: 50 annotators at the default
think time submit ~400 tasks a minute, and a pool that runs dry turns "next"
into cheap 204s, which would flatter the figures (``pool_ran_dry`` says so).

Supervisors split the review queue by task id (supervisor i of n decides the
tasks with ``id % n == i``), so two of them never decide the same task; a 409
on a decision is still possible (the task left review in between) and is
counted under ``expected_conflicts``, not as an error.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

BENCH_PROJECT_SLUG = "bench-load"
STATE_FILE = Path(__file__).resolve().parent / ".load-state.json"
MISSING = {404, 405}


# --- setup (in-process, through the ORM) ----------------------------------------------------


def setup(images: int, annotators: int, supervisors: int, clients: int) -> dict:
    """Create (or reuse) the bench project, its tasks and users; return ids and tokens."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    import hashlib
    import io

    from django.core.files.base import ContentFile
    from PIL import Image as PILImage
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from labeling.models import Image, LabelClass, Membership, Project, Task

    project, _ = Project.objects.get_or_create(slug=BENCH_PROJECT_SLUG, defaults={"name": "Bench: Qinghai load"})
    for order, name in enumerate(["yak", "snow_leopard", "tibetan_antelope", "tent"]):
        LabelClass.objects.get_or_create(project=project, name=name, defaults={"order": order, "hotkey": order + 1})
    have, open_now = project.tasks.count(), project.tasks.filter(status="open").count()
    for n in range(have, have + max(0, images - open_now)):
        buf = io.BytesIO()
        PILImage.new("RGB", (64, 48), (n % 256, (n * 7) % 256, 90)).save(buf, "PNG")
        data = buf.getvalue()
        sha = hashlib.sha256(data + str(n).encode()).hexdigest()
        image = Image(project=project, width=1280, height=960, sha256=sha, byte_size=len(data), format="PNG",
                      original_name=f"bench{n}.png")
        image.file.save(f"bench{n}.png", ContentFile(data), save=False)
        image.save()
        Task.objects.create(project=project, image=image)

    def user_with_token(username: str, role: str) -> str:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
        return Token.objects.get_or_create(user=user)[0].key

    state = {
        "project": project.pk,
        "images": list(project.images.order_by("id").values_list("id", flat=True)[:images]),
        "open_tasks": project.tasks.filter(status="open").count(),
        "annotators": [user_with_token(f"bench-annotator{i}", "annotator") for i in range(1, annotators + 1)],
        "supervisors": [user_with_token(f"bench-supervisor{i}", "supervisor") for i in range(1, supervisors + 1)],
        "clients": [user_with_token(f"bench-client{i}", "client") for i in range(1, clients + 1)],
    }
    STATE_FILE.write_text(json.dumps(state))
    return state


# --- HTTP -------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: dict[str, int] = defaultdict(int)
        self.missing: dict[str, int] = defaultdict(int)
        self.conflicts: dict[str, int] = defaultdict(int)
        self.examples: dict[str, str] = {}
        self.submitted = 0

    def add(self, name: str, status: int, ms: float, ok: set[int], body: bytes, expected: set[int]) -> None:
        with self.lock:
            self.times[name].append(ms)
            self.statuses[name][status] += 1
            if status in expected:
                self.conflicts[name] += 1
            elif status in MISSING and status not in ok:
                self.missing[name] += 1
            elif status not in ok:
                self.errors[name] += 1
                self.examples.setdefault(name, f"{status}: {body[:160]!r}")


class Client:
    def __init__(self, base: str, token: str, recorder: Recorder) -> None:
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.token, self.recorder = token, recorder

    def call(self, name: str, method: str, path: str, body=None, ok=(200,), expected=()) -> tuple[int, object]:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
            conn.close()
        except OSError as exc:
            status, raw = 599, str(exc).encode()
        ms = (time.perf_counter() - start) * 1000
        self.recorder.add(name, status, ms, set(ok), raw, set(expected))
        data = None
        if raw and status < 300:
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
        return status, data


# --- simulated people ---------------------------------------------------------------------------


def _think(args) -> None:
    time.sleep(random.uniform(0.5, 1.5) * args.think)


def annotator(client: Client, state: dict, args, stop: float) -> None:
    project = state["project"]
    while time.time() < stop:
        status, task = client.call("tasks.next", "POST", f"/api/v1/projects/{project}/tasks/next/", ok=(200, 204))
        if status == 200 and isinstance(task, dict):
            task_id = task["id"]
            _think(args)
            _, current = client.call("annotation.get", "GET", f"/api/v1/tasks/{task_id}/annotation/")
            version = (current or {}).get("version", 0) if isinstance(current, dict) else 0
            client.call("heartbeat", "POST", f"/api/v1/tasks/{task_id}/heartbeat/")
            _think(args)
            boxes = [{"label": "yak", "x": random.uniform(0, 600), "y": random.uniform(0, 400),
                      "width": random.uniform(5, 80), "height": random.uniform(5, 80)} for _ in range(3)]
            status, saved = client.call("annotation.put", "PUT", f"/api/v1/tasks/{task_id}/annotation/",
                                        {"boxes": boxes, "version": version})
            _think(args)
            status, _ = client.call("submit", "POST", f"/api/v1/tasks/{task_id}/submit/", ok=(200, 201, 204))
            if status < 300:
                with client.recorder.lock:
                    client.recorder.submitted += 1
        elif status == 204:
            time.sleep(args.think)  # nothing left to label
        else:
            # The assignment endpoint is not there: exercise what exists, as a page load
            # would. (Images stay out: without a lease an annotator may not see them.)
            client.call("project.get", "GET", f"/api/v1/projects/{project}/")
            client.call("labels.get", "GET", f"/api/v1/projects/{project}/labels/")
            client.call("me.get", "GET", "/api/v1/users/me/")
        _think(args)


def supervisor(client: Client, state: dict, args, stop: float, index: int = 0, of: int = 1) -> None:
    project = state["project"]
    while time.time() < stop:
        status, queue = client.call("review.queue", "GET", f"/api/v1/projects/{project}/review-queue/")
        items = []
        if isinstance(queue, dict):
            items = queue.get("results", [])
        elif isinstance(queue, list):
            items = queue
        mine = []
        for item in items:
            task_id = item.get("task_id") or item.get("task") or item.get("id")
            if isinstance(task_id, dict):
                task_id = task_id.get("id")
            if isinstance(task_id, int) and task_id % of == index:
                mine.append(task_id)
        for task_id in mine[:3]:
            # 409: the task left review in between (decided elsewhere): expected, not an error.
            client.call("review.decide", "POST", f"/api/v1/tasks/{task_id}/review/",
                        {"decision": "accept", "comment": ""}, ok=(200, 201), expected=(409,))
        if status in MISSING:
            client.call("members.get", "GET", f"/api/v1/projects/{project}/members/")
            client.call("audit.get", "GET", f"/api/v1/projects/{project}/audit/")
        time.sleep(args.think * 2)


def client_user(client: Client, state: dict, args, stop: float) -> None:
    project = state["project"]
    while time.time() < stop:
        status, export = client.call("export.create", "POST", f"/api/v1/projects/{project}/exports/",
                                     {"format": "coco", "status": "accepted"}, ok=(200, 201, 202))
        if isinstance(export, dict) and "id" in export:
            for _ in range(60):
                _, current = client.call("export.get", "GET", f"/api/v1/exports/{export['id']}/")
                # "state" is the job's; "status" is the selection (accepted, ...).
                state = current.get("state") if isinstance(current, dict) else None
                if state in {"done", "failed", None}:
                    break
                time.sleep(1)
            client.call("export.download", "GET", f"/api/v1/exports/{export['id']}/download/")
        elif status in MISSING:
            client.call("projects.list", "GET", "/api/v1/projects/")
        time.sleep(args.think * 10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(args) -> dict:
    state = json.loads(STATE_FILE.read_text())
    recorder = Recorder()
    stop = time.time() + args.duration
    threads = []
    reviewers = state["supervisors"][: args.supervisors]
    people = [(annotator, t, {}) for t in state["annotators"][: args.annotators]]
    people += [(supervisor, t, {"index": i, "of": len(reviewers)}) for i, t in enumerate(reviewers)]
    people += [(client_user, t, {}) for t in state["clients"][: args.clients]]
    for role, token, extra in people:
        thread = threading.Thread(target=role, args=(Client(args.base, token, recorder), state, args, stop),
                                  kwargs=extra, daemon=True)
        thread.start()
        threads.append(thread)
        time.sleep(args.ramp / max(1, len(people)))
    for thread in threads:
        thread.join(timeout=args.duration + 60)
    total = sum(len(v) for v in recorder.times.values())
    errors = sum(recorder.errors.values())
    endpoints = {}
    for name in sorted(recorder.times):
        values = recorder.times[name]
        endpoints[name] = {
            "calls": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "errors": recorder.errors.get(name, 0),
            "missing_404_405": recorder.missing.get(name, 0),
            "expected_conflicts": recorder.conflicts.get(name, 0),
            "statuses": dict(sorted(recorder.statuses[name].items())),
        }
        if name in recorder.examples:
            endpoints[name]["first_error"] = recorder.examples[name]
    served = total - sum(recorder.missing.values())
    return {
        "base": args.base,
        "duration_s": args.duration,
        "annotators": len(state["annotators"][: args.annotators]),
        "supervisors": len(state["supervisors"][: args.supervisors]),
        "clients": len(state["clients"][: args.clients]),
        "think_s": args.think,
        "requests": total,
        "requests_per_s": round(total / args.duration, 1),
        "error_rate": round(errors / served, 4) if served else None,
        "missing_endpoints": sorted(n for n, c in recorder.missing.items() if c),
        "expected_conflicts": sum(recorder.conflicts.values()),
        "pool_ran_dry": recorder.statuses.get("tasks.next", {}).get(204, 0) > 0,
        "tasks_submitted": recorder.submitted,
        "tasks_per_hour": round(recorder.submitted * 3600 / args.duration, 1),
        "endpoints": endpoints,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="create the bench project and users, then exit")
    parser.add_argument("--images", type=int, default=1000, help="open tasks --setup tops the project up to")
    parser.add_argument("--base", default="http://127.0.0.1:8190")
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--supervisors", type=int, default=2)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between a person's calls, seconds")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which people start")
    args = parser.parse_args()
    if args.setup:
        state = setup(args.images, args.annotators, args.supervisors, args.clients)
        print(json.dumps({"project": state["project"], "open_tasks": state["open_tasks"],
                          "annotators": len(state["annotators"])}))
        return
    print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
