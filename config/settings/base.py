"""Settings shared by every environment; all of it can be overridden from the environment.

With no DATABASE_URL the application uses a SQLite file under var/, and with no
CELERY_BROKER_URL / REDIS_URL Celery tasks run in-process (eager), so `make run` needs nothing
but Python.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "import_export",
    "employers",
    "credit_records",
    "grading",
    "objections",
    "publication",
    "exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "employers.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "employers.middleware.ForcePasswordChangeMiddleware",
    "employers.middleware.RequestAddressMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "employers.context_processors.navigation",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "employers.User"
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires after SESSION_IDLE_SECONDS without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Celery: with no broker configured, tasks run in-process so the demo needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict = {}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://")
    if not env("REDIS_URL", default="")
    else env.cache("REDIS_URL")
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@labor-credit.local")

# Content Security Policy: everything is served from the project itself, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = None

# Bureau shown on documents and exports.
BUREAU_NAME = env("BUREAU_NAME", default="劳动保障监察机构")

# Checks an operator has decided to silence, e.g. the calendar reminder (objections.W002) in CI,
# which depends on today's date by design.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Shared credit platform (市信用信息共享平台) — publication app, SPEC §8.
# A path (the default) is the platform stub inside this project, called in-process; an http(s)
# URL is called over HTTP (the stub served by another process, or the real platform).
CREDIT_PLATFORM_URL = env("CREDIT_PLATFORM_URL", default="/platform-stub/api/messages/")
CREDIT_PLATFORM_TOKEN = env("CREDIT_PLATFORM_TOKEN", default="")
CREDIT_PLATFORM_TIMEOUT = env.float("CREDIT_PLATFORM_TIMEOUT", default=10.0)
CREDIT_PLATFORM_MAX_ATTEMPTS = env.int("CREDIT_PLATFORM_MAX_ATTEMPTS", default=12)
CREDIT_PLATFORM_BACKOFF_SECONDS = env.int("CREDIT_PLATFORM_BACKOFF_SECONDS", default=30)
CREDIT_PLATFORM_BACKOFF_MAX_SECONDS = env.int(
    "CREDIT_PLATFORM_BACKOFF_MAX_SECONDS", default=6 * 3600
)
CREDIT_PLATFORM_BATCH_SIZE = env.int("CREDIT_PLATFORM_BATCH_SIZE", default=100)
CREDIT_PLATFORM_LEASE_SECONDS = env.int("CREDIT_PLATFORM_LEASE_SECONDS", default=300)
CREDIT_PLATFORM_DRAIN_SECONDS = env.float("CREDIT_PLATFORM_DRAIN_SECONDS", default=50.0)
# The stub's behaviour; PlatformStubConfig (admin) overrides these at run time.
CREDIT_PLATFORM_STUB_ENABLED = env.bool("CREDIT_PLATFORM_STUB_ENABLED", default=True)
CREDIT_PLATFORM_STUB_FAILURE_RATIO = env.float("CREDIT_PLATFORM_STUB_FAILURE_RATIO", default=0.0)
CREDIT_PLATFORM_STUB_FAILURE_MODE = env("CREDIT_PLATFORM_STUB_FAILURE_MODE", default="mixed")
CREDIT_PLATFORM_STUB_DELAY_MS = env.int("CREDIT_PLATFORM_STUB_DELAY_MS", default=0)
CREDIT_PLATFORM_STUB_SEED = env.int("CREDIT_PLATFORM_STUB_SEED", default=None)
CELERY_BEAT_SCHEDULE["publication-drain-outbox"] = {
    "task": "publication.tasks.drain_outbox",
    "schedule": 60.0,
}

# objections: nightly deadline reminders and overdue marking (SPEC §7), 01:30 local time.
CELERY_BEAT_SCHEDULE["objections-deadline-reminders"] = {
    "task": "objections.tasks.send_deadline_reminders",
    "schedule": crontab(hour=1, minute=30),
}

# grading: live grades of every employer as of today (SPEC §4 动态调整), 02:00 local time, and a
# safety net every 10 minutes that resumes a run whose finaliser was lost with a worker.
CELERY_BEAT_SCHEDULE["grading-nightly-regrade"] = {
    "task": "grading.tasks.nightly_regrade",
    "schedule": crontab(hour=2, minute=0),
}
CELERY_BEAT_SCHEDULE["grading-watch-runs"] = {
    "task": "grading.tasks.watch_runs",
    "schedule": 600.0,
}
GRADING_CHUNK_SIZE = env.int("GRADING_CHUNK_SIZE", default=50_000)
# A chunk taken by a worker this long ago and still not done is sent again (its worker was lost).
GRADING_STALE_CHUNK_SECONDS = env.int("GRADING_STALE_CHUNK_SECONDS", default=15 * 60)

# exchange: the partner API, certificates, open data (SPEC §12).
# Requests per token per minute on the partner API (HTTP 429 with Retry-After beyond).
EXCHANGE_API_RATE_PER_MINUTE = env.int("EXCHANGE_API_RATE_PER_MINUTE", default=120)
# Certificate verification attempts per client address per minute.
EXCHANGE_VERIFY_RATE_PER_MINUTE = env.int("EXCHANGE_VERIFY_RATE_PER_MINUTE", default=20)
# Days a new partner token is valid when no --days is given.
EXCHANGE_TOKEN_DEFAULT_DAYS = env.int("EXCHANGE_TOKEN_DEFAULT_DAYS", default=365)
# Jurisdiction roots whose cycles also get the 川渝 exchange file (seed 002 四(四)1).
EXCHANGE_CHUANYU_ROOTS = env.list("EXCHANGE_CHUANYU_ROOTS", default=["chongqing", "sichuan"])
