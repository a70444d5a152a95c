"""Time from Ctrl+Enter to the next task's image drawn, in real Chromium.

Builds a throw-away project (SQLite under bench/out/ unless DATABASE_URL is
set), serves it with gunicorn on 127.0.0.1, and has Playwright label task
after task: draw a box, Ctrl+Enter, wait until the stage has painted the next
image and its boxes. The tool records each switch in the page
(``window.__plateau.switches``, performance.now() from the key press to the
first full frame); the wall time seen from Python is printed too.

    python bench/switch.py [--tasks 20] [--width 1600] [--height 1200] [--port 8150]

Prints one JSON object.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-switch-pass-5"


def setup_env(tmp: Path) -> dict:
    env = dict(os.environ)
    # With no DATABASE_URL the bench gets a throwaway embedded PostgreSQL of its own.
    if not env.get("DATABASE_URL"):
        env["PLATEAU_PGDATA"] = str(tmp / "pg")
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "MEDIA_ROOT": str(tmp / "media"),
        "DEBUG": "1",  # whitenoise serves the modules from the app folders
        "LOG_LEVEL": "WARNING",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    })
    return env


def seed(env: dict, n: int, width: int, height: int) -> int:
    code = f"""
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from accounts.roles import Role
from tests.factories import add_member, make_project, make_user
from tests.browser.helpers import make_scene_task
project = make_project("Switch bench")
user = make_user("bench_annotator")
user.set_password({PASSWORD!r}); user.save()
add_member(project, user, Role.ANNOTATOR)
for i in range({n}):
    make_scene_task(project, width={width}, height={height}, seed=i)
print(project.pk)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"server did not come up at {url}")


def run(page, base: str, project_id: int, n: int) -> list[float]:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "bench_annotator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/annotate/projects/{project_id}/")
    stage = '[data-testid="annotation-stage"]'
    page.wait_for_selector(f"{stage}[data-drawn-task-id]")
    wall = []
    for _ in range(n):
        current = page.get_attribute(stage, "data-drawn-task-id")
        box = page.locator(stage).bounding_box()
        x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 80, y + 60, steps=4)
        page.mouse.up()
        t0 = time.perf_counter()
        page.keyboard.press("Control+Enter")
        page.wait_for_function(
            """([sel, cur]) => { const el = document.querySelector(sel);
                 return (el.dataset.drawnTaskId && el.dataset.drawnTaskId !== cur)
                     || !document.querySelector('[data-testid=all-done]').hidden; }""",
            arg=[stage, current],
        )
        wall.append((time.perf_counter() - t0) * 1000)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1200)
    parser.add_argument("--port", type=int, default=8150)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(dir=OUT) as tmpdir:
        env = setup_env(Path(tmpdir))
        project_id = seed(env, args.tasks + 1, args.width, args.height)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{args.port}",
             "-w", "2", "--threads", "4", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        try:
            wait_up(f"{base}/accounts/login/")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run"])
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                wall = run(page, base, project_id, args.tasks)
                in_page = page.evaluate("window.__plateau.switches")
                phases = page.evaluate("window.__plateau.phases || []")
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    result = {
        "bench": "switch",
        "what": "Ctrl+Enter -> next task's image and boxes drawn (one request: final save + submit + next; "
                "image decode). Phases: save = wait for an autosave in flight, submit = the request, next = 0",
        "tasks": args.tasks,
        "image": f"{args.width}x{args.height} PNG, display image = original",
        "server": "gunicorn -w 2 --threads 4, " + ("PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"),
        "in_page_ms": {"median": round(statistics.median(in_page), 1), "p90": round(sorted(in_page)[int(0.9 * (len(in_page) - 1))], 1),
                       "min": round(min(in_page), 1), "max": round(max(in_page), 1)},
        "phase_median_ms": {
            name: round(statistics.median(p[name] for p in phases), 1)
            for name in ["save", "submit", "next"] if phases
        },
        "wall_ms": {"median": round(statistics.median(wall), 1), "min": round(min(wall), 1), "max": round(max(wall), 1)},
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
