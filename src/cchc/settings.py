"""Settings for cchc, configured only through environment variables.

CCHC_DEBUG         "1" for development (debug pages, insecure defaults allowed)
CCHC_SECRET_KEY    required when not in debug
DATABASE_URL       default: SQLite file under CCHC_DATA_DIR
CCHC_DATA_DIR      default ./var (database, uploads, generated documents)
CCHC_ALLOWED_HOSTS comma-separated
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CCHC_DATA_DIR", "var")).resolve()

DEBUG = _env_bool("CCHC_DEBUG")
TESTING = _env_bool("CCHC_TESTING") or "pytest" in sys.modules

SECRET_KEY = os.environ.get("CCHC_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "cchc-insecure-development-key-do-not-use-in-production"
    elif os.environ.get("CCHC_CLI_EPHEMERAL_KEY") == "1":
        # A one-off command line (not a server): nothing it signs outlives the process.
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured(
            "Thiếu CCHC_SECRET_KEY: hãy đặt biến môi trường CCHC_SECRET_KEY "
            "(một chuỗi ngẫu nhiên dài) trước khi chạy ở chế độ vận hành, "
            "hoặc đặt CCHC_DEBUG=1 khi phát triển. "
            "(Missing CCHC_SECRET_KEY for a production run.)"
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "CCHC_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if (DEBUG or TESTING) else ""
    ).split(",")
    if h.strip()
]

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Bottom to top: a lower app never imports an upper one (DESIGN.md).
    "cchc.workcal",
    "cchc.org",
    "cchc.core",
    "cchc.catalog",
    "cchc.onestop",
    "cchc.civil",
    "cchc.reports",
    "cchc.inspection",
    # Before the Wagtail apps: an earlier app's translations win, and the news app's locale
    # fills in the admin strings that Wagtail's Vietnamese catalog lacks.
    "cchc.news",
    "wagtail.contrib.routable_page",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    # First: every request gets an X-Request-ID and one log line; the load balancer's probes
    # (/healthz, /readyz) are answered before host checks, HTTPS redirect, sessions and axes.
    "cchc.core.requestlog.RequestIdMiddleware",
    "cchc.core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A lost database connection (PostgreSQL restart): 503 + Retry-After, not a 500.
    "cchc.core.dbfaults.DatabaseUnavailableMiddleware",
    # Must be last: it turns failed logins into lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"
ASGI_APPLICATION = "cchc.asgi.application"

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
                "csp.context_processors.nonce",
                "cchc.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'cchc.sqlite3'}",
        conn_max_age=int(os.environ.get("CCHC_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, told which tables are partitioned (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "cchc.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the demo server and a CLI command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": None}
elif _env_bool("CCHC_DB_PREPARED_STATEMENTS", default=True):
    # Server-side parameter binding: psycopg prepares a statement once it has run
    # ``prepare_threshold`` times on a connection, and PostgreSQL then skips parsing and
    # planning it: half of PostgreSQL's CPU per intake, and the plans over the dossier
    # partitions (bench/README.md, intake; docs/scaling.md 2). CCHC_DB_PREPARED_STATEMENTS=0
    # behind a PgBouncer in transaction mode before 1.21, which cannot carry prepared
    # statements between connections. Utility statements (SET, COMMENT...) then take no
    # parameters: write values as literals.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Lockout: 5 failures for the same user name from the same address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("CCHC_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cchc.core.lockout.lockout_response"
AXES_ENABLED = _env_bool("CCHC_AXES_ENABLED", True)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cchc.core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cchc.core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "cchc.core.api.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cchc API",
    "DESCRIPTION": "API của nền tảng cải cách hành chính cchc (REST, /api/v1/).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name across apps need their own schema names.
    "ENUM_NAME_OVERRIDES": {
        "UnitLevelEnum": "cchc.org.models.Level",
        "UnitEraEnum": "cchc.org.models.Era",
        "AgencyKindEnum": "cchc.org.models.AgencyKind",
        "ProcedureLevelEnum": "cchc.catalog.models.ProcedureLevel",
    },
}

# Created by ``migrate`` (core 0006) whichever backend the migrating process uses: the demo
# and tests migrate with the local-memory cache, a production server then reads this table.
CCHC_DATABASE_CACHE_TABLE = "cchc_cache"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if not (DEBUG or TESTING)
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": CCHC_DATABASE_CACHE_TABLE,
        # Rendered portal pages live here too; Django's default (300 entries) would make
        # every write cull the table.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

EMAIL_BACKEND = os.environ.get(
    "CCHC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CCHC_FROM_EMAIL", "cchc@localhost")

# Security headers. In debug the cookies work over plain HTTP; in production they do not.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = _env_bool("CCHC_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The load balancer probes over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

from csp.constants import NONCE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

# --- operations: logs, background tasks (core/requestlog.py, onestop/tasks.py) ----------
# CCHC_LOG_FORMAT: "json" (one object per line on stderr, the default outside debug) or
# "text". CCHC_LOG_LEVEL: the level of cchc's and the task worker's loggers (default INFO in
# production: one line per request; WARNING in debug and tests, as before).
CCHC_LOG_FORMAT = os.environ.get("CCHC_LOG_FORMAT", "text" if (DEBUG or TESTING) else "json")
CCHC_LOG_LEVEL = os.environ.get("CCHC_LOG_LEVEL", "WARNING" if (DEBUG or TESTING) else "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "cchc.core.requestlog.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "cchc.core.requestlog.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if CCHC_LOG_FORMAT == "json" else "text",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"level": CCHC_LOG_LEVEL} for name in ("cchc", "django_tasks", "django_tasks_db")
    },
}

# Background tasks (django-tasks): rows in the database, run by `cchc db_worker`. The demo
# and the tests run them at once, in the process that enqueues them (no worker to start);
# CCHC_TASK_BACKEND=database|immediate overrides.
_TASK_BACKENDS = {
    "database": "cchc.core.taskqueue.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
CCHC_TASK_BACKEND = os.environ.get(
    "CCHC_TASK_BACKEND", "immediate" if (DEBUG or TESTING) else "database"
)
if CCHC_TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"CCHC_TASK_BACKEND không hợp lệ: {CCHC_TASK_BACKEND!r}; dùng database hoặc immediate. "
        "(Invalid CCHC_TASK_BACKEND.)"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[CCHC_TASK_BACKEND]}}

# The province this installation serves (a code of the post-2025 tree).
CCHC_PROVINCE_CODE = os.environ.get("CCHC_PROVINCE_CODE", "82")

if TESTING:
    # Hashing with the production hasher costs ~0.3 s per user; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- news portal (Wagtail): the news app's settings live in this block -------------------
WAGTAIL_SITE_NAME = "Cổng thông tin cải cách hành chính"
WAGTAILADMIN_BASE_URL = os.environ.get("CCHC_BASE_URL", "http://localhost:8000")
WAGTAILADMIN_LOGIN_URL = "core:login"  # one login page for the whole platform (with lockout)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False  # the portal is published in Vietnamese only
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Documents attached to articles: office formats and archives only, no HTML or executables.
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "ppt", "pptx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no outbound requests from the admin
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
# Wagtail's admin JavaScript catalog reads only wagtail.admin's locale plus LOCALE_PATHS, so
# the Vietnamese strings it lacks live in a directory of their own (djangojs domain only).
LOCALE_PATHS = [*LOCALE_PATHS, BASE_DIR / "news" / "locale_js"]
# Rendered portal pages for anonymous readers; 0 turns the cache off.
CCHC_NEWS_CACHE_SECONDS = int(os.environ.get("CCHC_NEWS_CACHE_SECONDS", "600"))
WAGTAIL_ALLOW_UNICODE_SLUGS = False  # ASCII addresses: "cai-cach-hanh-chinh", not "cải-cách-..."
