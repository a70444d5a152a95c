"""Shared steps of the browser tests: scenes, login, stage coordinates."""

import hashlib
import io
import os
import time
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageDraw

from labeling.models import Image, Project, Task
from tests.factories import PASSWORD


DOCS = Path(__file__).resolve().parents[2] / "docs"


def doc_screenshot(page, tmp_path: Path, name: str, *, full_page: bool = False) -> None:
    """A page's picture: into docs/ with PLATEAU_SCREENSHOTS=1, else the test's tmp folder.

    A plain test run leaves the checkout as it found it.
    """
    folder = DOCS if os.environ.get("PLATEAU_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=str(folder / name), full_page=full_page)


def scene_png(width: int, height: int, seed: int = 0) -> bytes:
    """A plateau-ish picture: sky, lake, grass and a few dark blobs for yaks."""
    img = PILImage.new("RGB", (width, height), (196, 214, 230))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, height * 0.35, width, height * 0.55], fill=(64, 118, 168))
    draw.rectangle([0, height * 0.55, width, height], fill=(122, 150, 84))
    for i in range(5):
        x = (seed * 97 + i * 211) % max(1, width - 60) + 10
        y = int(height * 0.6) + (i * 53 + seed * 31) % max(1, int(height * 0.3))
        draw.ellipse([x, y, x + 46, y + 26], fill=(45, 35, 30))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def make_scene_task(project: Project, *, width: int = 800, height: int = 600, seed: int = 0, **task_fields) -> Task:
    """A task whose stored image really has the given size."""
    data = scene_png(width, height, seed)
    sha = hashlib.sha256(data + f"{project.pk}-{seed}".encode()).hexdigest()
    image = Image(project=project, width=width, height=height, sha256=sha, byte_size=len(data),
                  format="PNG", original_name=f"scene{seed}.png")
    image.file.save(f"scene{seed}.png", ContentFile(data), save=False)
    image.save()
    return Task.objects.create(project=project, image=image, **task_fields)


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


STAGE = '[data-testid="annotation-stage"]'


def open_labeling(page, base_url: str, project_id: int) -> None:
    page.goto(f"{base_url}/annotate/projects/{project_id}/")
    wait_drawn(page)


def wait_until(page, predicate, *, timeout: float = 15, what: str = "condition") -> None:
    """Poll ``predicate`` while Playwright keeps handling the page's events (routes, requests)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)


def wait_drawn(page, task_id: int | None = None) -> None:
    """Wait until the stage has painted a task's image (and its boxes)."""
    if task_id is None:
        page.wait_for_selector(f'{STAGE}[data-drawn-task-id]')
    else:
        page.wait_for_selector(f'{STAGE}[data-drawn-task-id="{task_id}"]')


def stage_point(page, ix: float, iy: float) -> tuple[float, float]:
    """Page coordinates of an image pixel, from the tool's current viewport."""
    box = page.locator(STAGE).bounding_box()
    vp = page.evaluate("window.__plateauTool.stage.vp")
    return box["x"] + vp["tx"] + ix * vp["scale"], box["y"] + vp["ty"] + iy * vp["scale"]


def drag(page, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


# --- an independent model of the viewport, as the UI promises it ---------------
# Fit: the whole image centred with a 12 px margin. Zoom: the image point under
# the cursor (or the stage centre for +/−) stays put. Pan: the image follows
# the drag. Tests derive expected image pixels from screen points with it.

FIT_MARGIN = 12


class ViewModel:
    def __init__(self, stage_box: dict, image_w: int, image_h: int) -> None:
        self.left, self.top = stage_box["x"], stage_box["y"]
        self.w, self.h = stage_box["width"], stage_box["height"]
        self.scale = min((self.w - 2 * FIT_MARGIN) / image_w, (self.h - 2 * FIT_MARGIN) / image_h)
        self.tx = (self.w - image_w * self.scale) / 2
        self.ty = (self.h - image_h * self.scale) / 2

    def to_page(self, ix: float, iy: float) -> tuple[int, int]:
        """Whole page pixels near an image point (the mouse moves in whole pixels)."""
        return round(self.left + self.tx + ix * self.scale), round(self.top + self.ty + iy * self.scale)

    def to_image(self, px: float, py: float) -> tuple[float, float]:
        return (px - self.left - self.tx) / self.scale, (py - self.top - self.ty) / self.scale

    def zoom_at(self, px: float, py: float, factor: float) -> None:
        sx, sy = px - self.left, py - self.top
        ix, iy = (sx - self.tx) / self.scale, (sy - self.ty) / self.scale
        self.scale *= factor
        self.tx, self.ty = sx - ix * self.scale, sy - iy * self.scale

    def zoom_centre(self, factor: float) -> None:
        self.zoom_at(self.left + self.w / 2, self.top + self.h / 2, factor)

    def pan(self, dx: float, dy: float) -> None:
        self.tx += dx
        self.ty += dy


def expected_box(model: ViewModel, a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = model.to_image(*a), model.to_image(*b)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def wait_saved(page) -> None:
    page.wait_for_selector('[data-testid="save-state"][data-state="saved"]')


def stored_boxes(task, user) -> list[tuple]:
    from labeling.models import Annotation

    annotation = Annotation.objects.get(task=task, annotator=user)
    return [(b.label.name, b.x, b.y, b.width, b.height)
            for b in annotation.boxes.select_related("label").order_by("id")]


def assert_close(actual: tuple, expected: tuple, tol: float = 1.0) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert abs(a - e) <= tol, f"{actual} != {expected} (±{tol} px)"


def annotator_with_scenes(width: int, height: int, count: int = 2):
    """A project "Qinghai Lake survey", its annotator "annotator1" and ``count`` scene tasks."""
    from accounts.roles import Role
    from tests.factories import add_member, make_project, make_user

    project = make_project("Qinghai Lake survey")
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    return project, user, [make_scene_task(project, width=width, height=height, seed=i) for i in range(count)]


def start_labeling(page, live_server, project, user, width: int, height: int):
    """Sign in, open the labeling page; the task it leased and the view's geometry."""
    from labeling.models import Lease

    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    task = Lease.objects.get(annotator=user, released_at__isnull=True).task
    return task, ViewModel(page.locator(STAGE).bounding_box(), width, height)


def draw_box(page, model, x0, y0, x1, y1) -> None:
    """Drag a box from (x0, y0) to (x1, y1), in image pixels."""
    drag(page, model.to_page(x0, y0), model.to_page(x1, y1))
