"""Debian's Chromium for every browser test (and the scripts that take screenshots).

Loaded for the whole suite as a pytest plugin (tests/conftest.py), so pytest-playwright's
``browser``/``page`` fixtures drive /usr/bin/chromium everywhere. Never ``playwright
install``: Playwright's own download is not reachable here.
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


def chromium_available() -> bool:
    return bool(shutil.which(DEBIAN_CHROMIUM))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not chromium_available():
        pytest.skip(f"{DEBIAN_CHROMIUM} not installed (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": DEBIAN_CHROMIUM, "args": CHROMIUM_ARGS}
