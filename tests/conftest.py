import os

import pytest

# Playwright's sync API keeps an asyncio loop running in the main thread; without
# this Django's ORM refuses to run (microsoft/playwright-pytest#29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import *  # noqa: E402,F401,F403

pytest_plugins = ["tests.chromium"]


def pytest_configure(config):
    """Translations: the .mo files are built from the .po catalogs, as `make install` does."""
    from config.i18n import compile_all

    compile_all()


def pytest_collection_modifyitems(config, items):
    has_broker = bool(os.environ.get("CELERY_BROKER_URL"))
    from tests.chromium import chromium_available

    has_chromium = chromium_available()
    force_browser = os.environ.get("BROWSER_TESTS") == "1"
    for item in items:
        if "worker" in item.keywords and not has_broker:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL=redis://..."))
        if "browser" in item.keywords and not has_chromium and not force_browser:
            item.add_marker(pytest.mark.skip(reason="needs Chromium: apt-get install -y chromium"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes files under its own temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
