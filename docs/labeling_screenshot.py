"""Regenerate the screenshots in docs/ (1440x900): the labeling tool, the review
page, annotator stats, the green report, datasets, a 403 page and the
supervisor's home page.

    python docs/labeling_screenshot.py

It seeds the demo project into the database of DATABASE_URL (or, without one,
a throwaway embedded PostgreSQL), adds a day of work (two annotators on the
same scenes, energy use, one export), serves the site with gunicorn and takes
the pictures in Chromium. Run it against an empty database: the demo seed
refuses to reuse an existing one's users with another password.
"""

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.switch import OUT, PASSWORD, ROOT, setup_env, wait_up  # noqa: E402
from tests.chromium import CHROMIUM_ARGS, DEBIAN_CHROMIUM  # noqa: E402

PORT = 8151
VIEWPORT = {"width": 1440, "height": 900}
DOCS = ROOT / "docs"
SCENE_SEED = 33
# The demo project as `make run` seeds it, plus what a day of work leaves behind.
SEED = f"""
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", images=8, seed={SCENE_SEED}, annotators=2, password={PASSWORD!r})
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from energy.services import energy_record_usage
from labeling.export.jobs import export_request
from labeling.models import Project, Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.quality.helpers import submit

project = Project.objects.get(slug="qinghai-lake-survey")
a1, a2 = User.objects.get(username="annotator1"), User.objects.get(username="annotator2")
supervisor = User.objects.get(username="supervisor1")
tasks = list(Task.objects.filter(project=project, is_gold=False).order_by("id"))
# The last two scenes were labeled by both annotators: mostly the same boxes, one missed, one moved.
for task in tasks[-2:]:
    truth = [(b["label"], b["x"], b["y"], b["width"], b["height"]) for b in task.gold_boxes]
    first = submit(task, a1, truth, active_seconds=95)
    moved = [(l, x + 14, y + 6, w, h) if i == 0 else (l, x, y, w, h) for i, (l, x, y, w, h) in enumerate(truth[:-1])]
    second = submit(task, a2, moved, active_seconds=70)
    Task.objects.filter(pk=task.pk).update(status=Task.Status.SUBMITTED)
    for annotation in (first, second):
        quality_check_enqueue(annotation.pk)
# Energy: annotators' stretches of work and the server's quality jobs over the last hours.
now = timezone.now().replace(minute=0, second=0, microsecond=0)
for hour in range(10):
    start = now - timedelta(hours=10 - hour)
    user = a1 if hour % 2 else a2
    energy_record_usage(consumer="workstation", project_id=project.pk, task_id=tasks[hour % len(tasks)].pk,
                        user_id=user.pk, started_at=start, ended_at=start + timedelta(minutes=40),
                        active_seconds=1500 + 120 * hour)
    energy_record_usage(consumer="server", project_id=project.pk, job_kind="quality", job_id=f"q{{hour}}",
                        started_at=start + timedelta(minutes=41), ended_at=start + timedelta(minutes=43),
                        cpu_seconds=20 + 5 * hour)
export_request(project=project, user=supervisor, fmt="coco", selection="submitted")
print(json.dumps({{"project": project.pk}}))
""".replace("import django;", "import json, django;")
TRUE_BOXES = """
import django, json; django.setup()
from labeling.models import Lease
task = Lease.objects.get(annotator__username="annotator1", released_at__isnull=True).task
order = {l.name: l.order for l in task.project.labels.all()}
print(json.dumps([dict(b, hotkey=order[b["label"]] + 1) for b in task.gold_boxes]))
"""


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shoot_tool(page, base: str, project_id: int, env: dict) -> None:
    page.goto(f"{base}/annotate/projects/{project_id}/")
    stage = '[data-testid="annotation-stage"]'
    page.wait_for_selector(f"{stage}[data-drawn-task-id]")
    truth = subprocess.run([sys.executable, "-c", TRUE_BOXES], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)
    boxes = json.loads(truth.stdout.strip().splitlines()[-1])
    vp = page.evaluate("window.__plateauTool.stage.vp")
    box = page.locator(stage).bounding_box()

    def at(ix, iy):
        return box["x"] + vp["tx"] + ix * vp["scale"], box["y"] + vp["ty"] + iy * vp["scale"]

    # Draw mode: boxes of a herd touch, and every drag must draw.
    for gold in boxes:
        page.keyboard.press("Escape")  # nothing selected: the number key sets the label for new boxes
        page.keyboard.press("n")  # (Esc also left draw mode)
        page.keyboard.press(str(gold["hotkey"]))
        page.mouse.move(*at(gold["x"], gold["y"]))
        page.mouse.down()
        page.mouse.move(*at(gold["x"] + gold["width"], gold["y"] + gold["height"]), steps=4)
        page.mouse.up()
    page.keyboard.press("n")  # leave draw mode; the last box stays selected with its handles
    # Zoom in around the herd (the wheel zooms around the cursor).
    cx = sum(g["x"] + g["width"] / 2 for g in boxes) / len(boxes)
    cy = sum(g["y"] + g["height"] / 2 for g in boxes) / len(boxes)
    page.mouse.move(*at(cx, cy))
    for _ in range(2):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)  # let each wheel step land before the next (a picture, not a test)
    # Space+drag: bring the herd to the middle of the stage.
    page.keyboard.down(" ")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    page.keyboard.up(" ")
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.3)
    page.wait_for_selector('[data-testid="save-state"][data-state="saved"]')
    page.screenshot(path=str(DOCS / "labeling.png"))


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmpdir:
        env = setup_env(Path(tmpdir))
        env.pop("CELERY_BROKER_URL", None)  # quality checks and the export run inline
        out = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        project_id = json.loads(out.stdout.strip().splitlines()[-1])["project"]
        base = f"http://127.0.0.1:{PORT}"
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application",
                                   "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=env)
        try:
            wait_up(f"{base}/accounts/login/")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=DEBIAN_CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=VIEWPORT)
                login(page, base, "annotator1")
                shoot_tool(page, base, project_id, env)
                # An annotator asking for the supervisors' stats: the styled 403 page.
                page.goto(f"{base}/annotate/projects/{project_id}/stats/")
                page.screenshot(path=str(DOCS / "error_403.png"))

                login(page, base, "supervisor1")
                page.screenshot(path=str(DOCS / "home.png"), full_page=True)  # the project card's link groups
                page.goto(f"{base}/annotate/projects/{project_id}/review/")
                page.wait_for_selector("[data-testid=review-box]")
                page.screenshot(path=str(DOCS / "review.png"))
                for name, path in [("stats", "stats/"), ("green_report", "energy/"), ("datasets", "datasets/")]:
                    page.goto(f"{base}/annotate/projects/{project_id}/{path}")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
