"""A published cycle's documents can be made again (after a failed job); what they say is what
was published (SPEC §8), whatever the ledger says later — and the remake is audited."""

import pytest

from credit_records.models import AuditEntry
from credit_records.services import add_record, void_record
from employers.choices import EmployerKind, Role
from publication import documents, services
from publication.jobs import annex2_rows
from tests.factories import UserFactory, jurisdiction

from .conftest import D, make_cycle
from .test_workflow import to_final

pytestmark = pytest.mark.django_db


def _fake_pdf(html, path):
    path.write_bytes(b"%PDF-1.4 stub")  # the PDFs themselves: tests/publication/test_documents
    return path


def test_annex2_enforcement_is_the_ledger_at_publication(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(documents, "_write_pdf", _fake_pdf)
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xuchang"))
    cycle = make_cycle("xuchang", grades=[("C", ["xuchang.C.1"])], kind=EmployerKind.HR_AGENCY)
    (agency,) = cycle.test_employers
    record = add_record(
        actor=None,
        employer=agency,
        kind="violation",
        date=D(2024, 4, 8),
        severity="general",
        category="hr_market",
        rectification="rectified",
        document_no="许人社监〔2024〕8号",
    )
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    cycle.refresh_from_db()
    published = [r.enforcement for r in annex2_rows(cycle)]
    assert published == ["2024年4月，劳动保障违法行为被查处（许人社监〔2024〕8号），已整改"]

    # After publication the record is voided and a new one of the cycle year is entered late.
    void_record(actor=None, record=record, reason="复评后撤销")
    add_record(
        actor=None,
        employer=agency,
        kind="administrative_penalty",
        date=D(2024, 6, 1),
        performance="performed",
        procedure="general",
    )
    assert [r.enforcement for r in annex2_rows(cycle)] == published

    with django_capture_on_commit_callbacks(execute=False):
        services.remake_documents(cycle=cycle, actor=publisher)
    entry = AuditEntry.objects.get(action="publication.documents_remade")
    assert (entry.actor, entry.object_id, entry.jurisdiction_path) == (
        publisher,
        str(cycle.pk),
        "xuchang",
    )
