import pytest

from tests.factories import make_task


@pytest.fixture
def tasks(project):
    """Three tasks with 640x480 images, as uploaded (``img<n>.png``)."""
    return [make_task(project, width=640, height=480) for _ in range(3)]
