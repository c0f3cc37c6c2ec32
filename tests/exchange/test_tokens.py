"""Partner tokens: the ``partner_token`` command contract (SPEC §9) and the sysadmin's page."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from credit_records.models import AuditEntry
from employers.choices import Role
from exchange.models import PartnerToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("partner_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_and_nothing_else_and_stores_its_hash():
    out, _err = run("create", "郏县住建局", "--jurisdiction", "jiaxian", "--days", "30")
    raw = out.strip()
    assert out == raw + "\n" and raw.startswith("lct_") and len(raw) > 40
    token = PartnerToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.key_hash, token.key_prefix, token.name}
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    assert token.jurisdiction.code == "jiaxian"
    entry = AuditEntry.objects.get(action="exchange.token_created")
    assert raw not in str(entry.after) and token.key_hash not in str(entry.after)


def test_revoke_and_data_errors():
    run("create", "甲", "--jurisdiction", "jiaxian")
    with pytest.raises(CommandError, match="已有名为“甲”的有效令牌"):
        run("create", "甲", "--jurisdiction", "jiaxian")
    with pytest.raises(CommandError, match="没有代码为“nowhere”的辖区"):
        run("create", "乙", "--jurisdiction", "nowhere")
    with pytest.raises(CommandError, match="有效天数"):
        run("create", "丙", "--jurisdiction", "jiaxian", "--days", "0")
    run("revoke", "甲")
    assert PartnerToken.objects.get(name="甲").revoked_at is not None
    with pytest.raises(CommandError, match="没有名为“甲”的有效令牌"):
        run("revoke", "甲")
    run("create", "甲", "--jurisdiction", "jiaxian")  # the name is free again
    assert PartnerToken.objects.filter(name="甲").count() == 2


def test_exit_codes_usage_2_data_1():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    usage = subprocess.run(
        [sys.executable, "manage.py", "partner_token", "create", "x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert usage.returncode == 2 and "--jurisdiction" in usage.stderr and usage.stdout == ""


def test_the_sysadmin_creates_a_token_shown_once_and_revokes_it(client, sysadmin):
    from tests.factories import jurisdiction

    client.force_login(sysadmin)
    response = client.post(
        "/exchange/tokens/",
        {
            "name": "郏县发改委",
            "department": "郏县发展和改革委员会",
            "jurisdiction": jurisdiction("jiaxian").pk,
            "days": 90,
        },
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    token = PartnerToken.objects.get()
    start = page.index('id="token-value">') + len('id="token-value">')
    raw = page[start : page.index("</code>", start)]
    assert hashlib.sha256(raw.encode()).hexdigest() == token.key_hash
    again = client.get("/exchange/tokens/").content.decode()
    assert raw not in again and token.key_prefix in again
    response = client.post(f"/exchange/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == sysadmin
    assert AuditEntry.objects.filter(action__startswith="exchange.token_").count() == 2


def test_only_the_sysadmin_manages_tokens(client):
    for role in (Role.PUBLISHER, Role.AUDITOR, Role.INSPECTOR):
        client.force_login(UserFactory(role=role))
        assert client.get("/exchange/tokens/").status_code == 403
