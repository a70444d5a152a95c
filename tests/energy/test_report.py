"""The green report (API and page) from the attacker's side, and the COCO green block."""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from pycocotools.coco import COCO

from energy.models import Certificate
from energy.services import energy_record_usage, project_green_summary, schedule_deferrable, task_energy_tags
from energy.supply import site_get
from tests.energy import jobs  # noqa: F401  (registers the test task)
from tests.factories import PASSWORD, api_client, make_task, make_user

CST = timezone(timedelta(hours=8))


def at(h, m=0, day=1):
    return datetime(2025, 7, day, h, m, tzinfo=CST)


@pytest.fixture
def worked(project, annotator):
    tasks = [make_task(project) for _ in range(3)]
    other = make_user("annotator_b", device_watts=90)
    for i, task in enumerate(tasks):
        user = annotator if i % 2 == 0 else other
        energy_record_usage(consumer="workstation", project_id=project.pk, task_id=task.pk, user_id=user.pk,
                            started_at=at(7 + i * 3), ended_at=at(7 + i * 3, 20), active_seconds=900)
        energy_record_usage(consumer="server", project_id=project.pk, task_id=task.pk, job_kind="quality",
                            job_id=f"q{i}", started_at=at(7 + i * 3, 21), ended_at=at(7 + i * 3, 22), cpu_seconds=4)
    energy_record_usage(consumer="server", project_id=project.pk, job_kind="export", started_at=at(20, day=2),
                        ended_at=at(20, 5, day=2), cpu_seconds=120)
    schedule_deferrable(kind="quality_rerun", task_name="tests.energy.heavy_job", kwargs={}, expected_seconds=5400,
                        deadline=at(11), project_id=project.pk, now=at(7, 30))
    Certificate.objects.create(site=site_get(None), mwh=12, period_start=at(0).date(), period_end=at(0).date())
    return tasks


def test_supervisor_sees_everything(worked, supervisor):
    from energy.deferral import release_due

    # The job deferred to 09:30 (energy.md §4.11 I) is released then: it achieves the planned 0.986667.
    assert release_due(now=at(9, 30)) == 1
    r = api_client(supervisor).get(f"/api/v1/projects/{supervisor.memberships.get().project_id}/energy/")
    assert r.status_code == 200
    body = r.json()
    assert body["audience"] == "supervisor" and body["tasks_with_energy"] == 3
    assert {row["username"] for row in body["by_annotator"]} == {"annotator", "annotator_b"}
    assert set(body["by_kind"]) == {"workstation", "quality", "export"}
    assert body["series"]["daily"][0]["t"] == "2025-07-01" and len(body["series"]["daily"]) == 2
    assert body["deferrals"]["deferred_count"] == 1 and body["deferrals"]["estimated_avoided_co2e_g"] > 0
    (job,) = body["deferrals"]["jobs"]
    assert job["share_planned"] == pytest.approx(0.986667, abs=1e-6) == job["share_achieved"]
    assert [d["decision"] for d in job["decisions"]] == ["deferred", "released"]
    # The site's 12 MWh cover the project's day-1 energy (pro rata, capped at what it used), not day 2's export.
    day1 = sum(t["kwh"] for t in task_energy_tags([t.pk for t in worked]).values())
    assert body["contract_based"]["allocated_kwh"] == pytest.approx(day1, rel=1e-9)
    assert body["contract_based"]["certificates"][0]["volume_mwh"] == 12
    tags = task_energy_tags([t.pk for t in worked])
    task_kwh = sum(t["kwh"] for t in tags.values())
    assert body["totals"]["energy_kwh"] == pytest.approx(task_kwh + 120 * 15 * 1.15 / 3.6e6, rel=1e-9)
    assert 0 < body["totals"]["clean_share"] <= 1


def test_client_sees_totals_not_people(worked, client_user, project):
    body = api_client(client_user).get(f"/api/v1/projects/{project.pk}/energy/").json()
    assert body["audience"] == "client" and "by_annotator" not in body
    # No annotator's name (the method text may speak of annotators in general).
    text = json.dumps(body)
    assert '"annotator"' not in text and "annotator_b" not in text and "user_id" not in text


@pytest.mark.parametrize("who, status", [("annotator", 403), ("outsider", 404), ("other_client", 404), ("admin_user", 200)])
def test_report_access(request, worked, project, who, status):
    user = request.getfixturevalue(who)
    assert api_client(user).get(f"/api/v1/projects/{project.pk}/energy/").status_code == status


def test_report_anonymous_and_missing(project, supervisor):
    assert api_client().get(f"/api/v1/projects/{project.pk}/energy/").status_code in (401, 403)
    r = api_client(supervisor).get("/api/v1/projects/999999/energy/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_page_draws_charts(client, worked, supervisor, project):
    client.login(username="supervisor", password=PASSWORD)
    html = client.get(f"/annotate/projects/{project.pk}/energy/").content.decode()
    assert html.count("<svg") >= 4 and 'data-testid="per-annotator"' in html
    assert "quality_rerun" in html and "deferred" in html and "synthetic" in html
    # Charts drawn on the server: the only scripts are the site's own (translations), none from elsewhere.
    # (Not a search for "cdn": a random CSRF token or nonce may contain those letters.)
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", html)
    assert all('src="/' in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "chart" not in " ".join(re.findall(r"<script[^>]*>", html))


def test_page_for_client_and_strangers(client, worked, client_user, outsider, project):
    client.login(username="client", password=PASSWORD)
    html = client.get(f"/annotate/projects/{project.pk}/energy/").content.decode()
    assert 'data-testid="energy-totals"' in html and 'data-testid="per-annotator"' not in html
    client.logout()
    assert client.get(f"/annotate/projects/{project.pk}/energy/").status_code == 302
    client.login(username="outsider", password=PASSWORD)
    assert client.get(f"/annotate/projects/{project.pk}/energy/").status_code == 404


def test_empty_project_page(client, supervisor, project):
    client.login(username="supervisor", password=PASSWORD)
    r = client.get(f"/annotate/projects/{project.pk}/energy/")
    assert r.status_code == 200 and "No energy recorded yet" in r.content.decode()


def test_info_green_computing_totals_equal_sum_of_images(worked, project):
    ids = [t.pk for t in worked]
    block = project_green_summary(project.pk, ids)
    tags = task_energy_tags(ids)
    assert block["totals"]["energy_kwh"] == pytest.approx(sum(t["kwh"] for t in tags.values()), rel=1e-12)
    assert block["totals"]["co2e_g"] == pytest.approx(sum(t["co2e_g"] for t in tags.values()), rel=1e-12)
    assert block["basis_counts"] == {"measured": 0, "estimated": 3, "mixed": 0, "unknown": 0}
    assert block["supply_sources"] == [{"source": "static:qinghai-sample-v1", "quality": ["estimated"]}]
    assert block["contract_based"]["allocated_kwh"] == pytest.approx(block["totals"]["energy_kwh"], rel=1e-9)


def test_coco_export_roundtrip_pycocotools(worked, project, tmp_path):
    ids = [t.pk for t in worked]
    tags = task_energy_tags(ids)
    coco = {
        "info": {"description": "roundtrip", "version": "1.0", "year": 2025, "green_computing": project_green_summary(project.pk, ids)},
        "licenses": [],
        "images": [{"id": i + 1, "file_name": f"{t}.png", "width": 640, "height": 480, "energy": {"task_id": t, **tags[t]}}
                   for i, t in enumerate(ids)],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0, "segmentation": []}],
        "categories": [{"id": 1, "name": "yak", "supercategory": "animal"}],
    }
    path = tmp_path / "coco.json"
    path.write_text(json.dumps(coco))
    loaded = COCO(str(path))
    assert loaded.dataset["info"]["green_computing"]["methodology_version"] == "2.0"
    assert sum(img["energy"]["kwh"] for img in loaded.dataset["images"]) == pytest.approx(
        loaded.dataset["info"]["green_computing"]["totals"]["energy_kwh"], rel=1e-12)


def test_task_energy_endpoint(worked, supervisor, client_user, outsider, annotator):
    task = worked[0]
    body = api_client(supervisor).get(f"/api/v1/tasks/{task.pk}/energy/").json()
    assert body["task_id"] == task.pk and body["basis"] == "estimated" and len(body["components"]) == 2
    assert body["supply_sources"] == ["static:qinghai-sample-v1"]
    assert body["badge"].endswith("· estimated") and " Wh · " in body["badge"]
    assert api_client(client_user).get(f"/api/v1/tasks/{task.pk}/energy/").status_code == 200
    assert api_client(outsider).get(f"/api/v1/tasks/{task.pk}/energy/").status_code == 404
    # An annotator sees only tasks they hold or worked on (none here).
    assert api_client(annotator).get(f"/api/v1/tasks/{task.pk}/energy/").status_code == 404


def test_energy_badge():
    from energy.services import energy_badge

    tag = {"kwh": 0.030023958, "clean_share": 0.9197, "co2e_g": 2.398, "basis": "estimated"}
    assert energy_badge(tag) == "30.0 Wh · 92.0 % clean · 2.40 g CO₂e · estimated"
    assert energy_badge({"kwh": None, "clean_share": None, "co2e_g": None, "basis": "unknown"}) == "energy not recorded yet"
    assert "clean share unknown" in energy_badge({"kwh": 1.0, "clean_share": None, "co2e_g": None, "basis": "estimated"})


def test_report_for_project_on_a_site_without_data(client, supervisor, project):
    project.energy_site = "yushu-office"
    project.save()
    task = make_task(project)
    energy_record_usage(consumer="workstation", project_id=project.pk, task_id=task.pk, user_id=supervisor.pk,
                        started_at=at(9), ended_at=at(9, 10), active_seconds=600)
    body = api_client(supervisor).get(f"/api/v1/projects/{project.pk}/energy/").json()
    assert body["site"]["slug"] == "yushu-office" and body["totals"]["clean_share"] is None
    assert body["totals"]["energy_kwh"] == pytest.approx(0.01)
    client.login(username="supervisor", password=PASSWORD)
    html = client.get(f"/annotate/projects/{project.pk}/energy/").content.decode()
    assert "unknown" in html and "No forecast for this site" in html
