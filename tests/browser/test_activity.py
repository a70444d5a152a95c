"""While the page is open it renews the lease and reports active time, with an idle cut-off."""

import time

import pytest

from accounts.roles import Role
from labeling.models import Annotation, Lease
from tests.browser.helpers import STAGE, login, make_scene_task, open_labeling, wait_until
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _active(task, user) -> float:
    return Annotation.objects.get(task=task, annotator=user).active_seconds


def _busy(page, *, moves: int) -> float:
    """Pointer moves over the stage every 170 ms; the seconds it took (measured, not
    assumed: on a loaded machine the moves take longer than moves × 170 ms)."""
    box = page.locator(STAGE).bounding_box()
    started = time.monotonic()
    for i in range(moves):
        page.mouse.move(box["x"] + 100 + i * 10, box["y"] + 100 + i * 5)
        page.wait_for_timeout(170)
    return time.monotonic() - started


def _signed_in_annotator(live_server, page, settings):
    """An annotator signed in, one task waiting; heartbeats every 0.5 s, idle after 1.5 s."""
    settings.LABELING_TOOL_HEARTBEAT_SECONDS = 0.5
    settings.LABELING_TOOL_IDLE_SECONDS = 1.5
    project = make_project("Qinghai Lake survey", lease_seconds=600)
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    make_scene_task(project, width=800, height=600)
    login(page, live_server.url, user.username)
    return project, user


def test_heartbeat_renews_the_lease_and_counts_only_active_time(live_server, page, settings):
    project, user = _signed_in_annotator(live_server, page, settings)
    open_labeling(page, live_server.url, project.pk)
    lease = Lease.objects.get(annotator=user, released_at__isnull=True)
    task, first_expiry = lease.task, lease.expires_at

    # Busy for about two seconds: pointer moves over the stage.
    busy_seconds = _busy(page, moves=12)
    wait_until(page, lambda: _active(task, user) >= 1, what="active time reported")
    lease.refresh_from_db()
    assert lease.expires_at > first_expiry

    # Then idle: the count stops growing once the cut-off has passed with no input...
    after_idle = _settled(page, lambda: _active(task, user), quiet=4 * settings.LABELING_TOOL_HEARTBEAT_SECONDS)
    # ...having counted at most the busy time, the cut-off and one heartbeat tick.
    assert after_idle <= busy_seconds + settings.LABELING_TOOL_IDLE_SECONDS + settings.LABELING_TOOL_HEARTBEAT_SECONDS + 0.5
    # And it stays put while the page is still open and heartbeating.
    lease.refresh_from_db()
    renewed = lease.expires_at
    wait_until(page, lambda: Lease.objects.get(pk=lease.pk).expires_at > renewed, what="another heartbeat")
    assert _active(task, user) == after_idle


def _settled(page, read, *, quiet: float, timeout: float = 30) -> float:
    """The value once it has not changed for ``quiet`` seconds."""
    value, since, deadline = read(), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the active time never settled"
        page.wait_for_timeout(100)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
    return value


def test_active_time_of_heartbeats_that_never_arrived_goes_with_the_next_one(live_server, page, settings):
    project, user = _signed_in_annotator(live_server, page, settings)
    lost = []
    # The network drops every heartbeat while the annotator works...
    page.route("**/heartbeat/", lambda route: (lost.append(route.request.url), route.abort()))
    open_labeling(page, live_server.url, project.pk)
    task = Lease.objects.get(annotator=user, released_at__isnull=True).task
    busy_seconds = _busy(page, moves=24)
    assert len(lost) >= 3 and _active(task, user) == 0
    # ...then comes back: the seconds the lost heartbeats carried are reported, not dropped
    # (dropped, at most the last interval and the idle cut-off would remain: < 3 s of ~4).
    page.unroute("**/heartbeat/")
    settled = _settled(page, lambda: _active(task, user), quiet=4 * settings.LABELING_TOOL_HEARTBEAT_SECONDS)
    assert busy_seconds - 0.5 <= settled <= busy_seconds + settings.LABELING_TOOL_IDLE_SECONDS + 1.5
