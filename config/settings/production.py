"""Production: every secret from the environment, HTTPS only, PostgreSQL and Redis required."""

from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from .base import *  # noqa: F401,F403
from .base import CREDIT_PLATFORM_TOKEN, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "config.storage.PrivateFileSystemStorage"},
    # collectstatic writes hashed names (app.3f2a….css) and gzip/brotli copies; WhiteNoise serves
    # them with a one-year immutable cache, and the pages name the hashed files.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are read by developer tools only: not worth brotli's time in every collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# The credit-platform stub is for development and tests. In production it is off unless asked for,
# and then only behind a token (set CREDIT_PLATFORM_URL to the real 市信用信息共享平台 endpoint).
CREDIT_PLATFORM_STUB_ENABLED = env.bool("CREDIT_PLATFORM_STUB_ENABLED", default=False)
if CREDIT_PLATFORM_STUB_ENABLED and not CREDIT_PLATFORM_TOKEN:
    raise ImproperlyConfigured(
        "CREDIT_PLATFORM_STUB_ENABLED needs CREDIT_PLATFORM_TOKEN in production"
    )

# The hash chains' key (audit.chain): required, and never the development default.
LEDGER_HMAC_KEY = env("LEDGER_HMAC_KEY")
if len(LEDGER_HMAC_KEY) < 32 or LEDGER_HMAC_KEY.startswith("dev-only-"):
    raise ImproperlyConfigured("LEDGER_HMAC_KEY must be a random secret of at least 32 characters")
