import shutil

import pytest

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium for the green report's browser test (never `playwright install`)."""
    if not shutil.which(DEBIAN_CHROMIUM):
        pytest.skip(f"{DEBIAN_CHROMIUM} not installed")
    return {**browser_type_launch_args, "executable_path": DEBIAN_CHROMIUM, "args": CHROMIUM_ARGS}
