"""Test settings: the environment's database, fast hashing, no broker unless a test asks."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests call services directly; tests of the real worker switch this off.
CELERY_TASK_ALWAYS_EAGER = True
# Each test's connection closes with its request, as the test databases expect
# (a kept connection would hold the test database open between tests).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The per-process web CPU buffer and the eager release of deferred jobs act on
# whatever is due: off in tests (no stray ledger rows or releases in a test's
# transaction); the tests of those two features switch them on.
ENERGY_WEB_FLUSH_S = 10**9
ENERGY_RELEASE_CHECK_S = 10**9
