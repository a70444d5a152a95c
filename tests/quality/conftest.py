import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The speed norm is cached per project id; ids repeat across rolled-back tests."""
    cache.clear()
    yield
    cache.clear()
