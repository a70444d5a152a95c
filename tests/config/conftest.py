import shutil
import tempfile
from pathlib import Path

import pytest


@pytest.fixture
def pg_parent():
    """A folder for a throwaway cluster, outside pytest's tmp_path.

    The server runs as its own system user when the tests run as root, so every
    folder above its data must stay traversable; pytest resets its base folder to
    0700 whenever another session starts, which would lock the server out.
    """
    path = Path(tempfile.mkdtemp(prefix="plateau-pg-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
