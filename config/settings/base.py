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
    "audit",
    "employers",
    "credit_records",
    "grading",
    "objections",
    "written_review",
    "supervision",
    "publication",
    "exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the application, so gunicorn alone serves a working site
    # (production: compressed, with hashed names and far-future caching; see production.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    "axes.backends.AxesStandaloneBackend",  # a locked client address (long)
    "employers.login_throttle.UsernameThrottleBackend",  # a locked user name (brief, growing)
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

# Login throttling (employers.login_throttle). django-axes locks a client address for a long
# time after many failures with any user names (password spraying); a success does not reset it,
# or a sprayer would sign in to its own account between rounds.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "employers.login_throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "employers.network.client_ip"
# A user name is locked only briefly, longer each time (60 s, 120 s, … at most 15 min), and never
# for a browser where its owner signed in before.
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=5)
LOGIN_USERNAME_LOCK_SECONDS = env.int("LOGIN_USERNAME_LOCK_SECONDS", default=60)
LOGIN_USERNAME_LOCK_MAX_SECONDS = env.int("LOGIN_USERNAME_LOCK_MAX_SECONDS", default=15 * 60)
LOGIN_USERNAME_FORGET_SECONDS = env.int("LOGIN_USERNAME_FORGET_SECONDS", default=24 * 3600)
# The documented reverse proxy: how many proxies in front of gunicorn append the client's address
# to X-Forwarded-For (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for). 0 = no
# proxy, REMOTE_ADDR is the client. Used by the lockout and the audit log (employers.network).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER", default="HTTP_X_FORWARDED_FOR")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our input formats first (ISO, so <input type="date"> keeps its value): config/formats/.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Stored files (publication documents, written notices, objection attachments; evidence beside
# it in MEDIA_ROOT-evidence) are private: nothing serves MEDIA_ROOT, every file goes out through
# a view that checks who may read it, and the storage refuses to make a URL for one.
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "config.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
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
# A broker restart must not stop the workers (issue 14): connect at start-up and reconnect
# after a loss for as long as it takes, never giving up (systemd restarts whatever exits anyway,
# deploy/systemd/). A task is acknowledged when done (acks_late): one lost with its worker comes
# back from Redis after the visibility timeout — longer than any task (a document job may take an
# hour); the grading chunks, the outbox batches and the document jobs have their own leases and
# are sent again much sooner. Tasks running when the broker connection drops are cancelled (they
# could not be acknowledged; every task here is idempotent and comes back).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 10
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3 * 3600),
    "socket_connect_timeout": 10,
    "socket_keepalive": True,
    "health_check_interval": 25,
    "retry_on_timeout": True,
}
CELERY_REDIS_SOCKET_KEEPALIVE = True
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 25
CELERY_RESULT_BACKEND_ALWAYS_RETRY = True
CELERY_RESULT_BACKEND_MAX_RETRIES = 10
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

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
# Written notices in chunks on every Celery worker at once (a chord; needs the result backend).
# Without a broker (eager) they run one chunk after the other in the job.
# Employer exports larger than this are written by a background job (employers.export_jobs);
# smaller ones are streamed from the request.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=5000)
PUBLICATION_PARALLEL_NOTICES = env.bool("PUBLICATION_PARALLEL_NOTICES", default=True)
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

# publication: jiaxian 第二十一条 adjustment items once a cycle has ended (SPEC §5.1 [r2]).
CELERY_BEAT_SCHEDULE["publication-article21-items"] = {
    "task": "publication.tasks.make_article21_items",
    "schedule": crontab(hour=2, minute=30),
}

# objections: end of publicity at the maximum period, told to the platform once (SPEC §7 [r2]).
CELERY_BEAT_SCHEDULE["objections-end-expired-publicity"] = {
    "task": "objections.tasks.end_expired_publicity",
    "schedule": crontab(hour=1, minute=45),
}

# grading: live grades of every employer as of today (SPEC §4 动态调整), 02:00 local time, and a
# safety net every minute that takes over a run whose driver was lost (a killed `manage.py
# regrade`, or the worker holding the finaliser chain): grading/tasks.py.
CELERY_BEAT_SCHEDULE["grading-nightly-regrade"] = {
    "task": "grading.tasks.nightly_regrade",
    "schedule": crontab(hour=2, minute=0),
}
CELERY_BEAT_SCHEDULE["grading-watch-runs"] = {
    "task": "grading.tasks.watch_runs",
    "schedule": 60.0,
}
GRADING_CHUNK_SIZE = env.int("GRADING_CHUNK_SIZE", default=50_000)
# The nightly Celery path sends a run's chunks in this many lanes, each graded in order by one
# worker process (about the number of worker processes; 0: one task per chunk).
GRADING_CELERY_LANES = env.int("GRADING_CELERY_LANES", default=2)
# The nightly live run is incremental (grading.incremental) except on this weekday (0 Monday …
# 6 Sunday), when every employer is regraded.
GRADING_INCREMENTAL = env.bool("GRADING_INCREMENTAL", default=True)
GRADING_FULL_RUN_WEEKDAY = env.int("GRADING_FULL_RUN_WEEKDAY", default=6)
# A chunk whose worker died is sent again at the finaliser's next look (its row lock is gone);
# a chunk sent this long ago and never taken by a worker (its message was lost) too.
GRADING_STALE_CHUNK_SECONDS = env.int("GRADING_STALE_CHUNK_SECONDS", default=90)
# A run whose driver has not beaten for this long, and holds no lock, is taken over.
GRADING_DRIVER_STALE_SECONDS = env.int("GRADING_DRIVER_STALE_SECONDS", default=120)
# A resumed run keeps the chunks graded this recently and after the ledger's last change.
GRADING_RESUME_KEEP_SECONDS = env.int("GRADING_RESUME_KEEP_SECONDS", default=600)

# written_review: deadlines flagged "期限待国务院公布节假日安排后复核" recomputed nightly, 01:40.
CELERY_BEAT_SCHEDULE["written-review-nightly"] = {
    "task": "written_review.tasks.nightly",
    "schedule": crontab(hour=1, minute=40),
}

# Tamper-evidence (audit.chain, audit.checkpoints): the key of the ledger's and the audit log's
# hash chains (HMAC-SHA256). It lives in the environment, never in the database: whoever owns the
# database cannot recompute a hash. Production requires its own; this default is for development.
LEDGER_HMAC_KEY = env("LEDGER_HMAC_KEY", default="dev-only-ledger-hmac-key-never-use-in-production")
# Where the signed daily checkpoints of both chain heads are written (outside the database; also
# sent to the shared credit platform). verify_ledger checks the chains against them.
LEDGER_CHECKPOINT_DIR = env("LEDGER_CHECKPOINT_DIR", default=str(BASE_DIR / "var" / "checkpoints"))
CELERY_BEAT_SCHEDULE["publication-ledger-checkpoint"] = {
    "task": "publication.tasks.publish_checkpoint",
    "schedule": crontab(hour=3, minute=15),
}

# Imports as jobs (employers.import_jobs): uploads wait here, outside MEDIA_ROOT, between the
# check and the confirmed write; unconfirmed ones are deleted after IMPORT_UPLOAD_TTL_HOURS.
IMPORT_UPLOAD_ROOT = env("IMPORT_UPLOAD_ROOT", default=str(BASE_DIR / "var" / "import-uploads"))
IMPORT_UPLOAD_TTL_HOURS = env.float("IMPORT_UPLOAD_TTL_HOURS", default=24.0)
IMPORT_STUCK_SECONDS = env.int("IMPORT_STUCK_SECONDS", default=15 * 60)
CELERY_BEAT_SCHEDULE["employers-tidy-imports"] = {
    "task": "employers.tasks.tidy_imports",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["employers-purge-login-throttle"] = {
    "task": "employers.tasks.purge_login_throttle",
    "schedule": crontab(hour=4, minute=0),
}

# exchange: the partner API, certificates, open data (SPEC §12).
# Requests per token per minute on the partner API (HTTP 429 with Retry-After beyond).
EXCHANGE_API_RATE_PER_MINUTE = env.int("EXCHANGE_API_RATE_PER_MINUTE", default=120)
# Certificate verification attempts per client address per minute.
EXCHANGE_VERIFY_RATE_PER_MINUTE = env.int("EXCHANGE_VERIFY_RATE_PER_MINUTE", default=20)
# Days a new partner token is valid when no --days is given.
EXCHANGE_TOKEN_DEFAULT_DAYS = env.int("EXCHANGE_TOKEN_DEFAULT_DAYS", default=365)
# Jurisdiction roots whose cycles also get the 川渝 exchange file (seed 002 四(四)1).
EXCHANGE_CHUANYU_ROOTS = env.list("EXCHANGE_CHUANYU_ROOTS", default=["chongqing", "sichuan"])
