"""Plateau and Label Studio 1.23.2 side by side, in one run: same N, same images, same boxes.

    .venv/bin/python -m bench.versus_ls --n 2000 --db plateau_versus --broker redis://127.0.0.1:6379/10

LS runs as its anchor runs it (setup.sh, start.sh --fresh, its bench.py --n N, stop.sh).
Plateau runs as ``make run`` serves it (bench/park/stack.py: gunicorn ``--workers`` x
``--threads``, a Celery worker of ``--celery-processes`` processes, with beat, DEBUG=0), on PostgreSQL (``--db``,
dropped and created afresh) and Redis (``--broker``, flushed). Images and boxes come from the anchor's own ``gen_images``/``box_for`` (imported, so
the very same files); each client is one keep-alive ``requests`` session, as the anchor's.

Plateau's phases: upload (100 files a request), derivative jobs; the annotator flow next ->
save (PUT, 3 boxes) -> submit for N-2R tasks (1 client), R tasks (4 clients, 4 annotators),
R more (1 client: the stream, LS's next-task phase); quality checks until all are in review;
a supervisor accepts each from the review queue; a client requests the COCO export of the
accepted, polls every 0.1 s and downloads it, without then with images; pycocotools loads it
and every box is compared with what was sent.

Memory is PSS (smaps_rollup: shared pages split among their sharers) every 0.5 s, the same
way for both: LS's process tree (SQLite inside it); our gunicorn + Celery trees ("app") plus
the PostgreSQL backends of ``--db`` ("app_db"); the shared postmaster and Redis are not
counted. Memory per served annotator = peak PSS in the 4-client phase / the annotators that
phase's throughput serves, one task per 45 s each (the park's 30-60 s think time,
bench/park/cadence.py). A task is LS's annotation POST, our next + save + submit. One JSON out.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests

from bench.park.procs import Memory, pg_backends, tree
from bench.park.cadence import THINK
from bench.park.stack import ROOT, SERVER_ENV, Stack
from config.launcher import WORKER_PROCESSES

ANCHOR = Path(os.environ.get("LS_ANCHOR", "/work/shared/anchors/label-studio"))
LS_PYTHON = "/tmp/ls-venv/bin/python"
LS_PIDFILE = "/tmp/ls-data/label-studio.pid"
FILES_ROOT = "/tmp/ls-files"  # the anchor's LOCAL_FILES_DOCUMENT_ROOT: the same JPEG files for both
SECONDS_PER_TASK = sum(THINK) / 2


def _anchor():
    """The anchor's bench.py as a module: its image generator, boxes and percentiles, not copies."""
    spec = importlib.util.spec_from_file_location("ls_anchor_bench", ANCHOR / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A = _anchor()


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


def validate(path: Path, n: int, w: int, h: int) -> dict:
    """pycocotools loads it; every image's boxes equal what was sent (pixels, xywh), labels too."""
    from pycocotools.coco import COCO

    members: list[str] = []
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.namelist()
            raw = archive.read(next(m for m in members if m.endswith(".json")))
    data = json.loads(raw)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = data
        coco.createIndex()
    names = {c["id"]: c["name"] for c in data["categories"]}
    mismatched, max_err = 0, 0.0
    for image in data["images"]:
        i = int(image["plateau"]["original_name"].rsplit("img_", 1)[1][:6])
        want = sorted(A.box_for(i, k, w, h) for k in range(3))
        got = sorted((*a["bbox"], names[a["category_id"]]) for a in coco.imgToAnns[image["id"]])
        if len(got) != 3:
            mismatched += 1
            continue
        for exp, have in zip(want, got):
            err = max(abs(a - b) for a, b in zip(exp[:4], have[:4]))
            max_err = max(max_err, err)
            mismatched += err > 0.01 or exp[4] != have[4]
    in_zip = sum(any(m.endswith("/" + im["file_name"]) for m in members) for im in data["images"]) \
        if members else None
    out = {"images": len(data["images"]), "annotations": len(data["annotations"]),
           "categories": sorted(names.values()), "bbox_mismatches": mismatched, "bbox_max_abs_err_px": max_err,
           "zip_members": len(members), "file_names_in_zip": in_zip}
    out["ok"] = (out["images"] == n and out["annotations"] == 3 * n and mismatched == 0
                 and out["categories"] == sorted(A.LABELS) and in_zip in (None, n))
    return out


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
        # (every job runs inside the request that queues it), no worker.
        env.update(CELERY_BROKER_URL="", DEBUG="1", CELERY_TASK_ALWAYS_EAGER="1")
        server = f"make run's stack: gunicorn gthread {args.workers}x{args.threads} --preload, DEBUG=1, eager jobs"
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
                  env=env, log_dir=out_dir, worker=not args.newcomer).start()

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


def ls_run(args) -> dict:
    """The anchor, unchanged: fresh LS, its bench.py; PSS of its process tree sampled from here."""
    # Importing this project's config (the stack's defaults) names its settings in the
    # environment; Label Studio must not inherit them.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if not Path(LS_PYTHON).exists() or args.ls_setup:
        subprocess.run([str(ANCHOR / "setup.sh")], check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run([str(ANCHOR / "start.sh"), "--fresh"], check=True, stdout=sys.stderr, env=env)  # stdout: the JSON
    results = Path(args.out) / f"ls-results-{args.n}.json"
    load_before = os.getloadavg()
    try:
        time.sleep(5)  # run.sh's settle
        pid = int(Path(LS_PIDFILE).read_text())
        # Phase ends as bench.py prints them: "[3]" import done, "[4]" sequential, "[5]" concurrent, ...
        after = {"[2]": "import", "[3]": "annotate_sequential", "[4]": "annotate_concurrent",
                 "[5]": "next_stream", "[6]": "export"}
        with Memory(lambda: {"server": tree(pid)}) as memory:
            bench = subprocess.Popen([LS_PYTHON, str(ANCHOR / "bench.py"), "--n", str(args.n),
                                      "--results", str(results), "--out", str(Path(args.out) / "ls-scratch")],
                                     stdout=subprocess.PIPE, text=True, cwd=str(ANCHOR), env=env)
            for line in bench.stdout:
                print("[ls] " + line.rstrip(), file=sys.stderr, flush=True)
                if line.strip()[:3] in after:
                    memory.set_phase(after.pop(line.strip()[:3]))
            bench.wait()
    finally:
        subprocess.run([str(ANCHOR / "stop.sh")], stdout=sys.stderr, env=env)
    res = json.loads(results.read_text())
    res["memory_pss"] = memory.report()
    res["load_average_before"], res["load_average_after"] = load_before, os.getloadavg()
    return res


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def compare(p: dict, ls: dict) -> dict:
    """LS / Plateau: above 1, Plateau is faster (or lighter) by that factor."""
    lp = ls["phases"]
    rows = {
        "save (LS annotation POST / our PUT), 1 client": (lp["annotate_sequential"], p["next_stream"]["save"]),
        "next (LS GET next/ / our POST tasks/next/), stream": (lp["next_task"], p["next_stream"]["next"]),
        "per-task flow (LS POST / our submit with boxes and next), 1 client":
            (lp["annotate_sequential"], p["annotate_sequential"]["flow"]),
        "per-task flow (LS POST / our next+save+submit as 3 requests), 1 client":
            (lp["annotate_sequential"], p["next_stream"]["flow"]),
        "per-task flow, 4 clients": (lp["annotate_concurrent"], p["annotate_concurrent"]["flow"]),
    }
    out = {name: {"ls_p50_ms": l["p50_ms"], "plateau_p50_ms": o["p50_ms"], "ratio_p50": ratio(l["p50_ms"], o["p50_ms"]),
                  "ls_p95_ms": l["p95_ms"], "plateau_p95_ms": o["p95_ms"], "ratio_p95": ratio(l["p95_ms"], o["p95_ms"])}
           for name, (l, o) in rows.items()}
    for kind in ("export_coco_json_only", "export_coco_with_images"):
        out[kind + " (wall, request to file)"] = {
            "ls_s": lp[kind]["seconds_wall"], "plateau_s": p[kind]["seconds_wall"],
            "ratio": ratio(lp[kind]["seconds_wall"], p[kind]["seconds_wall"])}
    ls_tasks_s = lp["annotate_concurrent"]["req_per_s"]
    our_tasks_s = p["annotate_concurrent"]["tasks_per_s"]
    ls_pss = ls["memory_pss"]["pss_mb_peak"]["annotate_concurrent"]["total"]
    ours = p["memory"]["pss_mb_peak"]["annotate_concurrent"]
    per = {"ls": ls_pss / (ls_tasks_s * SECONDS_PER_TASK),
           "plateau_app": (ours["web"] + ours["worker"]) / (our_tasks_s * SECONDS_PER_TASK),
           "plateau_app_db": ours["total"] / (our_tasks_s * SECONDS_PER_TASK)}
    out["memory per served annotator (MB)"] = {
        "definition": f"peak PSS in the 4-client phase / (tasks per s there x {SECONDS_PER_TASK:g} s per task)",
        "ls_pss_mb": ls_pss, "ls_tasks_per_s": ls_tasks_s, "ls_annotators_served": round(ls_tasks_s * SECONDS_PER_TASK),
        "plateau_pss_mb_web_worker_db": ours, "plateau_tasks_per_s": our_tasks_s,
        "plateau_annotators_served": round(our_tasks_s * SECONDS_PER_TASK),
        **{f"mb_{k}": round(v, 2) for k, v in per.items()},
        "ratio_app": ratio(per["ls"], per["plateau_app"]), "ratio_app_db": ratio(per["ls"], per["plateau_app_db"])}
    out["ingest (not the same work: LS imports URLs, we upload and check the bytes)"] = {
        "ls_import_s": lp["import"]["seconds_wall"], "plateau_upload_s": p["ingest"]["seconds_wall"],
        "plateau_derivatives_ready_after_s": p["ingest"]["derivatives_ready_after_s"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--stream", type=int, default=200, help="R: tasks of the 4-client phase and of the stream")
    parser.add_argument("--db", default="plateau_versus", help="dropped and created afresh")
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/10"),
                        help="flushed first")
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--workers", type=int, default=4, help="make run's 4 x 2; bench/README's runs: 2 x 4")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--celery-processes", type=int, default=WORKER_PROCESSES,
                        help="the worker's job processes: make run's default (the runs before 2026-12-03 16:00 UTC: 2)")
    parser.add_argument("--newcomer", action="store_true",
                        help="Plateau as make run serves a newcomer: DEBUG on, no broker (jobs run in the request)")
    parser.add_argument("--out", default="/tmp/versus")
    parser.add_argument("--order", default="plateau,ls", help="which side runs first")
    parser.add_argument("--ls-setup", action="store_true", help="run the anchor's setup.sh even if the venv exists")
    args = parser.parse_args()
    args.size, args.r = (640, 480), min(args.stream, max(1, args.n // 4))
    Path(args.out).mkdir(parents=True, exist_ok=True)
    img_rel = "bench-%d-%dx%d" % (args.n, *args.size)
    names, _, _ = A.gen_images(os.path.join(FILES_ROOT, img_rel), args.n, *args.size)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    sides = {}
    for side in args.order.split(","):
        sides[side] = plateau_run(args, names, Path(FILES_ROOT) / img_rel) if side == "plateau" else ls_run(args)
    doc = {"n_tasks": args.n, "image_size": list(args.size), "boxes_per_task": 3, "started_utc": started,
           "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "order": args.order,
           "cpus": os.cpu_count(), "ratios_ls_over_plateau": compare(sides["plateau"], sides["ls"])
           if len(sides) == 2 else None, **sides}
    path = Path(args.out) / f"versus-{args.n}-{started.replace(':', '')}.json"
    path.write_text(json.dumps(doc, indent=1))
    print(json.dumps(doc, indent=1))
    print(f"written: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
