"""The one write path of the ledger (STYLE.md: Zulip's do_* actions, HackSoft services).

``add_record``, ``correct_record``, ``void_record``, ``add_attachment`` and ``import_records``
are the only ways a credit record comes to be. Each validates (ValidationError with Chinese
messages), refuses actors without ``can_write_credit`` (``actor=None`` is the system: command
line imports, tests), appends through ``ledger.append`` (hash chain), writes its audit entry in
the same transaction and, after commit, sends ``record_changed`` so grading regrades.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from employers.models import Employer
from employers.selectors import scope_by_employer
from employers.tabular import ImportFileError, ImportReport, RowProblem, open_table
from employers.uscc import normalize_uscc

from . import ledger
from .audit import snapshot, write_audit
from .choices import EntryType
from .evidence import MAX_ATTACHMENTS_PER_UPLOAD, check_upload
from .importing import RECORD_COLUMNS, RECORD_REQUIRED, parse_date, parse_row, problems_of
from .kinds import CONTENT_FIELDS, KIND_SPECS, clean_record, fields_for, same_content
from .models import Attachment, CreditRecord, LedgerHead
from .signals import ledger_appended, record_changed, records_imported


def _today() -> datetime.date:
    return timezone.localdate()


def _check_actor(actor, employer: Employer) -> None:
    if actor is None:
        return  # the system (command line, batch, tests)
    if not getattr(actor, "can_write_credit", False):
        raise PermissionDenied(_("您的角色不能录入、更正或作废信用记录"))
    if not scope_by_employer(Employer.objects.filter(pk=employer.pk), actor).exists():
        raise PermissionDenied(_("该用人单位不在您的管辖范围内"))


def _as_date(field: str, value):
    """Dates may come as ``date`` objects or as text (tests, other apps): same parsing as imports."""
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


def _creator(actor):
    return actor if getattr(actor, "pk", None) else None


def _audit(actor, action, record, *, before=None, note=""):
    after = snapshot(record)
    after["info_class"] = str(record.info_class)
    names = [a.original_name for a in getattr(record, "_new_attachments", ())]
    if names:
        after["attachments"] = names
    write_audit(
        actor=actor,
        action=action,
        obj=record,
        jurisdiction_path=record.employer.jurisdiction.path,
        before=before,
        after=after,
        note=note,
    )


def _notify(record: CreditRecord, action: str, *, superseded: CreditRecord | None = None) -> None:
    ledger_appended.send(
        sender=CreditRecord,
        entries=[record],
        superseded={superseded.pk: superseded} if superseded is not None else {},
    )
    transaction.on_commit(
        lambda: record_changed.send(
            sender=CreditRecord, employer_id=record.employer_id, record=record, action=action
        )
    )


def _check_attachments(attachments) -> list[tuple]:
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS_PER_UPLOAD:
        raise ValidationError(
            {"attachments": _("一次最多上传 %(n)d 个附件") % {"n": MAX_ATTACHMENTS_PER_UPLOAD}}
        )
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, *check_upload(upload)))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None
    return checked


def _store_attachments(record: CreditRecord, checked, actor) -> list[Attachment]:
    stored = []
    for upload, content_type, sha256 in checked:
        attachment = Attachment(
            record=record,
            original_name=upload.name[-200:],
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=_creator(actor),
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    record._new_attachments = stored
    return stored


def _effective_for_update(record: CreditRecord) -> CreditRecord:
    """Lock the chain, then re-read the entry: it must still be effective (nobody corrected or
    voided it meanwhile)."""
    ledger.lock_head()
    current = (
        CreditRecord.objects.effective()
        .select_related("employer__jurisdiction")
        .filter(pk=record.pk)
        .first()
    )
    if current is None:
        raise ValidationError(_("该记录已被更正或作废，不能再次操作；请在最新的记录上更正或作废。"))
    return current


@transaction.atomic
def add_record(*, actor, employer, kind, date, attachments=(), **fields) -> CreditRecord:
    """Add an original entry to the ledger."""
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {', '.join(sorted(unknown))}")
    if employer is None or not Employer.objects.filter(pk=getattr(employer, "pk", None)).exists():
        raise ValidationError({"employer": _("用人单位不存在")})
    _check_actor(actor, employer)
    values = {**fields, "kind": kind, "date": _as_date("date", date)}
    values["end_date"] = _as_date("end_date", values.get("end_date"))
    content = clean_record(values, today=_today())
    checked = _check_attachments(attachments)
    record = CreditRecord(
        employer=employer, entry_type=EntryType.ORIGINAL, created_by=_creator(actor), **content
    )
    ledger.append([record])
    _store_attachments(record, checked, actor)
    _audit(actor, "credit_records.add", record)
    _notify(record, "add")
    return record


@transaction.atomic
def correct_record(*, actor, record, reason, attachments=(), **changes) -> CreditRecord:
    """A correction entry superseding ``record``: unchanged fields are copied from it."""
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {', '.join(sorted(unknown))}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("必须填写更正理由")})
    _check_actor(actor, record.employer)
    original = _effective_for_update(record)
    values = {f: getattr(original, f) for f in CONTENT_FIELDS}
    new_kind = changes.get("kind", original.kind)
    if new_kind != original.kind and new_kind in KIND_SPECS:
        # Fields the new kind does not use are dropped unless the correction sets them.
        for field in CONTENT_FIELDS:
            if field not in ("kind",) + fields_for(new_kind) and field not in changes:
                values[field] = None if field in ("end_date", "incident") else ""
    values.update(changes)
    for field in ("date", "end_date"):
        values[field] = _as_date(field, values.get(field))
    content = clean_record(values, today=_today())
    if same_content(content, original):
        raise ValidationError(_("更正后的内容与原记录相同，无需更正"))
    checked = _check_attachments(attachments)
    new = CreditRecord(
        employer_id=original.employer_id,
        entry_type=EntryType.CORRECTION,
        supersedes=original,
        reason=reason,
        created_by=_creator(actor),
        # A correction of a repaired record is still repaired from that day (SPEC §7 [r2]).
        repaired_on=original.repaired_on,
        **content,
    )
    new.employer = original.employer
    ledger.append([new])
    _store_attachments(new, checked, actor)
    _audit(actor, "credit_records.correct", new, before=snapshot(original), note=reason)
    _notify(new, "correct", superseded=original)
    return new


@transaction.atomic
def void_record(*, actor, record, reason) -> CreditRecord:
    """A void entry cancelling ``record`` (e.g. an upheld objection); the original stays."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("必须填写作废理由")})
    _check_actor(actor, record.employer)
    original = _effective_for_update(record)
    new = CreditRecord(
        employer_id=original.employer_id,
        entry_type=EntryType.VOID,
        supersedes=original,
        reason=reason,
        created_by=_creator(actor),
        **{f: getattr(original, f) for f in CONTENT_FIELDS},
    )
    new.employer = original.employer
    ledger.append([new])
    _audit(actor, "credit_records.void", new, before=snapshot(original), note=reason)
    _notify(new, "void", superseded=original)
    return new


@transaction.atomic
def repair_record(*, actor, record, repaired_on, reason, end_date=None, today=None) -> CreditRecord:
    """A ``repair`` entry superseding ``record`` after an approved credit repair (SPEC §7 [r2]):
    the same content, plus ``repaired_on`` (the approval day R). The record then counts in no
    grade with as_of ≥ R, while every grade computed for an earlier as_of reads it as before
    (grading excludes effective records with ``repaired_on ≤ as_of``). The original stays.

    ``end_date``: for a list the repair also removes the employer from (the wage-arrears
    blacklist, 人社部令第45号 第十二条 early removal), the removal date; it must not be before
    the listing nor after the approval day.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("必须填写修复理由")})
    _check_actor(actor, record.employer)
    repaired_on = _as_date("repaired_on", repaired_on)
    today = today or _today()
    if repaired_on is None or repaired_on > today:
        raise ValidationError({"repaired_on": _("信用修复日期不能为空，也不能晚于今天")})
    original = _effective_for_update(record)
    if original.repaired_on is not None:
        raise ValidationError(
            _("该记录已于%(d)s完成信用修复") % {"d": date_format(original.repaired_on)}
        )
    if repaired_on < original.date:
        raise ValidationError({"repaired_on": _("信用修复日期不能早于记录日期")})
    content = {f: getattr(original, f) for f in CONTENT_FIELDS}
    if end_date is not None:
        end_date = _as_date("end_date", end_date)
        if not KIND_SPECS[original.kind].end_date:
            raise ValidationError({"end_date": _("该类记录没有移出日期")})
        if end_date < original.date or end_date > repaired_on:
            raise ValidationError({"end_date": _("移出日期应在列入日期与修复日期之间")})
        if original.end_date is None or end_date < original.end_date:
            content["end_date"] = end_date
    new = CreditRecord(
        employer_id=original.employer_id,
        entry_type=EntryType.REPAIR,
        supersedes=original,
        reason=reason,
        created_by=_creator(actor),
        repaired_on=repaired_on,
        **content,
    )
    new.employer = original.employer
    ledger.append([new])
    _audit(actor, "credit_records.repair", new, before=snapshot(original), note=reason)
    _notify(new, "repair", superseded=original)
    return new


@transaction.atomic
def add_attachment(*, actor, record, uploads) -> list[Attachment]:
    """Add evidence files to an existing entry (append-only: files are never replaced)."""
    _check_actor(actor, record.employer)
    checked = _check_attachments(uploads)
    if not checked:
        raise ValidationError({"attachments": _("请选择要上传的文件")})
    stored = _store_attachments(record, checked, actor)
    write_audit(
        actor=actor,
        action="credit_records.attach",
        obj=record,
        jurisdiction_path=record.employer.jurisdiction.path,
        after={
            "attachments": [
                {"name": a.original_name, "size": a.size, "sha256": a.sha256} for a in stored
            ]
        },
    )
    return stored


IMPORT_BATCH = 5000


def _employers_by_uscc(codes: list[str], actor) -> tuple[dict, set]:
    """{uscc: employer id} for the codes that exist, and the set of codes outside the actor's
    jurisdiction — one query (two with an actor) per batch of codes."""
    found = dict(Employer.objects.filter(uscc__in=codes).values_list("uscc", "pk"))
    outside = set()
    if actor is not None and found:
        visible = set(
            scope_by_employer(Employer.objects.filter(uscc__in=list(found)), actor).values_list(
                "uscc", flat=True
            )
        )
        outside = {c for c in found if c not in visible}
    return found, outside


def _existing_keys(employer_ids) -> set:
    """The idempotency keys (employer, kind, date, case_no, document_no) already in the ledger."""
    keys = set()
    employer_ids = sorted(employer_ids)
    for start in range(0, len(employer_ids), 2000):
        keys.update(
            CreditRecord.objects.filter(employer_id__in=employer_ids[start : start + 2000])
            .values_list("employer_id", "kind", "date", "case_no", "document_no")
            .iterator(chunk_size=20000)
        )
    return keys


def _key(employer_id, content) -> tuple:
    return (
        employer_id,
        content["kind"],
        content["date"],
        content["case_no"],
        content["document_no"],
    )


def _key_digest(key: tuple) -> int:
    """Eight bytes standing for a row's idempotency key, so that finding the duplicates in a
    file of a million rows does not hold a million keys."""
    text = "\x1f".join("" if v is None else str(v) for v in key)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class _Spill:
    """The validated new entries of a file, written to a temporary file batch by batch between
    the check and the append, so neither holds the whole file in memory."""

    def __init__(self):
        import tempfile

        self.file = tempfile.TemporaryFile()
        self.count = 0

    def write(self, batch: list) -> None:
        import pickle

        if batch:
            pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.count += len(batch)

    def batches(self):
        import pickle

        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)  # our own file, written just now
            except EOFError:
                return

    def close(self):
        self.file.close()


def _check_batch(batch, *, actor, today, report, seen, spill) -> None:
    """Validate one batch of ``(row number, cells)``: the employers, the content, duplicates in
    the file and entries already in the ledger (skipped). New entries go to ``spill``."""
    codes = sorted({normalize_uscc(cells.get("uscc")) for _n, cells in batch} - {""})
    employers, outside = _employers_by_uscc(codes, actor)
    checked = []
    for number, cells in batch:
        uscc = normalize_uscc(cells.get("uscc"))
        employer_id = employers.get(uscc)
        if not uscc:
            report.add_problem(RowProblem(number, "uscc", _("统一社会信用代码不能为空")))
        elif employer_id is None:
            report.add_problem(
                RowProblem(
                    number,
                    "uscc",
                    _("用人单位“%(value)s”不存在，请先导入用人单位") % {"value": uscc},
                )
            )
        elif uscc in outside:
            report.add_problem(
                RowProblem(
                    number, "uscc", _("用人单位“%(value)s”不在您的管辖范围内") % {"value": uscc}
                )
            )
        try:
            content = parse_row(cells, today=today)
        except ValidationError as exc:
            report.add_problems(problems_of(number, exc))
            continue
        if employer_id is None or uscc in outside:
            continue
        digest = _key_digest(_key(employer_id, content))
        first = seen.get(digest)
        if first is not None:
            report.add_problem(
                RowProblem(
                    number,
                    "kind",
                    _(
                        "与第 %(first)d 行是同一条记录（统一社会信用代码、类型、日期、案件编号、文书号均相同）"
                    )
                    % {"first": first},
                )
            )
            continue
        seen[digest] = number
        checked.append((employer_id, content))
    if not checked:
        return
    existing = _existing_keys({employer_id for employer_id, _c in checked})
    new = []
    for employer_id, content in checked:
        if _key(employer_id, content) in existing:
            report.skipped += 1
        else:
            new.append((employer_id, content))
    report.created += len(new)
    if spill is not None and not report.problems:
        spill.write(new)


def import_records(
    *,
    data: bytes | None = None,
    path=None,
    filename: str,
    actor=None,
    dry_run: bool = False,
    progress=None,
) -> ImportReport:
    """Validate the whole records file, then append all of it or nothing (SPEC §9).

    The file (``path``, or ``data`` in memory) is read as a stream, ``IMPORT_BATCH`` rows at a
    time: memory does not grow with the file. A row whose (uscc, kind, date, case_no,
    document_no) is already in the ledger is skipped, so importing the same file twice changes
    nothing the second time. The new entries go through ``ledger.append_rows`` (hash chain) in
    one transaction with one audit entry for the file; after the commit one ``records_imported``
    signal asks grading for one batched regrade of the employers concerned. ``progress(rows,
    phase)`` is told how far the work is.
    """
    if actor is not None and not getattr(actor, "can_write_credit", False):
        raise PermissionDenied(_("您的角色不能导入信用记录"))
    source = path if path is not None else data
    report = ImportReport(dry_run=dry_run)
    ledger_length = LedgerHead.objects.values_list("length", flat=True).first()
    spill = None if dry_run else _Spill()
    try:
        try:
            with open_table(
                source, filename, required=RECORD_REQUIRED, known=RECORD_COLUMNS
            ) as table:
                headers = table.headers
                today = _today()
                seen: dict[int, int] = {}
                batch = []
                for number, raw in table.rows():
                    report.total += 1
                    batch.append((number, dict(zip(headers, raw, strict=False))))
                    if len(batch) >= IMPORT_BATCH:
                        _check_batch(
                            batch, actor=actor, today=today, report=report, seen=seen, spill=spill
                        )
                        batch = []
                        if progress:
                            progress(report.total, "check")
                _check_batch(batch, actor=actor, today=today, report=report, seen=seen, spill=spill)
                del seen
        except ImportFileError as exc:
            report.file_problem(exc)
        if progress:
            progress(report.total, "check")
        if report.problems:
            report.problems.sort(
                key=lambda p: (
                    p.row,
                    RECORD_COLUMNS.index(p.column) if p.column in RECORD_COLUMNS else -1,
                )
            )
            report.created = report.skipped = 0
            return report
        if dry_run or not report.created:
            return report
        _append_imported(
            spill,
            actor=actor,
            filename=filename,
            sha256=_file_sha256(source),
            report=report,
            seen=ledger_length,
            progress=progress,
        )
        return report
    finally:
        if spill is not None:
            spill.close()


def _file_sha256(source) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
        return digest.hexdigest()
    with open(source, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def _append_imported(spill, *, actor, filename, sha256, report, seen=None, progress=None) -> None:
    # The ledger grew since the file was checked (e.g. the same file confirmed twice at once):
    # look again under the chain lock and skip what is in it now (SPEC §9: twice = no change).
    head = ledger.lock_head()
    recheck = head.length != seen
    fixed = {
        "entry_type": EntryType.ORIGINAL.value,
        "supersedes_id": None,
        "reason": "",
        "created_by_id": getattr(actor, "pk", None),
        "created_at": timezone.now(),
        "repaired_on": None,
    }
    written = 0

    def rows():
        nonlocal written
        for batch in spill.batches():
            if recheck:
                existing = _existing_keys({employer_id for employer_id, _c in batch})
                fresh = [(e, c) for e, c in batch if _key(e, c) not in existing]
                report.skipped += len(batch) - len(fresh)
                batch = fresh
            for employer_id, content in batch:
                yield {**content, **fixed, "employer_id": employer_id}
            written += len(batch)
            if progress:
                progress(written, "write")

    appended = ledger.append_rows(rows())
    report.created = appended.count
    if not appended.count:
        return
    # SPEC §3 [r2]: receivers act in this transaction (publication queues the dishonesty
    # information); the new entries are read back in ledger order, a chunk at a time.
    ledger_appended.send(
        sender=CreditRecord,
        entries=CreditRecord.objects.filter(pk__gte=appended.first_id, pk__lte=appended.last_id)
        .order_by("pk")
        .iterator(chunk_size=5000),
        superseded={},
        bulk=True,
    )
    path = getattr(getattr(actor, "jurisdiction", None), "path", "") if actor is not None else ""
    write_audit(
        actor=actor,
        action="credit_records.import",
        object_type="credit_records.CreditRecord",
        object_repr=_("导入信用记录文件 %(name)s") % {"name": filename},
        jurisdiction_path=path,
        after={
            "file": filename,
            "sha256": sha256,
            "created": report.created,
            "skipped": report.skipped,
            "ids": [appended.first_id, appended.last_id],
        },
    )
    first_id, last_id, count = appended.first_id, appended.last_id, appended.count
    # One signal for the whole file (grading queues one batched regrade of the employers
    # concerned), after the commit.
    transaction.on_commit(
        lambda: records_imported.send(
            sender=CreditRecord, first_id=first_id, last_id=last_id, count=count
        )
    )
