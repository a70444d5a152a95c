"""Regenerate docs/labeling.png: the labeling page with a few boxes on a demo scene.

    python docs/labeling_screenshot.py
"""

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.switch import OUT, PASSWORD, ROOT, setup_env, wait_up  # noqa: E402

PORT = 8151
# The demo project as `make run` seeds it; the scene's true boxes are drawn by hand.
SEED = f"""
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", images=1, seed=SCENE_SEED, annotators=1, password={PASSWORD!r})
from labeling.models import Project
print(Project.objects.get(slug="qinghai-lake-survey").pk)
"""
SCENE_SEED = 33
TRUE_BOXES = """
import django, json; django.setup()
from labeling.models import Lease
task = Lease.objects.get(annotator__username="annotator1").task
order = {l.name: l.order for l in task.project.labels.all()}
print(json.dumps([dict(b, hotkey=order[b["label"]] + 1) for b in task.gold_boxes]))
"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmpdir:
        env = setup_env(Path(tmpdir))
        out = subprocess.run([sys.executable, "-c", SEED.replace("SCENE_SEED", str(SCENE_SEED))], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        project_id = int(out.stdout.strip().splitlines()[-1])
        base = f"http://127.0.0.1:{PORT}"
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application",
                                   "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=env)
        try:
            wait_up(f"{base}/accounts/login/")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=["--headless=new", "--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", "annotator1")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
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

                for gold in boxes:
                    page.keyboard.press(str(gold["hotkey"]))
                    a = at(gold["x"], gold["y"])
                    b = at(gold["x"] + gold["width"], gold["y"] + gold["height"])
                    page.mouse.move(*a)
                    page.mouse.down()
                    page.mouse.move(*b, steps=4)
                    page.mouse.up()
                page.mouse.move(*at(800, 600))
                page.wait_for_selector('[data-testid="save-state"][data-state="saved"]')
                page.screenshot(path=str(ROOT / "docs" / "labeling.png"))
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
