"""The box tool's browser tests: a fixed viewport and pixel ratio (Chromium itself: tests/chromium.py)."""

import threading
import time

import pytest
from django.core.signals import request_finished, request_started


@pytest.fixture
def browser_context_args(browser_context_args):
    # Playwright evaluates string predicates with eval, which the site's CSP forbids;
    # tests/browser/test_csp.py turns the policy back on for its own pages.
    return {**browser_context_args, "viewport": {"width": 1200, "height": 800}, "device_scale_factor": 1,
            "bypass_csp": True}


class _Requests:
    """Requests the live server is answering now (Django's request signals, in its threads)."""

    def __init__(self) -> None:
        self.lock, self.open = threading.Lock(), 0

    def started(self, **kwargs) -> None:
        with self.lock:
            self.open += 1

    def finished(self, **kwargs) -> None:
        with self.lock:
            self.open -= 1


@pytest.fixture(autouse=True)
def _server_idle_before_flush(live_server):
    # Torn down after the test's page (which stops the browser sending) and
    # before the database flush of live_server's transactional_db: a save or
    # heartbeat the page sent just before it closed would otherwise still be
    # writing when the flush truncates every table, and one of the two is a
    # deadlock victim (seen under load: the flush failed and the next test
    # found the last one's rows).
    answering = _Requests()
    request_started.connect(answering.started, weak=False)
    request_finished.connect(answering.finished, weak=False)
    yield
    deadline = time.monotonic() + 10
    while answering.open > 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    request_started.disconnect(answering.started)
    request_finished.disconnect(answering.finished)
