import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The speed norm is cached per project id; ids repeat across rolled-back tests."""
    cache.clear()
    yield
    cache.clear()


# Debian's Chromium for pytest-playwright (toolchain.md §4); never `playwright install`.
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": DEBIAN_CHROMIUM, "args": CHROMIUM_ARGS}
