"""Plateau's side: the stack as ``make run`` serves it, a fresh database, and every phase
through the public API (ingest, the annotator flows, review, exports checked box by box)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.park.procs import Memory, pg_backends, tree
from bench.park.stack import ROOT, SERVER_ENV, Stack
from bench.versus.anchor import A
from bench.versus.coco_check import validate
from config.launcher import FOLDER_BROKER


class Client:
    """One person's keep-alive session; every call timed."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.session = base, requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})

    def call(self, method: str, path: str, ok=(200,), **kw):
        begun = time.perf_counter()
        response = self.session.request(method, self.base + path, timeout=600, **kw)
        seconds = time.perf_counter() - begun
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response, seconds


def boxes(i: int, w: int, h: int) -> list[dict]:
    """The anchor's 3 pixel boxes of task i, in our API's shape."""
    return [dict(zip(("x", "y", "width", "height", "label"), A.box_for(i, k, w, h))) for k in range(3)]


PEOPLE = """
import json
from rest_framework.authtoken.models import Token
from accounts.models import User
out = {}
for name in ["admin", "supervisor", "client", "annotator1", "annotator2", "annotator3", "annotator4"]:
    user, _ = User.objects.get_or_create(username="versus-" + name, defaults={"is_staff": name == "admin"})
    out[name] = Token.objects.get_or_create(user=user)[0].key
print(json.dumps(out))
"""


def plateau_prepare(args, env: dict) -> dict:
    """A fresh database, migrated, and the people with tokens (as start.sh gives LS its admin)."""
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", args.db], check=True)
    subprocess.run(["createdb", *pg, args.db], check=True)
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run([*python, "shell", "-c", PEOPLE], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(made.stdout.strip().splitlines()[-1])


def flow(client: Client, project: int, index_of: dict, w: int, h: int, lat: dict, held: dict, *,
         take_next: bool = True, separate: bool = False) -> None:
    """One task the way the tool does it.

    Default, the tool's Ctrl+Enter: ONE request, the boxes, the submit and the
    next task together (``held`` keeps the task that answer carried; a run's
    first task comes from its own "next"). ``separate``: next, save and submit
    as three requests, for the next and save figures beside Label Studio's.
    """
    task = held.pop("task", None)
    seconds = {}
    if task is None:
        response, seconds["next"] = client.call("POST", f"/api/v1/projects/{project}/tasks/next/", json={})
        task = response.json()
    version = (task.get("annotation") or {}).get("version", 0)
    drawn = boxes(index_of[task["id"]], w, h)
    if separate:
        _, seconds["save"] = client.call("PUT", f"/api/v1/tasks/{task['id']}/annotation/",
                                         json={"boxes": drawn, "version": version})
        _, seconds["submit"] = client.call("POST", f"/api/v1/tasks/{task['id']}/submit/", json={"active_seconds": 12.5})
        seconds["flow"] = sum(seconds.values())
    else:
        response, seconds["submit_with_next"] = client.call("POST", f"/api/v1/tasks/{task['id']}/submit/", json={
            "boxes": drawn, "version": version, "active_seconds": 12.5, "next": take_next})
        if take_next and response.json().get("next"):
            held["task"] = response.json()["next"]
        seconds["flow"] = seconds["submit_with_next"]
    for name, value in seconds.items():
        lat.setdefault(name, []).append(value)


def flows_out(lat: dict, count: int, wall: float) -> dict:
    requests = sum(len(lat.get(name, [])) for name in ("next", "save", "submit", "submit_with_next"))
    return {**{name: A.lat_summary(values) for name, values in lat.items()}, "tasks": count,
            "seconds_wall": round(wall, 2), "tasks_per_s": round(count / wall, 2),
            "requests": requests, "requests_per_s": round(requests / wall, 1)}


def wait_for(what, check, timeout: float = 900, every: float = 0.5) -> float:
    begun = time.perf_counter()
    while not check():
        if time.perf_counter() - begun > timeout:
            raise TimeoutError(what)
        time.sleep(every)
    return round(time.perf_counter() - begun, 2)


def plateau_export(client: Client, project: int, include_images: bool, path: Path) -> dict:
    begun = time.perf_counter()
    response, _ = client.call("POST", f"/api/v1/projects/{project}/exports/", ok=(200, 201, 202), json={
        "format": "coco", "status": "accepted", "include_images": include_images})
    export_id, polls, state = response.json()["id"], 0, None
    while state not in {"done", "failed", "expired"}:
        time.sleep(0.1)
        state = client.call("GET", f"/api/v1/exports/{export_id}/")[0].json()["state"]
        polls += 1
    ready = time.perf_counter() - begun
    size = 0
    with client.session.get(f"{client.base}/api/v1/exports/{export_id}/download/", stream=True) as download, \
            open(path, "wb") as out:
        download.raise_for_status()
        for chunk in download.iter_content(1 << 20):
            out.write(chunk)
            size += len(chunk)
    return {"state": state, "seconds_wall": round(time.perf_counter() - begun, 2),
            "seconds_to_done": round(ready, 2), "polls": polls, "bytes": size}


def plateau_run(args, names: list[str], img_dir: Path) -> dict:
    n, (w, h), r = args.n, args.size, args.r
    out_dir = Path(args.out)
    media = out_dir / "media"
    subprocess.run(["rm", "-rf", str(media)], check=True)
    env = {**os.environ, **SERVER_ENV, "MEDIA_ROOT": str(media),
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
           "CELERY_BROKER_URL": args.broker, "THROTTLE_UPLOADS_RATE": "100000/min"}
    server = (f"gunicorn gthread {args.workers}x{args.threads} --preload + celery worker"
              f" ({args.celery_processes} processes, beat), DEBUG=0")
    if args.newcomer:
        # As `make run` serves a newcomer: the same gunicorn, DEBUG on, no broker
        # configured, so its worker takes the jobs from a folder queue (config/launcher.py).
        env.update(CELERY_BROKER_URL=FOLDER_BROKER, CELERY_BROKER_FOLDER=str(out_dir / "broker"), DEBUG="1")
        subprocess.run(["rm", "-rf", env["CELERY_BROKER_FOLDER"]], check=True)
        server = (f"make run's stack: gunicorn gthread {args.workers}x{args.threads} --preload, DEBUG=1,"
                  f" celery worker ({args.celery_processes} processes, beat) on a folder queue")
    else:
        import redis

        redis.Redis.from_url(args.broker).flushdb()
    tokens = plateau_prepare(args, env)
    base = f"http://127.0.0.1:{args.port}"
    admin, sup, client = (Client(base, tokens[k]) for k in ("admin", "supervisor", "client"))
    annotators = [Client(base, tokens[f"annotator{k}"]) for k in range(1, 5)]
    res: dict = {"tool": "plateau", "n_tasks": n, "server": server + ", PostgreSQL " + args.db,
                 "load_average_before": os.getloadavg()}
    stack = Stack(port=args.port, workers=args.workers, threads=args.threads, celery_processes=args.celery_processes,
                  env=env, log_dir=out_dir).start()

    def groups() -> dict:
        found = {name: tree(process.pid) for name, process in stack.processes.items()}
        return {"web": found["web"], "worker": found.get("worker", []), "db": pg_backends(args.db)}

    try:
        time.sleep(5)  # as the anchor's run.sh lets LS settle
        with Memory(groups) as memory:
            project = admin.call("POST", "/api/v1/projects/", ok=(201,), json={
                "name": f"versus {n}", "overlap": 1, "labels": [{"name": label} for label in A.LABELS]})[0].json()["id"]
            for name, role in [("supervisor", "supervisor"), ("client", "client")] + [
                    (f"annotator{k}", "annotator") for k in range(1, 5)]:
                admin.call("POST", f"/api/v1/projects/{project}/members/", ok=(201,),
                           json={"username": "versus-" + name, "role": role})
            # --- ingest: the bytes are read first, as the anchor builds its import body before timing it
            memory.set_phase("ingest")
            payload = [(name, (img_dir / name).read_bytes()) for name in names]
            task_of, upload_lat = {}, []
            begun = time.perf_counter()
            for first in range(0, n, 100):
                files = [("files", (name, data, "image/jpeg")) for name, data in payload[first:first + 100]]
                response, seconds = sup.call("POST", f"/api/v1/projects/{project}/images/", files=files)
                upload_lat.append(seconds)
                task_of.update({row["name"]: row["task_id"] for row in response.json() if row["status"] == "created"})
            upload_wall = time.perf_counter() - begun
            index_of = {task_of[name]: i for i, name in enumerate(names)}

            def derivatives_ready() -> bool:  # pages of 1,000, lazily: stops at the first one not ready
                pages = (sup.call("GET", f"/api/v1/projects/{project}/images/?limit=1000&offset={offset}")[0]
                         .json()["results"] for offset in range(0, n, 1000))
                return all(row["derivatives"] == "ready" for page in pages for row in page)

            res["ingest"] = {"created": len(task_of), "seconds_wall": round(upload_wall, 2),
                             "images_per_s": round(n / upload_wall, 1), "requests": A.lat_summary(upload_lat),
                             "derivatives_ready_after_s": wait_for("derivatives", derivatives_ready, every=1)}
            print(f"[plateau] ingest {n}: {upload_wall:.1f} s", file=sys.stderr, flush=True)
            # --- annotator flow, 1 client
            memory.set_phase("annotate_sequential")
            lat, held = {}, {}
            begun = time.perf_counter()
            for i in range(n - 2 * r):
                flow(annotators[0], project, index_of, w, h, lat, held, take_next=i < n - 2 * r - 1)
            res["annotate_sequential"] = flows_out(lat, n - 2 * r, time.perf_counter() - begun)
            res["annotate_sequential"]["first300_flow"] = A.lat_summary(lat["flow"][:300])
            res["annotate_sequential"]["last300_flow"] = A.lat_summary(lat["flow"][-300:])
            print(f"[plateau] sequential: flow p50 {res['annotate_sequential']['flow']['p50_ms']} ms",
                  file=sys.stderr, flush=True)
            # --- 4 clients, each an annotator of its own
            memory.set_phase("annotate_concurrent")
            clat, lock, share = {}, threading.Lock(), r // 4

            def one(client: Client) -> None:
                mine, held = {}, {}
                for i in range(share):
                    flow(client, project, index_of, w, h, mine, held, take_next=i < share - 1)
                with lock:
                    for name, values in mine.items():
                        clat.setdefault(name, []).extend(values)

            begun = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(one, annotators))
            res["annotate_concurrent"] = dict(flows_out(clat, 4 * share, time.perf_counter() - begun), clients=4)
            # --- the stream: the last R tasks, 1 client, then the empty queue
            memory.set_phase("next_stream")
            slat: dict = {}
            begun = time.perf_counter()
            left = r + (r - 4 * share)  # the stream's tasks and any the 4 clients' shares left over
            for _ in range(left):
                flow(annotators[0], project, index_of, w, h, slat, {}, separate=True)
            res["next_stream"] = flows_out(slat, left, time.perf_counter() - begun)
            empty, empty_s = annotators[0].call("POST", f"/api/v1/projects/{project}/tasks/next/", ok=(204,))
            res["next_stream"]["after_all_done"] = {"status": empty.status_code, "ms": round(empty_s * 1000, 1)}
            # --- quality checks (the worker), then a supervisor accepts everything from the queue
            memory.set_phase("review")

            def progress() -> dict:
                return sup.call("GET", f"/api/v1/projects/{project}/")[0].json()["progress"]

            checks_s = wait_for("quality checks", lambda: sum(map(progress().get, ("in_review", "accepted"))) >= n)
            qlat, alat = [], []
            begun = time.perf_counter()
            while True:
                response, seconds = sup.call("GET", f"/api/v1/projects/{project}/review-queue/?limit=100")
                qlat.append(seconds)
                items = response.json()["results"]
                if not items:
                    break
                for item in items:
                    alat.append(sup.call("POST", f"/api/v1/tasks/{item['task']['id']}/review/",
                                         json={"decision": "accept"})[1])
            res["review"] = {"quality_checks_done_after_s": checks_s, "seconds_wall": round(time.perf_counter() - begun, 2),
                             "queue_page": A.lat_summary(qlat), "accept": A.lat_summary(alat), "progress_after": progress()}
            # --- exports, as a client: request, poll, download
            for phase, images in (("export_coco_json_only", False), ("export_coco_with_images", True)):
                memory.set_phase(phase)
                path = out_dir / f"plateau-{phase}.bin"
                res[phase] = plateau_export(client, project, images, path)
                res[phase]["pss_mb_peak"] = memory.peaks.get(phase, {}).get("total")
                res[phase]["validation"] = validate(path, n, w, h)
                print(f"[plateau] {phase}: {res[phase]['seconds_wall']} s, ok={res[phase]['validation']['ok']}",
                      file=sys.stderr, flush=True)
            memory.set_phase("end")
        res["memory"] = memory.report()
    finally:
        stack.stop()
    res["load_average_after"] = os.getloadavg()
    return res
