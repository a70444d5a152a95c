"""A Chinese-speaking team works without English: Chromium with the browser locale zh-CN.

Each page's visible text is read (``innerText``) and its Latin words are checked
against what may stay Latin: people's and projects' names, units, file formats,
codes and API paths. Anything else is an untranslated string, and the failure
lists it.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from energy.services import energy_record_usage
from labeling.demo.scenes import LABELS
from labeling.models import LabelClass, Task
from labeling.quality.enqueue import quality_check_enqueue
from tests.browser.helpers import STAGE, doc_screenshot, make_scene_task, wait_drawn
from tests.factories import PASSWORD, add_member, make_project, make_user
from tests.quality.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECT = "Qinghai Lake survey"


# What stays Latin in a Chinese page: names, units, formats, codes, keys.
ALLOWED_WORDS = {
    "Plateau", "Label", "Qinghai", "Lake", "survey", "annotator1", "annotator2", "supervisor1", "client1",
    "English", "kWh", "Wh", "mWh", "MWh", "gCO", "gCO2e", "CO2e", "CO", "e", "g", "W", "m", "s", "B", "KiB", "MiB", "KB", "MB", "GB",
    "PUE", "GPS", "COCO", "YOLO", "VOC", "Pascal", "Ultralytics", "JSON", "SHA-256", "SHA", "zip", "F1",
    "pycocotools", "CVAT", "datumaro", "FiftyOne", "RF-DETR", "RF", "DETR", "JPEGImages/", "Annotations/",
    "ImageSets/Main/", "images/", "labels/", "data.yaml", "JPEG", "PNG", "TIFF", "WebP", "Ctrl", "Shift", "Alt", "Z", "S",
    "Enter", "Del", "Backspace", "Tab", "Space", "H", "A", "C", "F", "Esc", "N", "K", "M", "V", "G", "x", "y", "GET", "v1", "v",
    "static", "qinghai-demo", "Asia/Shanghai", "UTC", "bulk_quality", "quality", "workstation", "server",
    "id", "location", "hourly", "IEA", "Electricity", "Maps", "CN-QH", "ISO", "CPU", "GHG", "g/kWh",
}
ALLOWED_PATTERNS = [
    r"/api/\S*", r"project-\d+-v\d+\.[a-z.]+", r"scene\d+\.png", r"(?<![\w-])v\d+\b", r"[0-9a-f]{12}", r"annotator\w*", r"\w+@\w+",
]


def _latin_words(text: str, extra: set[str] = frozenset()) -> list[str]:
    for pattern in ALLOWED_PATTERNS:
        text = re.sub(pattern, " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z0-9_./\-]*", text)
    return [w for w in words if w.strip("./-") not in ALLOWED_WORDS | extra and w not in ALLOWED_WORDS | extra]


def assert_chinese(page, *, extra: set[str] = frozenset(), min_cjk: int = 10) -> str:
    text = page.evaluate("document.body.innerText")
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = _latin_words(text, extra)
    assert cjk >= min_cjk, f"hardly any Chinese on {page.url}:\n{text[:400]}"
    assert not latin, f"English left on {page.url}: {sorted(set(latin))}\n{text}"
    return text


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def team(live_server):
    project = make_project(PROJECT, labels=())
    for order, label in enumerate(LABELS):
        LabelClass.objects.create(project=project, order=order, **label)
    people = {name: make_user(name) for name in ("annotator1", "annotator2", "supervisor1", "client1")}
    add_member(project, people["annotator1"], Role.ANNOTATOR)
    add_member(project, people["annotator2"], Role.ANNOTATOR)
    add_member(project, people["supervisor1"], Role.SUPERVISOR)
    add_member(project, people["client1"], Role.CLIENT)
    project.overlap = 2
    project.save()
    tasks = [make_scene_task(project, width=1200, height=900, seed=i) for i in range(3)]
    return project, people, tasks


def _sign_in(page, base_url, username, next_url="/"):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    assert_chinese(page, min_cjk=4)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_login_home_and_tool_in_chinese(live_server, page, team, tmp_path):
    project, people, _ = team
    _sign_in(page, live_server.url, "annotator1")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "我的项目" in assert_chinese(page)

    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/")
    wait_drawn(page)
    # The label picker: Chinese display names, Tibetan beside them; boxes keep the canonical name.
    picks = page.locator('[data-testid="label-pick"]')
    assert picks.first.locator(".label-name").inner_text() == "牦牛"
    assert picks.first.get_attribute("data-label") == "yak"
    tibetan = picks.first.locator('[data-testid="label-tibetan"]')
    assert tibetan.inner_text() == "གཡག" and tibetan.get_attribute("lang") == "bo"
    assert _renders_glyphs(page, tibetan)
    # Draw a box: its row and the current label read Chinese; the save state says so in Chinese.
    box = page.locator(STAGE).bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 320, box["y"] + 300, steps=5)
    page.mouse.up()
    page.keyboard.press("Control+s")
    page.wait_for_selector('[data-testid="save-state"]:has-text("全部更改已保存")')
    row = page.locator('[data-testid="box-item"]').first
    assert row.locator("select option:checked").inner_text() == "牦牛"
    assert_chinese(page, extra={"Tibetan"})
    # "?" lists every shortcut in Chinese.
    page.keyboard.press("?")
    page.wait_for_selector('[data-testid="help-overlay"]:visible')
    help_text = page.locator('[data-testid="help-overlay"]').inner_text()
    assert "画框" in help_text and "撤销 / 重做" in help_text
    assert not _latin_words(help_text), _latin_words(help_text)
    doc_screenshot(page, tmp_path, "labeling_help_zh.png")
    page.keyboard.press("Escape")
    page.wait_for_selector('[data-testid="help-overlay"]', state="hidden")
    doc_screenshot(page, tmp_path, "labeling_zh.png")
    # The skip dialog, then a refused save (the task changed elsewhere): Chinese notices.
    page.locator('[data-testid="skip"]').click()
    dialog = page.locator('[data-testid="skip-dialog"]')
    assert "跳过此任务" in dialog.inner_text() and not _latin_words(dialog.inner_text())
    dialog.locator("[data-cancel]").click()
    task_id = int(page.locator(STAGE).get_attribute("data-task-id"))
    from labeling.models import Annotation
    Annotation.objects.filter(task_id=task_id, annotator=people["annotator1"]).update(version=99)
    page.mouse.move(box["x"] + 400, box["y"] + 400)
    page.mouse.down()
    page.mouse.move(box["x"] + 500, box["y"] + 480, steps=5)
    page.mouse.up()
    page.keyboard.press("Control+s")
    notice = page.locator('[data-testid="notice-blocked"]')
    notice.wait_for()
    assert "未保存：此任务已在别处被更改。" in notice.inner_text()
    assert not _latin_words(notice.inner_text())


def test_review_page_datasets_and_green_report_in_chinese(live_server, page, team, tmp_path):
    project, people, tasks = team
    for task in tasks[:2]:
        Task.objects.filter(pk=task.pk).update(status=Task.Status.SUBMITTED)
        for who, shift in (("annotator1", 0), ("annotator2", 6)):
            made = submit(task, people[who], [("yak", 100 + shift, 100, 40, 30), ("snow_leopard", 500, 50, 80, 60)])
            quality_check_enqueue(made.pk)
    start = timezone.now() - timedelta(hours=20)
    for i, task in enumerate(tasks):
        t0 = start + timedelta(hours=3 * i)
        energy_record_usage(consumer="workstation", project_id=project.pk, task_id=task.pk,
                            user_id=people["annotator1"].pk, started_at=t0, ended_at=t0 + timedelta(minutes=20),
                            active_seconds=1200)
    _sign_in(page, live_server.url, "supervisor1", f"/annotate/projects/{project.pk}/review/")
    page.locator("[data-testid=review-item]").first.wait_for()
    text = assert_chinese(page)
    assert "个任务待审核" in text
    # Box labels on the review drawing are display names.
    assert "牦牛" in page.locator("[data-testid=review-item] svg").first.inner_html()
    doc_screenshot(page, tmp_path, "review_zh.png")

    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/stats/")
    assert_chinese(page)
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/energy/")
    assert "绿色报告" in assert_chinese(page, extra=_report_sources(page))

    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/datasets/")
    assert_chinese(page)
    page.locator('[data-testid="export-submit"]').click()
    page.wait_for_selector('#export-rows tr[data-state="done"]')
    assert "下载" in assert_chinese(page, extra={"coco", "accepted", "json"})


def _report_sources(page) -> set[str]:
    """Codes (supply sources, profiles, API paths) and the site's name come from the data, kept as they are."""
    names = page.locator("code").all_inner_texts() + [page.locator("h1 + p strong").first.inner_text()]
    return {w for text in names for w in re.findall(r"[A-Za-z][A-Za-z0-9_./\-]*", text)}


def _renders_glyphs(page, locator) -> bool:
    """The text is drawn with a face that has it: wider than the same count of missing-glyph boxes."""
    return locator.evaluate("""el => {
        const font = getComputedStyle(el).font;
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = font;
        const real = ctx.measureText(el.textContent).width;
        const tofu = ctx.measureText('\\u0FFF'.repeat([...el.textContent].length)).width;
        return real > 0 && Math.abs(real - tofu) > 0.5;
    }""")
