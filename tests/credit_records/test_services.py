import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credit_records import services
from credit_records.choices import EntryType, InfoClass
from credit_records.classes import info_class
from credit_records.models import AppendOnlyError, AuditEntry, CreditRecord
from credit_records.signals import record_changed
from employers.choices import Role
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

D = datetime.date


def add_violation(employer, actor=None, **extra):
    fields = dict(
        severity="general",
        category="wages",
        rectification="rectified",
        case_no="郏人社监〔2024〕1号",
    )
    fields.update(extra)
    return services.add_record(
        actor=actor, employer=employer, kind="violation", date=D(2024, 3, 1), **fields
    )


def test_add_record_writes_entry_and_audit(employer, inspector):
    record = add_violation(employer, inspector, summary="拖欠工资")
    assert record.entry_type == EntryType.ORIGINAL
    assert record.created_by == inspector
    assert record.incident is False
    assert len(record.entry_hash) == 64
    audit = AuditEntry.objects.get(action="credit_records.add", object_id=str(record.pk))
    assert audit.actor == inspector
    assert audit.after["kind"] == "violation"
    assert audit.jurisdiction_path == "pingdingshan/jiaxian"


def test_record_changed_sent_after_commit(employer, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, employer_id, record, action, **kwargs):
        received.append((employer_id, record.pk, action))

    record_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record = add_violation(employer)
        with django_capture_on_commit_callbacks(execute=True):
            voided = services.void_record(actor=None, record=record, reason="异议成立")
    finally:
        record_changed.disconnect(receiver)
    assert received == [(employer.pk, record.pk, "add"), (employer.pk, voided.pk, "void")]


def test_correction_supersedes_original_which_stays_visible(employer, inspector):
    original = add_violation(employer, inspector)
    corrected = services.correct_record(
        actor=inspector, record=original, reason="整改情况录入错误", rectification="not_rectified"
    )
    assert corrected.entry_type == EntryType.CORRECTION
    assert corrected.supersedes == original
    assert corrected.case_no == original.case_no  # unchanged fields are copied
    effective = CreditRecord.objects.effective()
    assert list(effective.filter(employer=employer)) == [corrected]
    assert CreditRecord.objects.filter(pk=original.pk).exists()  # still in history
    audit = AuditEntry.objects.get(action="credit_records.correct")
    assert audit.before["rectification"] == "rectified"
    assert audit.after["rectification"] == "not_rectified"
    with pytest.raises(ValidationError):
        services.correct_record(actor=inspector, record=original, reason="再改", severity="minor")


def test_void_removes_record_from_effective(employer):
    record = add_violation(employer)
    void = services.void_record(actor=None, record=record, reason="异议成立，撤销记录")
    assert void.entry_type == EntryType.VOID and void.kind == record.kind
    assert not CreditRecord.objects.effective().exists()
    with pytest.raises(ValidationError):
        services.void_record(actor=None, record=record, reason="again")
    with pytest.raises(ValidationError):
        services.void_record(actor=None, record=void, reason="void a void")


def test_reason_required(employer):
    record = add_violation(employer)
    with pytest.raises(ValidationError) as exc:
        services.void_record(actor=None, record=record, reason="  ")
    assert "理由" in str(exc.value)


def test_correction_identical_to_original_is_refused(employer):
    record = add_violation(employer)
    with pytest.raises(ValidationError):
        services.correct_record(actor=None, record=record, reason="无", severity="general")


def test_correction_can_change_kind_and_drops_unused_fields(employer):
    record = add_violation(employer)
    new = services.correct_record(
        actor=None,
        record=record,
        reason="应为行政处罚",
        kind="administrative_penalty",
        performance="performed",
        procedure="general",
    )
    assert new.kind == "administrative_penalty" and new.severity == "" and new.incident is None


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR, Role.PUBLISHER, Role.EMPLOYER])
def test_roles_that_cannot_write(employer, role):
    kwargs = {"employer": employer} if role == Role.EMPLOYER else {}
    user = UserFactory(role=role, **kwargs)
    with pytest.raises(PermissionDenied):
        add_violation(employer, user)
    assert not CreditRecord.objects.exists()


def test_inspector_outside_jurisdiction_cannot_write(employer):
    stranger = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(PermissionDenied):
        add_violation(employer, stranger)


def test_orm_update_and_delete_refused(employer):
    record = add_violation(employer)
    with pytest.raises(AppendOnlyError):
        CreditRecord.objects.filter(pk=record.pk).update(summary="篡改")
    with pytest.raises(AppendOnlyError):
        CreditRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        record.delete()
    record.summary = "篡改"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        CreditRecord.objects.create(employer=employer, kind="complaint", date=D(2024, 1, 1))
    audit = AuditEntry.objects.first()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=audit.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        audit.delete()
    assert CreditRecord.objects.get(pk=record.pk).summary == ""


def test_info_class_shown_for_records(employer):
    record = add_violation(employer, severity="minor", rectification="rectified")
    assert info_class(record) == InfoClass.BASIC
    major = add_violation(employer, severity="major", case_no="2")
    assert major.info_class == InfoClass.DISHONEST_SERIOUS


def test_other_employer_records_untouched():
    a, b = EmployerFactory(), EmployerFactory()
    add_violation(a)
    assert not CreditRecord.objects.effective().filter(employer=b).exists()
