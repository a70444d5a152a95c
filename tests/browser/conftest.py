"""The box tool's browser tests: a fixed viewport and pixel ratio (Chromium itself: tests/chromium.py)."""

import pytest


@pytest.fixture
def browser_context_args(browser_context_args):
    # Playwright evaluates string predicates with eval, which the site's CSP forbids;
    # tests/browser/test_csp.py turns the policy back on for its own pages.
    return {**browser_context_args, "viewport": {"width": 1200, "height": 800}, "device_scale_factor": 1,
            "bypass_csp": True}
