"""Settings for the test suite: fast hashing, in-process tasks, isolated media."""

import tempfile

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="labor-credit-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="labor-credit-static-")  # WhiteNoise wants it to exist
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "config.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
LEDGER_CHECKPOINT_DIR = tempfile.mkdtemp(prefix="labor-credit-checkpoints-")
IMPORT_UPLOAD_ROOT = tempfile.mkdtemp(prefix="labor-credit-imports-")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # The flush between transactional tests TRUNCATEs every table; the append-only tables refuse
    # TRUNCATE unless the session says so (audit migration 0002).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c labor_credit.allow_truncate=on"  # noqa: F405
# exchange: the access matrix verifies certificates many times from one address; the rate limit
# itself is tested with its own low setting (tests/exchange).
EXCHANGE_VERIFY_RATE_PER_MINUTE = 100_000
