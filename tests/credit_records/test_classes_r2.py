"""Information classes read as seed 004 第五条 lists them (SPEC §3 [r2]), the penalty's new
``mitigation`` field (form, import column, old records still valid), and the hash chain over the
fields added in revision 2 (every existing entry still verifies)."""

import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from credit_records import ledger, services
from credit_records.choices import InfoClass, RecordKind
from credit_records.classes import info_class, info_class_r1
from credit_records.forms import RecordForm
from credit_records.kinds import KIND_SPECS
from credit_records.models import CreditRecord

D = datetime.date
B, G = InfoClass.BASIC, InfoClass.GOOD
GEN, SER = InfoClass.DISHONEST_GENERAL, InfoClass.DISHONEST_SERIOUS


def rec(kind, **fields):
    defaults = {
        "entry_type": "original",
        "severity": "",
        "rectification": "",
        "performance": "",
        "procedure": "",
        "mitigation": "",
    }
    return SimpleNamespace(kind=kind, **{**defaults, **fields})


# fmt: off
CLASSES = [
    # (record, class under revision 2, class under revision 1) — read off SPEC §3 [r2]
    (rec("wage_arrears_blacklist"), SER, SER),                       # 第五条（一）
    (rec("serious_dishonesty_list"), SER, SER),
    (rec("fund_fraud"), SER, SER),
    (rec("criminal_liability"), SER, SER),
    (rec("violation", severity="major", rectification="rectified"), SER, SER),
    (rec("violation", severity="serious", rectification="not_rectified"), B, GEN),
    (rec("violation", severity="general", rectification="in_progress"), B, GEN),
    (rec("violation", severity="minor", rectification="rectified"), B, B),
    (rec("administrative_penalty", procedure="general", performance="performed"), GEN, GEN),
    (rec("administrative_penalty", procedure="general", mitigation="none"), GEN, GEN),
    (rec("administrative_penalty", procedure="general", mitigation="minor"), B, GEN),   # 但书
    (rec("administrative_penalty", procedure="general", mitigation="remedied"), B, GEN),  # 但书
    (rec("administrative_penalty", procedure="simplified"), B, B),
    (rec("license_revoked"), GEN, SER),                              # a general-procedure penalty
    (rec("false_materials"), GEN, GEN),                              # 第五条（三）
    (rec("commitment_breach"), GEN, GEN),                            # 第五条（四）
    (rec("obstruction"), GEN, GEN),                                  # 第五条（五）
    (rec("administrative_decision", performance="refused"), B, GEN),
    (rec("administrative_decision", performance="pending"), B, B),
    (rec("dishonest_judgment_debtor"), B, GEN),                      # a court's list
    (rec("harmonious_enterprise"), G, G),                            # 第六条
    (rec("commendation"), G, G),
    (rec("arbitration_loss"), B, B),
    (rec("credit_commitment"), B, B),
    (rec("reporting_failure"), B, B),
    (rec("annual_report_missing"), B, B),
    (rec("establishment_unmet"), B, B),
    (rec("enterprise_credit_penalty"), B, B),
    (rec("business_abnormal_list"), B, B),
    (rec("lost_contact"), B, B),
    (rec("public_credit_rating"), B, B),
    (rec("patrol_inspection"), B, B),
    (rec("written_review"), B, B),
    (rec("complaint"), B, B),
    (rec("interview"), B, B),
    (rec("fund_fraud", entry_type="void"), B, B),                    # a void asserts nothing
]
# fmt: on


@pytest.mark.parametrize(("record", "r2", "r1"), CLASSES, ids=[c[0].kind for c in CLASSES])
def test_class_of_every_record_kind(record, r2, r1):
    assert info_class(record) == r2
    assert info_class_r1(record) == r1


def test_every_kind_is_in_the_table():
    assert {c[0].kind for c in CLASSES} == set(RecordKind.values)


# --- mitigation ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_penalty_defaults_to_no_mitigation_and_other_kinds_refuse_it(employer):
    penalty = services.add_record(
        actor=None,
        employer=employer,
        kind="administrative_penalty",
        date=D(2024, 3, 1),
        performance="performed",
        procedure="general",
    )
    assert penalty.mitigation == "none" and penalty.info_class == GEN
    mitigated = services.correct_record(
        actor=None, record=penalty, reason="违法行为轻微", mitigation="minor"
    )
    assert mitigated.info_class == B
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.add_record(
            actor=None,
            employer=employer,
            kind="violation",
            date=D(2024, 3, 1),
            severity="general",
            category="wages",
            rectification="rectified",
            mitigation="minor",
        )
    assert "从轻情节" in str(exc.value)
    assert "mitigation" in KIND_SPECS["administrative_penalty"].optional


@pytest.mark.django_db
def test_the_records_file_takes_an_optional_mitigation_column(tmp_path, employer):
    header = "uscc,kind,date,document_no,performance,procedure"
    without = tmp_path / "without.csv"
    without.write_text(
        f"{header}\n{employer.uscc},administrative_penalty,2024-03-01,罚1,performed,general\n",
        encoding="utf-8",
    )
    call_command("import_records", str(without), stdout=io.StringIO())
    with_column = tmp_path / "with.csv"
    with_column.write_text(
        f"{header},mitigation\n"
        f"{employer.uscc},administrative_penalty,2024-04-01,罚2,performed,general,remedied\n"
        f"{employer.uscc},administrative_penalty,2024-05-01,罚3,performed,general,违法行为轻微\n",
        encoding="utf-8",
    )
    call_command("import_records", str(with_column), stdout=io.StringIO())
    got = dict(CreditRecord.objects.values_list("document_no", "mitigation"))
    assert got == {"罚1": "none", "罚2": "remedied", "罚3": "minor"}
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{header},mitigation\n"
        f"{employer.uscc},administrative_penalty,2024-06-01,罚4,performed,general,轻\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_records", str(bad), stdout=io.StringIO(), stderr=err)
    assert "row 2, mitigation" in err.getvalue() and "“轻”" in err.getvalue()


def test_the_form_offers_mitigation_for_penalties_only():
    form = RecordForm()
    assert form.fields["mitigation"].show_when == "administrative_penalty"


# --- the hash chain over the revision-2 fields --------------------------------------------------


def test_an_entry_without_the_new_fields_hashes_as_before():
    """The payload of an entry without mitigation/repaired_on is the JSON list it always was."""
    values = dict.fromkeys(ledger.HASHED_FIELDS, "x")
    old_payload = json.dumps(list(values.values()), ensure_ascii=False, separators=(",", ":"))
    for unset in ({}, {"mitigation": "", "repaired_on": None}, {"mitigation": "none"}):
        assert ledger.hash_payload({**values, **unset}) == old_payload
    assert ledger.hash_payload({**values, "mitigation": "minor"}) != old_payload
    assert ledger.hash_payload({**values, "repaired_on": D(2025, 1, 2)}).endswith(
        '["repaired_on","2025-01-02"]]'
    )


@pytest.mark.django_db
def test_entries_with_the_new_fields_verify_and_tampering_is_seen(employer):
    from django.db import connection

    penalty = services.add_record(
        actor=None,
        employer=employer,
        kind="administrative_penalty",
        date=D(2024, 3, 1),
        performance="performed",
        procedure="general",
        mitigation="remedied",
    )
    repaired = services.repair_record(
        actor=None, record=penalty, repaired_on=D(2025, 1, 2), reason="修复"
    )
    assert [p.record_id for p in ledger.verify()] == []
    table = CreditRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(
            f"UPDATE {table} SET repaired_on = %s WHERE id = %s", [D(2026, 1, 2), repaired.pk]
        )
        cursor.execute(f"UPDATE {table} SET mitigation = 'none' WHERE id = %s", [penalty.pk])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    assert {p.record_id for p in ledger.verify()} == {penalty.pk, repaired.pk}
