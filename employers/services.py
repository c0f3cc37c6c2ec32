"""Writes to the employer registry and accounts. Each writes its audit entry in the same
transaction (STYLE.md: services, Zulip's do_* actions)."""

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from credit_records.audit import snapshot, write_audit

from .models import Employer, User
from .resources import EMPLOYER_COLUMNS, EMPLOYER_REQUIRED, EmployerResource
from .tabular import ImportFileError, ImportReport, RowProblem, read_dataset, spreadsheet_row


def problems_from_result(result, dataset) -> list[RowProblem]:
    """Turn django-import-export's result into ``row N, column: message`` problems."""
    problems = []
    for invalid in result.invalid_rows:
        row = spreadsheet_row(dataset, invalid.number)
        for column, messages in invalid.error_dict.items():
            column = "-" if column == "__all__" else column
            for message in messages:
                problems.append(RowProblem(row, column, str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(RowProblem(spreadsheet_row(dataset, number), "-", str(error.error)))
    for error in result.base_errors:
        problems.append(RowProblem(0, "-", str(error.error)))
    problems.sort(key=lambda p: (p.row, p.column))
    return problems


def import_employers(
    *, data: bytes, filename: str, actor=None, dry_run: bool = False
) -> ImportReport:
    """Validate the whole file, then write all of it or nothing (SPEC §9). With an ``actor``
    (the import page), every row must be an employer of the actor's jurisdiction subtree."""
    try:
        dataset = read_dataset(data, filename, required=EMPLOYER_REQUIRED, known=EMPLOYER_COLUMNS)
    except ImportFileError as exc:
        return ImportReport(problems=[RowProblem(1, "-", str(exc))], dry_run=dry_run)
    report = ImportReport(total=len(dataset), dry_run=dry_run)
    with transaction.atomic():
        resource = EmployerResource(actor=actor)
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        report.problems = problems_from_result(result, dataset)
        totals = result.totals
        report.created = totals.get("new", 0)
        report.updated = totals.get("update", 0)
        report.skipped = (
            report.total - report.created - report.updated - len({p.row for p in report.problems})
        )
        if report.problems:
            report.created = report.updated = 0
            transaction.set_rollback(True)
            return report
        if not dry_run and (report.created or report.updated):
            write_audit(
                actor=actor,
                action="employers.import",
                object_type="employers.Employer",
                object_repr=_("导入用人单位文件 %(name)s") % {"name": filename},
                after={
                    "file": filename,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "created": report.created,
                    "updated": report.updated,
                    "skipped": report.skipped,
                },
            )
    return report


EDITABLE_FIELDS = [
    "name",
    "kind",
    "jurisdiction",
    "street",
    "industry",
    "employees",
    "legal_rep",
    "address",
    "phone",
    "status",
]


@transaction.atomic
def save_employer(*, employer: Employer, actor) -> Employer:
    """Create or update one employer from a validated form instance, with its audit entry."""
    before = None
    if employer.pk:
        before = snapshot(Employer.objects.get(pk=employer.pk))
    employer.full_clean()
    employer.save()
    write_audit(
        actor=actor,
        action="employers.update" if before else "employers.create",
        obj=employer,
        jurisdiction_path=employer.jurisdiction.path,
        before=before,
        after=snapshot(employer),
    )
    return employer


@transaction.atomic
def set_initial_password(*, user: User, password: str, actor) -> User:
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    write_audit(actor=actor, action="accounts.reset_password", obj=user)
    return user
