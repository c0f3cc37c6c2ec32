"""The same records file confirmed twice at once (a double click on 确认导入, two tabs): the
second import finds the first one's entries under the chain lock and adds nothing (SPEC §9)."""

import pytest

from credit_records import services
from credit_records.models import AuditEntry, CreditRecord
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def test_an_import_racing_the_same_file_adds_nothing(monkeypatch):
    employer = EmployerFactory()
    data = (
        "uscc,kind,date,severity,category,rectification\n"
        f"{employer.uscc},violation,2024-03-01,general,wages,rectified\n"
        f"{employer.uscc},violation,2024-04-01,general,wages,in_progress\n"
    ).encode()
    append = services._append_imported
    raced = []

    def the_other_request_commits_first(new, **kwargs):
        if not raced:
            raced.append(True)
            # checked against the same ledger as ours, appended before ours
            assert services.import_records(data=data, filename="same.csv").created == 2
        return append(new, **kwargs)

    monkeypatch.setattr(services, "_append_imported", the_other_request_commits_first)
    report = services.import_records(data=data, filename="same.csv")
    assert raced and (report.created, report.skipped) == (0, 2)
    assert CreditRecord.objects.filter(employer=employer).count() == 2
    assert AuditEntry.objects.filter(action="credit_records.import").count() == 1
