"""Browser tests drive Debian's Chromium through pytest-playwright.

Never ``playwright install``: the fixture below points Playwright at
/usr/bin/chromium (Debian's package; Playwright's own download is not reachable here).
"""

import shutil

import pytest

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # closed network: no refused background connections
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Point pytest-playwright's ``browser``/``page`` fixtures at Debian's Chromium."""
    if not shutil.which(DEBIAN_CHROMIUM):
        pytest.skip(f"{DEBIAN_CHROMIUM} not installed (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": DEBIAN_CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    # Playwright evaluates string predicates with eval, which the site's CSP forbids;
    # tests/browser/test_csp.py turns the policy back on for its own pages.
    return {**browser_context_args, "viewport": {"width": 1200, "height": 800}, "device_scale_factor": 1,
            "bypass_csp": True}
