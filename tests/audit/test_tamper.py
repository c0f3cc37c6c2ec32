"""Tamper-evidence against someone who owns the database (issue 14, item 5).

The attacker here can do anything SQL allows: switch the append-only triggers off, edit, delete
and insert rows, move the heads, recompute unkeyed hashes. What they do not have is
LEDGER_HMAC_KEY (it lives in the application's environment) nor the checkpoint files. Each attack
must be reported by ``verify_ledger``.
"""

import datetime
import hashlib
import hmac
import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.chain import GENESIS, HMAC_SHA256, SHA256, seal
from audit.checkpoints import load_checkpoints
from audit.models import AuditEntry
from audit.services import write_audit
from credit_records import ledger, services
from credit_records.models import CreditRecord, LedgerHead
from publication.checkpoints import publish_checkpoint
from publication.models import OutboxMessage

pytestmark = pytest.mark.django_db

LEDGER = "credit_records_creditrecord"
AUDIT = "credit_records_auditentry"
STOLEN_GUESS = b"the attacker's guess of the key"


def add(employer, n=0):
    return services.add_record(
        actor=None,
        employer=employer,
        kind="patrol_inspection",
        date=datetime.date(2024, 5, 6),
        result="no_issue",
        summary=f"巡查 {n}",
    )


def verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


class Owner:
    """What the database's owner can do with psql: triggers off, raw SQL, triggers on."""

    def __init__(self, *tables):
        self.tables = tables or (LEDGER,)

    def __enter__(self):
        self.cursor = connection.cursor()
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in self.tables:
            self.cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        return self.cursor

    def __exit__(self, *exc):
        for table in self.tables:
            self.cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        self.cursor.close()


def unkeyed(prev, record_id):
    """The attacker recomputes an entry's hash the only way they can: without the key."""
    record = CreditRecord.objects.get(pk=record_id)
    payload = ledger.hash_payload(ledger.record_values(record))
    return hashlib.sha256((prev + payload).encode()).hexdigest()


def guessed(prev, record_id):
    record = CreditRecord.objects.get(pk=record_id)
    payload = ledger.hash_payload(ledger.record_values(record))
    return hmac.new(STOLEN_GUESS, (prev + payload).encode(), hashlib.sha256).hexdigest()


def rehash_from(cursor, first_id, *, how, version):
    """Recompute every hash from ``first_id`` on and move the head: a consistent-looking chain."""
    prev = (
        CreditRecord.objects.filter(pk__lt=first_id)
        .order_by("-pk")
        .values_list("entry_hash", flat=True)
        .first()
        or GENESIS
    )
    last_id = None
    for pk in (
        CreditRecord.objects.filter(pk__gte=first_id).order_by("pk").values_list("pk", flat=True)
    ):
        cursor.execute(
            f"UPDATE {LEDGER} SET prev_hash = %s, chain_version = %s WHERE id = %s",
            [prev, version, pk],
        )
        new = how(prev, pk)
        cursor.execute(f"UPDATE {LEDGER} SET entry_hash = %s WHERE id = %s", [new, pk])
        prev, last_id = new, pk
    cursor.execute(
        "UPDATE credit_records_ledgerhead SET last_hash = %s, last_id = %s WHERE id = 1",
        [prev, last_id],
    )


def test_an_untouched_ledger_and_audit_log_verify(employer):
    for i in range(3):
        add(employer, i)
    publish_checkpoint()
    add(employer, 3)
    code, out, err = verify()
    assert code == 0, err
    assert "4 条记录" in out and "1 个检查点" in out


def test_entries_are_keyed_not_plain_sha256(employer):
    record = add(employer)
    assert record.chain_version == HMAC_SHA256
    assert record.entry_hash != unkeyed(record.prev_hash, record.pk)
    entry = AuditEntry.objects.get(action="credit_records.add")
    assert entry.chain_version == HMAC_SHA256 and len(entry.entry_hash) == 64


# --- (a) an edit with every hash after it recomputed --------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "how,version", [(unkeyed, HMAC_SHA256), (guessed, HMAC_SHA256), (unkeyed, SHA256)]
)
def test_a_rehashed_edit_is_detected(employer, how, version):
    records = [add(employer, i) for i in range(4)]
    target = records[1]
    with Owner() as cursor:
        cursor.execute(f"UPDATE {LEDGER} SET result = 'issue_found' WHERE id = %s", [target.pk])
        rehash_from(cursor, target.pk, how=how, version=version)
    code, _out, err = verify()
    assert code == 1
    assert f"entry {target.pk}:" in err
    if version == SHA256:
        assert "旧版哈希只允许出现在升级前封存的记录中" in err
    else:
        assert "内容与哈希不符" in err


# --- (b) the last entry deleted and the head rolled back ---------------------------------------


@pytest.mark.postgres
def test_a_deleted_tail_with_the_head_rolled_back_is_detected_by_the_checkpoint(employer):
    records = [add(employer, i) for i in range(3)]
    publish_checkpoint()
    last, before = records[-1], records[-2]
    with Owner(LEDGER, AUDIT) as cursor:
        # The attacker removes the entry, every audit entry from its own on (so the audit log
        # no longer names it) and moves both heads back: both chains are consistent again.
        first_audit = AuditEntry.objects.get(action="credit_records.add", object_id=str(last.pk))
        cursor.execute(f"DELETE FROM {LEDGER} WHERE id = %s", [last.pk])
        cursor.execute(f"DELETE FROM {AUDIT} WHERE id >= %s", [first_audit.pk])
        cursor.execute(
            "UPDATE credit_records_ledgerhead SET length = 2, last_id = %s, last_hash = %s",
            [before.pk, before.entry_hash],
        )
        audit_last = AuditEntry.objects.order_by("-pk").first()
        cursor.execute(
            "UPDATE audit_audithead SET length = %s, last_id = %s, last_hash = %s",
            [AuditEntry.objects.count(), audit_last.pk, audit_last.entry_hash],
        )
    code, _out, err = verify()
    assert code == 1
    assert f"（#{last.pk}）已不存在" in err


@pytest.mark.postgres
def test_a_deleted_tail_still_named_by_the_audit_log_is_detected_without_a_checkpoint(employer):
    records = [add(employer, i) for i in range(3)]
    last, before = records[-1], records[-2]
    with Owner() as cursor:
        cursor.execute(f"DELETE FROM {LEDGER} WHERE id = %s", [last.pk])
        cursor.execute(
            "UPDATE credit_records_ledgerhead SET length = 2, last_id = %s, last_hash = %s",
            [before.pk, before.entry_hash],
        )
    code, _out, err = verify()
    assert code == 1
    assert f"entry {last.pk}: 审计日志" in err


# --- (c) a forged entry appended with the head moved to it -------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("version", [HMAC_SHA256, SHA256])
def test_a_forged_entry_with_a_head_update_is_detected(employer, version):
    records = [add(employer, i) for i in range(2)]
    genuine = records[-1]
    with Owner() as cursor:
        columns = ", ".join(ledger.CHAIN_FIELDS)
        cursor.execute(
            f"INSERT INTO {LEDGER} (chain_version, prev_hash, entry_hash, {columns}) "
            f"SELECT %s, entry_hash, '', {columns.replace('result', quote_issue())} "
            f"FROM {LEDGER} WHERE id = %s RETURNING id",
            [version, genuine.pk],
        )
        forged = cursor.fetchone()[0]
        how = unkeyed if version == SHA256 else guessed
        cursor.execute(
            f"UPDATE {LEDGER} SET entry_hash = %s WHERE id = %s",
            [how(genuine.entry_hash, forged), forged],
        )
        cursor.execute(
            "UPDATE credit_records_ledgerhead SET length = length + 1, last_id = %s, "
            "last_hash = (SELECT entry_hash FROM credit_records_creditrecord WHERE id = %s)",
            [forged, forged],
        )
    assert CreditRecord.objects.get(pk=forged).result == "issue_found"
    code, _out, err = verify()
    assert code == 1
    assert f"entry {forged}:" in err


def quote_issue():
    return "'issue_found'"


# --- the audit log's own chain -----------------------------------------------------------------


@pytest.mark.postgres
def test_an_edited_audit_entry_is_detected(employer):
    add(employer)
    entry = write_audit(actor=None, action="test.action", object_repr="原文", note="原说明")
    write_audit(actor=None, action="test.after", object_repr="之后")
    with Owner(AUDIT) as cursor:
        cursor.execute(f"UPDATE {AUDIT} SET note = '改过的说明' WHERE id = %s", [entry.pk])
    code, _out, err = verify()
    assert code == 1
    assert f"[audit] entry {entry.pk}: 内容与哈希不符" in err


@pytest.mark.postgres
def test_a_deleted_audit_entry_is_detected(employer):
    entries = [write_audit(actor=None, action="test.action", note=str(i)) for i in range(3)]
    with Owner(AUDIT) as cursor:
        cursor.execute(f"DELETE FROM {AUDIT} WHERE id = %s", [entries[1].pk])
    code, _out, err = verify()
    assert code == 1
    assert f"[audit] entry {entries[2].pk}: 链接断开" in err


def test_audit_entries_round_trip_their_hash(employer):
    """JSON columns, addresses and times come back from the database as they were hashed."""
    from audit.context import reset_ip_address, set_ip_address

    token = set_ip_address("::ffff:10.1.2.3")
    try:
        write_audit(
            actor=None,
            action="test.values",
            before={"b": 1.5, "a": [1, 2], "d": datetime.date(2024, 1, 2), 3: "三"},
            after={"中文": "值", "nested": {"z": None, "y": True}},
        )
    finally:
        reset_ip_address(token)
    code, _out, err = verify()
    assert code == 0, err


# --- TRUNCATE --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "table",
    [
        LEDGER,
        AUDIT,
        "credit_records_attachment",
        "credit_records_ledgerhead",
        "audit_audithead",
    ],
)
def test_truncate_is_refused(employer, table):
    add(employer)
    with pytest.raises(DatabaseError, match="TRUNCATE on .* refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL labor_credit.allow_truncate = 'off'")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert CreditRecord.objects.count() == 1


# --- checkpoints -------------------------------------------------------------------------------


def test_the_daily_checkpoint_is_a_signed_file_and_a_platform_message(employer, settings):
    from publication.tasks import publish_checkpoint as task

    add(employer)
    task.apply()
    [loaded] = load_checkpoints()
    assert not loaded.problem
    ledger_head = loaded.body["chains"]["ledger"]
    assert (
        ledger_head["length"] == 1
        and ledger_head["last_hash"] == LedgerHead.objects.get().last_hash
    )
    assert loaded.body["chains"]["audit"]["length"] >= 1
    message = OutboxMessage.objects.get(topic="ledger.checkpoint")
    assert message.payload["signature"] == loaded.body["signature"]
    assert "publication-ledger-checkpoint" in settings.CELERY_BEAT_SCHEDULE


def test_a_forged_checkpoint_file_is_not_trusted(employer):
    add(employer)
    publish_checkpoint()
    [loaded] = load_checkpoints()
    body = dict(loaded.body)
    body["chains"] = {**body["chains"], "ledger": {**body["chains"]["ledger"], "length": 0}}
    loaded.path.chmod(0o640)
    loaded.path.write_text(json.dumps(body), encoding="utf-8")
    code, _out, err = verify()
    assert code == 1 and "检查点签名无效" in err


def test_a_wrong_key_fails_verification(employer, settings):
    add(employer)
    settings.LEDGER_HMAC_KEY = "another-deployment's-key-0123456789abcdef"
    code, _out, err = verify()
    assert code == 1 and "链头的封存值无效" in err


# --- the migration path: entries hashed before the key ---------------------------------------


@pytest.mark.postgres
def test_entries_from_before_the_key_verify_inside_their_sealed_prefix(employer):
    """Simulate a database upgraded by credit_records 0006: three entries hashed with plain
    SHA-256 (version 1), the head sealed at the third, then keyed entries after it."""
    old = [add(employer, i) for i in range(3)]
    with Owner() as cursor:
        rehash_from(cursor, old[0].pk, how=unkeyed, version=SHA256)
        last = CreditRecord.objects.get(pk=old[-1].pk)
        cursor.execute(
            "UPDATE credit_records_ledgerhead SET legacy_length = 3, legacy_last_id = %s, "
            "legacy_last_hash = %s, seal = %s",
            [
                last.pk,
                last.entry_hash,
                seal("ledger", length=3, last_id=last.pk, last_hash=last.entry_hash),
            ],
        )
    new = add(employer, 9)
    assert new.prev_hash == last.entry_hash and new.chain_version == HMAC_SHA256
    code, _out, err = verify()
    assert code == 0, err
    # An old entry rewritten and its plain hashes recomputed breaks the sealed prefix.
    with Owner() as cursor:
        cursor.execute(f"UPDATE {LEDGER} SET result = 'issue_found' WHERE id = %s", [old[1].pk])
        rehash_from(cursor, old[1].pk, how=unkeyed, version=SHA256)
    code, _out, err = verify()
    assert code == 1 and "升级前的记录与封存时不一致" in err


# --- the application's database role -----------------------------------------------------------


@pytest.mark.postgres
def test_the_application_role_can_append_but_not_change_or_truncate(employer):
    from audit.management.commands.db_grants import grants

    role = f"lc_app_test_{connection.settings_dict['NAME'][-12:]}".replace("-", "_").lower()
    record = add(employer)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        for statement in grants(role):
            cursor.execute(statement)
        cursor.execute(f'SET ROLE "{role}"')
        try:
            add(employer, 2)  # the application's own write path works
            for sql, error in [
                (f"UPDATE {LEDGER} SET summary = 'x' WHERE id = {record.pk}", "permission denied"),
                (f"DELETE FROM {AUDIT}", "permission denied"),
                (f"TRUNCATE {LEDGER}", "permission denied"),
                (f"ALTER TABLE {LEDGER} DISABLE TRIGGER ALL", "must be owner"),
            ]:
                with pytest.raises(DatabaseError, match=error):
                    with transaction.atomic():
                        cursor.execute(sql)
        finally:
            cursor.execute("RESET ROLE")
    assert CreditRecord.objects.count() == 2


def test_production_settings_require_the_key(monkeypatch):
    import subprocess
    import sys

    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
        "PATH": "/usr/bin:/bin",
    }
    code = "import django; django.setup()"
    missing = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert missing.returncode != 0 and "LEDGER_HMAC_KEY" in missing.stderr
    weak = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "LEDGER_HMAC_KEY": "short"},
        capture_output=True,
        text=True,
    )
    assert weak.returncode != 0 and "LEDGER_HMAC_KEY" in weak.stderr
    good = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "LEDGER_HMAC_KEY": "k" * 40},
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr


def test_an_old_checkpoint_is_pointed_out(employer):
    from django.utils import timezone

    add(employer)
    publish_checkpoint(now=timezone.now() - datetime.timedelta(days=3))
    code, out, err = verify()
    assert code == 0, err
    assert "已超过两天" in out
