"""Nothing can be silently changed: the ORM, the database and the hash chain."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from credit_records import services
from credit_records.models import AuditEntry, CreditRecord, LedgerHead

pytestmark = pytest.mark.django_db

TABLE = "credit_records_creditrecord"


def add(employer, **extra):
    return services.add_record(
        actor=None,
        employer=employer,
        kind="patrol_inspection",
        date=datetime.date(2024, 5, 6),
        result="no_issue",
        **extra,
    )


def verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET summary = 'tampered'",
        f"DELETE FROM {TABLE}",
        "UPDATE credit_records_auditentry SET note = 'tampered'",
        "DELETE FROM credit_records_auditentry",
        "DELETE FROM credit_records_ledgerhead",
    ],
)
def test_raw_sql_update_and_delete_refused_on_postgresql(employer, sql):
    add(employer)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CreditRecord.objects.get().summary == ""


def test_verify_ledger_passes_on_intact_ledger(employer):
    for i in range(3):
        add(employer, summary=f"巡查 {i}")
    services.void_record(actor=None, record=CreditRecord.objects.first(), reason="录入错误")
    code, out, err = verify()
    assert code == 0, err
    assert "4 条记录" in out


def _tamper(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred FK checks must fire first: ALTER TABLE refuses pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")


def test_verify_ledger_detects_a_tampered_row(employer):
    records = [add(employer, summary=f"巡查 {i}") for i in range(3)]
    target = records[1]
    _tamper(f"UPDATE {TABLE} SET result = 'issue_found' WHERE id = %s", [target.pk])
    code, _out, err = verify()
    assert code == 1
    assert f"entry {target.pk}:" in err
    assert f"entry {records[0].pk}:" not in err and f"entry {records[2].pk}:" not in err


def test_verify_ledger_detects_a_deleted_row(employer):
    records = [add(employer) for _ in range(3)]
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [records[2].pk])
    code, _out, err = verify()
    assert code == 1 and "链头与记录不一致" in err


def test_chain_links_each_entry_to_the_previous(employer):
    first, second = add(employer), add(employer)
    assert second.prev_hash == first.entry_hash
    head = LedgerHead.objects.get(pk=1)
    assert head.last_hash == second.entry_hash and head.length == 2


def test_audit_row_written_with_the_change_and_both_vanish_on_rollback(employer):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with transaction.atomic():
            record = add(employer, summary="会被回滚")
            assert AuditEntry.objects.filter(object_id=str(record.pk)).exists()
            raise Boom
    assert not CreditRecord.objects.exists()
    assert not AuditEntry.objects.filter(action="credit_records.add").exists()
    assert LedgerHead.objects.get(pk=1).length == 0
    code, _out, err = verify()
    assert code == 0, err


@pytest.mark.django_db(transaction=True)
def test_ledger_works_in_transactional_tests_after_a_flush(employer):
    # Django flushes with TRUNCATE between transactional tests; the triggers must not stop it
    # and the chain head is recreated when the flush removed it.
    first = add(employer)
    assert first.prev_hash == "0" * 64 or LedgerHead.objects.get(pk=1).length >= 1
    code, _out, err = verify()
    assert code == 0, err


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(employer):
    import threading

    from django.db import connections

    errors = []

    def writer(n):
        try:
            for i in range(8):
                add(employer, summary=f"并发 {n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert CreditRecord.objects.count() == 24
    code, _out, err = verify()
    assert code == 0, err


def test_verify_ledger_files_detects_a_replaced_evidence_file(employer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = add(employer, attachments=[SimpleUploadedFile("笔录.pdf", b"%PDF-1.4 original")])
    attachment = record.attachments.get()
    code, _out, err = verify("--files")
    assert code == 0, err
    with open(attachment.file.path, "wb") as fh:
        fh.write(b"%PDF-1.4 forged")
    code, _out, err = verify("--files")
    assert code == 1 and f"attachment {attachment.pk}" in err
