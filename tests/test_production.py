"""Production serves pages (issue 14 item 1): the error pages are Chinese and need no database,
static files come from the application (WhiteNoise), every source map a vendored file names is
shipped, and nothing is served from /media/. The whole path — collectstatic, migrate, gunicorn —
is exercised by .ci/smoke-production in CI."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.views.defaults import server_error

from employers.choices import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]


def production_settings(**extra) -> dict:
    """The production settings module as the environment of the README configures it."""
    code = (
        "import json, django; from django.conf import settings as s; django.setup(); "
        "print(json.dumps({k: getattr(s, k, None) for k in "
        "['MIDDLEWARE', 'STORAGES', 'DEBUG', 'WHITENOISE_SKIP_COMPRESS_EXTENSIONS', "
        "'CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP', 'CELERY_BROKER_CONNECTION_MAX_RETRIES', "
        "'CELERY_BROKER_TRANSPORT_OPTIONS', 'CELERY_TASK_ACKS_LATE', "
        "'CELERY_TASK_REJECT_ON_WORKER_LOST', 'CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS', "
        "'CELERY_BEAT_SCHEDULE', 'GRADING_STALE_CHUNK_SECONDS']}, default=str))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "LEDGER_HMAC_KEY": "k" * 40,
        "ALLOWED_HOSTS": "credit.example.org",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        **extra,
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_production_serves_static_files_from_the_application():
    prod = production_settings()
    assert prod["DEBUG"] is False
    middleware = prod["MIDDLEWARE"]
    # WhiteNoise right after SecurityMiddleware, before anything that could answer first.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1
    )
    assert prod["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert prod["STORAGES"]["default"]["BACKEND"] == "config.storage.PrivateFileSystemStorage"
    assert "map" in prod["WHITENOISE_SKIP_COMPRESS_EXTENSIONS"]


def test_every_source_map_named_by_a_static_file_is_shipped():
    """collectstatic with hashed names follows sourceMappingURL: a missing map fails the deploy
    (the vendored Chart.js named one that was not shipped)."""
    pattern = re.compile(rb"sourceMappingURL=([^\s*]+)")
    named = 0
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in (".js", ".css"):
            continue
        for match in pattern.finditer(path.read_bytes()[-2000:]):
            named += 1
            target = path.parent / match.group(1).decode()
            assert target.is_file(), f"{path.relative_to(ROOT)} names a missing {target.name}"
    assert named >= 3  # bootstrap js and css, chart.js


def test_favicon_is_linked_and_shipped(client):
    page = client.get("/accounts/login/").content.decode()
    assert "favicon.ico" in page and "favicon.svg" in page
    assert (ROOT / "static" / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # ICO magic
    assert b"<svg" in (ROOT / "static" / "favicon.svg").read_bytes()


@pytest.mark.django_db
def test_404_is_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "返回首页" in text and "Not Found" not in text


@pytest.mark.django_db
def test_403_is_chinese(client):
    client.force_login(UserFactory(role=Role.SYSADMIN))
    response = client.get("/grading/runs/")  # staff only; the sysadmin sees no credit data
    assert response.status_code == 403
    text = response.content.decode()
    assert "无权访问" in text and "Forbidden" not in text


@pytest.mark.django_db
def test_csrf_failure_is_chinese():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "页面已过期" in text and "CSRF" not in text


def test_400_is_chinese(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


def _database_down():
    return mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("database is down")
    )


def test_500_page_renders_without_the_database():
    with _database_down():
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统内部错误" in text and "Server Error" not in text


@pytest.mark.urls("tests.error_urls")
def test_a_failing_page_while_the_database_is_down_answers_the_chinese_500(client):
    client.raise_request_exception = False
    with _database_down():
        response = client.get("/needs-the-database/")
    assert response.status_code == 500
    assert "系统内部错误" in response.content.decode()


def test_nothing_is_served_from_media():
    with pytest.raises(Resolver404):
        resolve("/" + settings.MEDIA_URL.lstrip("/") + "publication/1/list.pdf")
