"""Django settings for Dudao, read from DUDAO_* environment variables.

With no environment at all Dudao runs on SQLite under ./var. Production sets
DUDAO_DATABASE_URL=postgres://…, DUDAO_REDIS_URL=redis://…, DUDAO_ALLOWED_HOSTS and
DUDAO_SECURE_COOKIES. See README.md, section 配置.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from dudao.core.sqlite import database_settings as sqlite_database_settings
from dudao.envconf import (
    audit_key,
    data_dir,
    envbool,
    envint,
    envlist,
    envstr,
    envurl,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

SECRET_KEY = secret_key(DATA_DIR)
# The audit chain's HMAC key, outside the database (dudao/audit/chain.py).
DUDAO_AUDIT_KEY = audit_key(DATA_DIR)
# Where the worker appends the audit chain's head every minute (append-only, outside the database).
DUDAO_AUDIT_ANCHOR_FILE = DATA_DIR / "audit_anchors.log"
DEBUG = envbool("DUDAO_DEBUG", False)
ALLOWED_HOSTS = envlist("DUDAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("DUDAO_CSRF_TRUSTED_ORIGINS", [])
PORT = envint("DUDAO_PORT", 8000, minimum=1, maximum=65535)
# `dudao serve`: threads of each gunicorn worker process, and how many of them may be logins
# at once (checking a password holds a thread while the process's hashing thread works through
# the logins before it); a login beyond that is answered 503 "请稍候" at once, so the pages and
# saves keep the other threads (dudao/accounts/hashers.py).
SERVER_THREADS = envint("DUDAO_THREADS", 4, minimum=2, maximum=64)
LOGINS_PER_PROCESS = max(1, SERVER_THREADS // 2)

# The business modules. Each has urls.py (app_name = its label, mounted at /<label>/),
# policy.py (POLICY and NAV, merged into dudao.policy), api.py (`router`, mounted at /api/v1/)
# and tests/matrix.py (OBJECTS and ALLOWED for the policy matrix test).
# Their order is the order of the menu.
DOMAIN_APPS = (
    "projects",
    "supervision",
    "problems",
    "inspections",
    "parks",
    "stats",
    "evaluation",
    "bulletins",
    "targets",
    "cockpit",
    "investment",
    "enterprises",
    "opendata",
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "ninja",
    "dudao.core",
    "dudao.regions",
    "dudao.workdays",
    "dudao.orgs",
    "dudao.accounts",
    "dudao.audit",
    "dudao.demo",
    "dudao.ops",
    *(f"dudao.{app}" for app in DOMAIN_APPS),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dudao.core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dudao.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before SessionTimeoutMiddleware, which tells a timed-out user why they see the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "dudao.accounts.middleware.ApiTokenMiddleware",
    "dudao.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "dudao.policy.middleware.PolicyMiddleware",
    # Last, so its process_exception sees a view's error first.
    "dudao.core.middleware.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "dudao.urls"
WSGI_APPLICATION = "dudao.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dudao.policy.navigation.navigation",
            ],
        },
    }
]

# --- Database ------------------------------------------------------------------------------
DATABASE_URL = envurl("DUDAO_DATABASE_URL", ("sqlite", "postgres", "postgresql"))
if DATABASE_URL is None or DATABASE_URL.startswith("sqlite"):
    _db: dict[str, Any] = (
        dict(dj_database_url.parse(DATABASE_URL))
        if DATABASE_URL
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "dudao.sqlite3")}
    )
    # Several processes write one file: WAL set once per file, no mmap, FULL sync, kept
    # connections, BEGIN IMMEDIATE (the reasons: dudao/core/sqlite.py).
    _db = sqlite_database_settings(_db)
else:
    _db = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True))
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ---------------------------------------------------------------------
REDIS_URL = envurl("DUDAO_REDIS_URL", ("redis", "rediss", "unix"))
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"  # server-side: logout really ends it
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = envbool("DUDAO_SECURE_COOKIES", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "dudao.core.views.csrf_failure"
# Idle and absolute session lifetimes (reliability.md §0 item 4), enforced by
# dudao.accounts.middleware.SessionTimeoutMiddleware.
DUDAO_SESSION_IDLE = timedelta(minutes=envint("DUDAO_SESSION_IDLE_MINUTES", 30, minimum=1))
DUDAO_SESSION_IDLE_ADMIN = timedelta(
    minutes=envint("DUDAO_SESSION_IDLE_ADMIN_MINUTES", 15, minimum=1)
)
DUDAO_SESSION_ABSOLUTE = timedelta(hours=envint("DUDAO_SESSION_ABSOLUTE_HOURS", 12, minimum=1))
# Second factor (TOTP, django-otp): the lockout is ours (AXES_FAILURE_LIMIT failures lock the
# second factor for AXES_COOLOFF_TIME, like the password), so django-otp's own doubling delay
# is off. A password-checked login waits this long for its second factor.
OTP_TOTP_ISSUER = "督导 Dudao"
OTP_TOTP_THROTTLE_FACTOR = 0
DUDAO_MFA_PENDING = timedelta(minutes=5)
# How long a request to reset an administrator's password waits for the second administrator.
DUDAO_RESET_REQUEST_TTL = timedelta(hours=envint("DUDAO_RESET_REQUEST_HOURS", 24, minimum=1))

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("DUDAO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("DUDAO_HSTS_SECONDS", 31536000 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DUDAO_BEHIND_PROXY", False) else None
)
# Only our own assets: no CDN, no inline script, no eval.
DUDAO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Authentication --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
PRODUCTION_PASSWORD_HASHERS = [
    # Django's Argon2, hashed on one thread per process (the reasons: the module).
    "dudao.accounts.hashers.QueuedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: argon2 costs ~50 ms a hash
    if TESTING and not envbool("DUDAO_TEST_REAL_HASHER", False)
    else PRODUCTION_PASSWORD_HASHERS
)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "dudao.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "dudao.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "dudao.accounts.validators.UsernameNotContainedValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Lockout: 5 consecutive failures per username lock the account for 30 minutes.
AXES_FAILURE_LIMIT = envint("DUDAO_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("DUDAO_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lock ends 30 minutes after the fifth failure, as the login page says; by default axes
# would restart it at every attempt made while locked (the owner retrying extends their lock).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False
AXES_LOCKOUT_CALLABLE = "dudao.accounts.views.lockout_response"
# Count failures under the username as login matches it (case-insensitive), so that typing
# "A_Reporter" does not get five more attempts than "a_reporter".
AXES_USERNAME_CALLABLE = "dudao.accounts.views.lockout_username"
AXES_VERBOSE = False
# W006 asks to lock by IP too. Government offices share one NAT address, so an IP lock after 5
# failures would lock out a whole county bureau; the lock is per account by design.
# W021 asks for HSTS preload. Preloading binds the whole registrable domain (the government's
# own, e.g. example.gov.cn) and takes months to undo: its owner decides that, not this app.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

# --- I18N ------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploads ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DUDAO_STALE_UPLOAD_AGE = timedelta(hours=envint("DUDAO_STALE_UPLOAD_HOURS", 24, minimum=1))

# --- Operations (dudao/ops: backups, /readyz) --------------------------------------------------
DUDAO_BACKUP_DIR = Path(envstr("DUDAO_BACKUP_DIR", str(DATA_DIR / "backups"))).expanduser()
# /readyz fails when the newest backup is older than this (the nightly job runs at 02:30).
DUDAO_BACKUP_MAX_AGE_HOURS = envint("DUDAO_BACKUP_MAX_AGE_HOURS", 26, minimum=1)
DUDAO_MIN_FREE_DISK_MB = envint("DUDAO_MIN_FREE_DISK_MB", 1024, minimum=0)

# --- Jobs (huey) -----------------------------------------------------------------------------
HUEY: dict[str, Any]
if TESTING:
    HUEY = {"huey_class": "huey.MemoryHuey", "immediate": True, "name": "dudao-test"}
elif REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "dudao", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "dudao",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }

# --- Logging ---------------------------------------------------------------------------------
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dudao.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("DUDAO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "huey": {"level": "WARNING" if TESTING else "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# --- Application ---------------------------------------------------------------------------
DUDAO_SITE_NAME = envstr("DUDAO_SITE_NAME", "督导 · 重大项目与产业集聚区督查平台")
DUDAO_PAGE_SIZE = 50
# Leaders' cockpit: the wall screen (大屏) refetches its figures every N seconds and shows each
# tile for M seconds; an uploaded boundary GeoJSON may be at most this many bytes.
DUDAO_COCKPIT_WALL_REFRESH_SECONDS = envint(
    "DUDAO_COCKPIT_WALL_REFRESH_SECONDS", 60, minimum=5, maximum=3600
)
DUDAO_COCKPIT_WALL_ROTATE_SECONDS = envint("DUDAO_COCKPIT_WALL_ROTATE_SECONDS", 15, minimum=3)
DUDAO_COCKPIT_GEOJSON_MAX_BYTES = 5 * 1024 * 1024
# The window of years any date or period may name (dudao/core/bounds.py): a deadline typed as
# 3026-12-31 is refused instead of stored.
DUDAO_EARLIEST_YEAR = envint("DUDAO_EARLIEST_YEAR", 2000, minimum=1900, maximum=2100)
DUDAO_LATEST_YEAR = envint("DUDAO_LATEST_YEAR", 2099, minimum=2030, maximum=2200)
# LibreOffice for the bulletins' PDF (dudao/bulletins/pdf.py); empty: `soffice` on PATH.
DUDAO_SOFFICE = envstr("DUDAO_SOFFICE", "")
# API lists: django-ninja's limit is capped (offset is capped by dudao.core.pagination).
NINJA_PAGINATION_MAX_LIMIT = 500
# Open data (dudao/opendata, docs/opendata.md): the city's registered OC4IDS project identifier
# prefix (register one with the Open Contracting Partnership; the default is a placeholder), the
# publisher named in every project package, the public site's address (for a package written by
# the command line), the licence and publication policy it points to,
# and how many public API calls one IP address may make per minute.
DUDAO_OC4IDS_PREFIX = envstr("DUDAO_OC4IDS_PREFIX", "oc4ids-xxxxxx-")
DUDAO_OPENDATA_PUBLISHER = envstr("DUDAO_OPENDATA_PUBLISHER", "示范市发展和改革委员会")
DUDAO_OPENDATA_LICENSE = envstr(
    "DUDAO_OPENDATA_LICENSE", "https://creativecommons.org/licenses/by/4.0/"
)
DUDAO_OPENDATA_BASE_URL = envstr("DUDAO_OPENDATA_BASE_URL", f"http://127.0.0.1:{PORT}/open/")
DUDAO_OPENDATA_POLICY_URL = envstr("DUDAO_OPENDATA_POLICY_URL", f"{DUDAO_OPENDATA_BASE_URL}about/")
DUDAO_OPENDATA_RATE_PER_MINUTE = envint(
    "DUDAO_OPENDATA_RATE_PER_MINUTE", 120, minimum=1, maximum=100_000
)
