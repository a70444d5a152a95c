"""The green report's charts render in real Chromium: inline SVG, nothing fetched from elsewhere."""

import os
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from energy.services import energy_record_usage, schedule_deferrable
from tests.energy import jobs  # noqa: F401  (registers the test task)
from tests.factories import PASSWORD, add_member, make_project, make_task, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_green_report_charts_in_chromium(live_server, page, tmp_path):
    project = make_project("Green survey")
    supervisor, annotator = make_user("sup_green"), make_user("ann_green", device_watts=75)
    add_member(project, supervisor, "supervisor")
    add_member(project, annotator, "annotator")
    start = timezone.now() - timedelta(hours=30)
    for i in range(12):
        task = make_task(project)
        t0 = start + timedelta(hours=2 * i)
        energy_record_usage(consumer="workstation", project_id=project.pk, task_id=task.pk, user_id=annotator.pk,
                            started_at=t0, ended_at=t0 + timedelta(minutes=25), active_seconds=1200)
        energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, job_kind="quality",
                            started_at=t0 + timedelta(minutes=26), ended_at=t0 + timedelta(minutes=27), cpu_seconds=30)
    local = timezone.now().astimezone(ZoneInfo("Asia/Shanghai"))
    morning = local.replace(hour=6, minute=0, second=0, microsecond=0)
    schedule_deferrable(kind="bulk_quality", task_name="tests.energy.heavy_job", kwargs={}, expected_seconds=5400,
                        deadline=morning + timedelta(hours=6), project_id=project.pk, now=morning)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "sup_green")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/annotate/projects/{project.pk}/energy/")
    # 12 x 1200 s at 75 W = 300 Wh, plus 12 quality jobs: shown in Wh with the range of assumed watts.
    assert page.locator("[data-testid=total-kwh]").inner_text() == "302 Wh (151 Wh–453 Wh)"
    assert page.locator("[data-testid=method]").is_visible()
    chart = page.locator("[data-testid=chart-time] svg")
    assert chart.bounding_box()["width"] > 300
    assert page.locator("[data-testid=chart-time] svg rect").count() >= 2 * 12
    assert page.locator("[data-testid=per-annotator] svg text", has_text="ann_green").count() == 1
    assert page.locator("[data-testid=deferrals] td", has_text="bulk quality checks").count() == 1
    assert all(url.startswith(live_server.url) for url in requests)
    page.screenshot(path=os.environ.get("ENERGY_SCREENSHOT") or str(tmp_path / "green.png"), full_page=True)
