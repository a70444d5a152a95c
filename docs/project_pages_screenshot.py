"""Regenerate the screenshots of the project pages (1440x900): new project, settings, tasks, overview.

    python docs/project_pages_screenshot.py

Seeds the demo project (as `make run` does), lets two annotators label a few
tasks through the services (quality checks run eagerly, so some land in review
with scores and flags), then signs in as supervisor1 and photographs the pages.
"""

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.switch import OUT, PASSWORD, ROOT, setup_env, wait_up  # noqa: E402
from docs.labeling_screenshot import login  # noqa: E402
from tests.chromium import CHROMIUM_ARGS, DEBIAN_CHROMIUM  # noqa: E402

PORT = 8152
SEED = f"""
import random
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", images=24, seed=11, annotators=2, password={PASSWORD!r})
from accounts.models import User
from labeling.annotations import annotation_save, annotation_submit
from labeling.assignment import task_lease_next
from labeling.models import Annotation, Project
project = Project.objects.get(slug="qinghai-lake-survey")
rng = random.Random(3)
for name, rounds in (("annotator1", 7), ("annotator2", 5)):
    user = User.objects.get(username=name)
    for _ in range(rounds):
        lease = task_lease_next(project=project, annotator=user)
        if lease is None:
            break
        task = lease.task
        truth = task.gold_boxes or [{{"label": "yak", "x": 40, "y": 40, "width": 60, "height": 40}}]
        boxes = [dict(b, x=b["x"] + rng.uniform(-6, 6), y=b["y"] + rng.uniform(-6, 6)) for b in truth
                 if rng.random() > 0.2]
        version = Annotation.objects.get(task=task, annotator=user).version
        annotation_save(task=task, author=user, boxes=boxes, expected_version=version,
                        active_seconds=rng.uniform(3, 40))
        annotation_submit(task=task, author=user)
print(project.pk)
"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmpdir:
        env = setup_env(Path(tmpdir))
        env["CELERY_TASK_ALWAYS_EAGER"] = "1"
        out = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True)
        project_id = int(out.stdout.strip().splitlines()[-1])
        base = f"http://127.0.0.1:{PORT}"
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application",
                                   "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=env)
        try:
            wait_up(f"{base}/accounts/login/")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=DEBIAN_CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                login(page, base, "supervisor1")
                shots = [
                    ("project-new.png", "/annotate/projects/new/"),
                    ("project-settings.png", f"/annotate/projects/{project_id}/settings/"),
                    ("project-tasks.png", f"/annotate/projects/{project_id}/tasks/"),
                    ("project-overview.png", f"/annotate/projects/{project_id}/overview/"),
                ]
                for name, path in shots:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(ROOT / "docs" / name))
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
