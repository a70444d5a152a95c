"""Child processes (Celery workers, killed commands) that work on the test database."""

import os
import subprocess
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment, pointed at the test database and media root."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    # A Unix socket folder (the embedded server) goes in the host part percent-encoded.
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not gone within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
