"""Django settings for CityLoop, read from the environment.

Every setting a deployment changes comes from a ``CITYLOOP_*`` variable; the defaults make a
fresh clone work with nothing configured (SQLite under ``var/``, debug off).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CITYLOOP_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The secret key: from the environment, else generated once into var/ (never committed)."""
    if key := os.environ.get("CITYLOOP_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("CITYLOOP_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CITYLOOP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CITYLOOP_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "cityloop.web.admin_apps.CityLoopAdminConfig",  # Django's admin, with the login lock-out
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves /api/docs from its own static files (no CDN; the CSP allows only 'self')
    "django_tasks",
    "django_tasks_db",
    "cityloop.core",
    "cityloop.org",
    "cityloop.geo",
    "cityloop.categories",
    "cityloop.worktime",
    "cityloop.events",
    "cityloop.notifications",
    "cityloop.open311",
    "cityloop.devices",
    "cityloop.sorting",
    "cityloop.enforcement",
    "cityloop.demo",
    "cityloop.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cityloop.web.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "cityloop.urls"
WSGI_APPLICATION = "cityloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cityloop.web.context_processors.web_nav",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("CITYLOOP_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'cityloop.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed while one writer writes; IMMEDIATE transactions and a busy
        # timeout make concurrent writers wait instead of failing with "database is locked".
        # A 64 MB page cache (the default is 2 MB) keeps the indexes of devices_record in
        # memory while device records stream in (docs/decisions/0022-ingest-bulk-sql.md).
        # Connections are kept (conn_max_age above) like PostgreSQL's: a new SQLite connection
        # starts with an empty page cache and reads the schema again, on every request and
        # every MQTT batch (docs/decisions/0030-record-columns.md). The WAL is checkpointed
        # every 10,000 pages (40 MB) rather than 1,000: each checkpoint waits for the disk.
        db["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
                " PRAGMA wal_autocheckpoint=10000;"
            ),
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    return dict(db)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its translations in its own locale/ folder (found automatically).
LOCALE_PATHS: list[Path] = []
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves from the finders, so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# Every JSON API list paginates by page number, the page bounded (core/pagination.py, 0039).
NINJA_PAGINATION_CLASS = "cityloop.core.pagination.PageNumbers"

LOGIN_URL = "web:login"
# Django's model backend behind the sign-in lock-out, for every door that takes a password.
AUTHENTICATION_BACKENDS = ["cityloop.web.lockout.LockoutBackend"]
# Where a login lands when no ?next= was given: the page of the user's role (web.views.auth).
LOGIN_REDIRECT_URL = "web:home"

# Served over HTTPS (behind a reverse proxy that sets X-Forwarded-Proto): secure cookies and HSTS.
if _env_bool("CITYLOOP_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CITYLOOP_LOG_LEVEL", "WARNING")},
}

# Background work through Django's tasks API; the database backend needs nothing else to run
# (`cityloop db_worker` runs the queue). CITYLOOP_TASKS_BACKEND=immediate runs tasks inline.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.backend.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("CITYLOOP_TASKS_BACKEND", "database")]
    }
}

# --- CityLoop's own settings -------------------------------------------------------------
# The district this deployment serves (GB/T 2260 code); the demo builds Luohu, 440303.
CITYLOOP_DISTRICT_CODE = os.environ.get("CITYLOOP_DISTRICT_CODE", "440303")

# --- Statutory clocks (cityloop.core.workflow.clocks, decision 0047) -----------------------
# How a period of days or months is counted where the law the bureau follows says nothing
# the reference checked: whether the day the period starts on is itself counted (default no:
# counting begins the next day), whether a period of natural days or months whose last day is
# a day off ends on the next working day instead (default yes), and when the last day ends
# ("24:00", or the office's closing time, e.g. "18:00").
CITYLOOP_CLOCK_START_DAY_COUNTED = _env_bool("CITYLOOP_CLOCK_START_DAY_COUNTED")
CITYLOOP_CLOCK_LAST_DAY_OFF_MOVES = _env_bool("CITYLOOP_CLOCK_LAST_DAY_OFF_MOVES", default=True)
CITYLOOP_CLOCK_DAY_ENDS = os.environ.get("CITYLOOP_CLOCK_DAY_ENDS", "24:00")

# --- Maps --------------------------------------------------------------------------------
# Base tiles (optional): a Leaflet URL template with the operator's own key, e.g. 天地图
# "https://t{s}.tianditu.gov.cn/vec_w/wmts?…&tk=KEY" (CRS wgs84) or AMap
# "https://webrd0{s}.is.autonavi.com/appmaptile?…" (CRS gcj02). With none, the maps draw the
# district's own boundary layers only. The tile host is added to the CSP's img-src.
CITYLOOP_MAP_TILE_URL = os.environ.get("CITYLOOP_MAP_TILE_URL", "")
CITYLOOP_MAP_TILE_CRS = os.environ.get("CITYLOOP_MAP_TILE_CRS", "wgs84")
CITYLOOP_MAP_TILE_ATTRIBUTION = os.environ.get("CITYLOOP_MAP_TILE_ATTRIBUTION", "")
CITYLOOP_MAP_TILE_SUBDOMAINS = os.environ.get("CITYLOOP_MAP_TILE_SUBDOMAINS", "")

# --- Sign-in lock-out --------------------------------------------------------------------
# This many failed sign-ins for one username within the window lock it for the window.
CITYLOOP_LOGIN_MAX_FAILURES = int(os.environ.get("CITYLOOP_LOGIN_MAX_FAILURES", "5"))
CITYLOOP_LOGIN_LOCK_MINUTES = int(os.environ.get("CITYLOOP_LOGIN_LOCK_MINUTES", "15"))

# --- E-mail ------------------------------------------------------------------------------
# Notifications are always in-app; with CITYLOOP_EMAIL_NOTIFICATIONS=true each one is also
# e-mailed (after the commit) through Django's SMTP settings below.
CITYLOOP_EMAIL_NOTIFICATIONS = _env_bool("CITYLOOP_EMAIL_NOTIFICATIONS")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cityloop@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Devices (cityloop.devices): a device seen within this many minutes is online; an ingested
# record timed more than CITYLOOP_INGEST_FUTURE_MINUTES ahead of the server clock, or more than
# CITYLOOP_INGEST_PAST_DAYS behind it (a device whose clock was reset, a year-0001 time), is
# quarantined.
CITYLOOP_DEVICE_ONLINE_MINUTES = int(os.environ.get("CITYLOOP_DEVICE_ONLINE_MINUTES", "15"))
CITYLOOP_INGEST_FUTURE_MINUTES = int(os.environ.get("CITYLOOP_INGEST_FUTURE_MINUTES", "10"))
CITYLOOP_INGEST_PAST_DAYS = int(os.environ.get("CITYLOOP_INGEST_PAST_DAYS", "400"))

# From data to action (cityloop.sorting.reactions, evidence; docs/devices.md, decisions 0024,
# 0025). A camera alarm at or over the confidence opens a case of its kind's category
# ("alarm=kind:major-minor" pairs, comma-separated; a kind left out opens no case); a repeat at
# the same point within the window joins the open case. A fill level at or over the threshold
# (0-1) or an overflow alarm opens a collection task due within the given hours. An evidence
# package needs at least CITYLOOP_EVIDENCE_MIN_INCIDENTS incidents.
CITYLOOP_ALARM_MIN_CONFIDENCE = float(os.environ.get("CITYLOOP_ALARM_MIN_CONFIDENCE", "0.6"))
CITYLOOP_ALARM_WINDOW_HOURS = float(os.environ.get("CITYLOOP_ALARM_WINDOW_HOURS", "2"))
CITYLOOP_ALARM_CATEGORIES = dict(
    pair.strip().split("=", 1)
    for pair in os.environ.get(
        "CITYLOOP_ALARM_CATEGORIES",
        "mixed_disposal=event:01-70,littering=event:01-10,"
        "bag_on_ground=event:01-10,overflow=event:01-92",
    ).split(",")
    if "=" in pair
)
CITYLOOP_FILL_THRESHOLD = float(os.environ.get("CITYLOOP_FILL_THRESHOLD", "0.8"))
CITYLOOP_TASK_DUE_HOURS = float(os.environ.get("CITYLOOP_TASK_DUE_HOURS", "2"))
CITYLOOP_EVIDENCE_MIN_INCIDENTS = int(os.environ.get("CITYLOOP_EVIDENCE_MIN_INCIDENTS", "3"))

# Indicators (cityloop.sorting.indicators; docs/indicators.md, decision 0023): the tonnage the
# kitchen-waste sorting rate and the recycling rate are computed on, "collected" (the trucks'
# bin weighings) or "disposed" (the smart scales' disposal weights). Any other value stops the
# start-up here rather than failing on the first dashboard.
CITYLOOP_SORTING_RATE_BASIS = os.environ.get("CITYLOOP_SORTING_RATE_BASIS", "collected").strip()
if CITYLOOP_SORTING_RATE_BASIS not in ("collected", "disposed"):
    raise ImproperlyConfigured(
        "CITYLOOP_SORTING_RATE_BASIS must be 'collected' (truck weighings, the default) or "
        f"'disposed' (smart-scale disposal weights), not {CITYLOOP_SORTING_RATE_BASIS!r}"
    )
