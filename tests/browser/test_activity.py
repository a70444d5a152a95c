"""While the page is open it renews the lease and reports active time, with an idle cut-off."""

import time

import pytest

from accounts.roles import Role
from labeling.models import Annotation, Lease
from tests.browser.helpers import STAGE, login, make_scene_task, open_labeling
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _active(task, user) -> float:
    return Annotation.objects.get(task=task, annotator=user).active_seconds


def test_heartbeat_renews_the_lease_and_counts_only_active_time(live_server, page, settings):
    settings.LABELING_TOOL_HEARTBEAT_SECONDS = 0.5
    settings.LABELING_TOOL_IDLE_SECONDS = 1.5
    project = make_project("Qinghai Lake survey", lease_seconds=600)
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    make_scene_task(project, width=800, height=600)
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    lease = Lease.objects.get(annotator=user, released_at__isnull=True)
    task, first_expiry = lease.task, lease.expires_at

    # Busy for about two seconds: pointer moves over the stage.
    box = page.locator(STAGE).bounding_box()
    for i in range(12):
        page.mouse.move(box["x"] + 100 + i * 10, box["y"] + 100 + i * 5)
        page.wait_for_timeout(170)
    deadline = time.monotonic() + 10
    while _active(task, user) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _active(task, user) >= 1
    lease.refresh_from_db()
    assert lease.expires_at > first_expiry

    # Then idle: at most the cut-off (plus a tick) is still counted, then nothing.
    page.wait_for_timeout(3500)
    after_idle = _active(task, user)
    page.wait_for_timeout(2500)
    assert _active(task, user) == after_idle
    assert after_idle <= 2 + 1.5 + 1.5  # busy time + cut-off + tick and request slack
