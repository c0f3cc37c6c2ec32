"""Every write of the objections app (STYLE.md: keyword-only services under
``@transaction.atomic``, each writing its audit row in the same transaction)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records import services as ledger_services
from credit_records.audit import write_audit
from credit_records.choices import RecordKind
from credit_records.classes import info_class
from credit_records.evidence import MAX_ATTACHMENTS_PER_UPLOAD, check_upload
from credit_records.kinds import CONTENT_FIELDS, clean_record
from credit_records.models import CreditRecord
from employers.choices import Role
from employers.models import User

from . import calendar, grading_bridge, workflow
from .calendar import CalendarNotLoaded, add_workdays
from .choices import (
    OPEN_STATUSES,
    Action,
    CalendarSource,
    DayKind,
    ObjectionGround,
    ObjectionKind,
    Outcome,
    RecordRemedy,
    RepairOutcome,
)
from .eligibility import LIST_KINDS, repair_eligibility
from .models import (
    CalendarDay,
    CalendarYear,
    CaseAttachment,
    CaseTransition,
    Notification,
    Objection,
    RepairApplication,
)
from .signals import calendar_year_loaded, case_closed

# Seed 000 第二十条: 3 working days from receipt, 10 when other departments must verify;
# corrected information pushed to the city platform within 5 working days.
OBJECTION_DAYS = 3
VERIFICATION_DAYS = 10
PLATFORM_DAYS = 5
# Interpretation: the seeds set no repair deadline; a repair needs the obligations checked with
# the departments concerned, so it gets the verification deadline of seed 000 第二十条.
REPAIR_DAYS = 10

# --------------------------------------------------------------------------------------------
# Working-day calendar (SPEC §6)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def enter_calendar_year(
    *,
    actor,
    year: int,
    notice_reference: str,
    holidays: list[tuple[datetime.date, str]],
    makeup_workdays: list[tuple[datetime.date, str]],
) -> CalendarYear:
    """Enter (or replace) a year's State Council holiday notice, audited.

    Holidays are days off (whatever weekday); make-up workdays (调休上班) are the weekend days
    worked. Deadlines flagged "期限待国务院公布节假日安排后复核" are recomputed in the same
    transaction, and ``calendar_year_loaded`` tells other apps after commit.
    """
    if actor is None or actor.role != Role.SYSADMIN:
        raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))
    _validate_notice(year, holidays, makeup_workdays)
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    days = CalendarDay.objects.filter(date__year=year)
    before = None
    if entry is not None:
        before = {
            "loaded": entry.loaded,
            "source": entry.source,
            "notice_reference": entry.notice_reference,
            "days": _days_json(days),
        }
    days.delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=False, kind=DayKind.HOLIDAY, name=n) for d, n in holidays]
        + [
            CalendarDay(date=d, is_workday=True, kind=DayKind.MAKEUP_WORKDAY, name=n)
            for d, n in makeup_workdays
        ]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "loaded": True,
            "source": CalendarSource.STATE_COUNCIL_NOTICE,
            "notice_reference": notice_reference,
            "entered_by": actor,
        },
    )
    write_audit(
        actor=actor,
        action="calendar.enter_year",
        obj=entry,
        object_repr=_("%(year)s年工作日历") % {"year": year},
        before=before,
        after={
            "loaded": True,
            "source": entry.source,
            "notice_reference": notice_reference,
            "days": _days_json(CalendarDay.objects.filter(date__year=year)),
        },
    )
    calendar.invalidate_now_and_on_commit()
    recompute_pending_deadlines(actor=actor)
    transaction.on_commit(lambda: calendar_year_loaded.send(sender=CalendarYear, year=year))
    return entry


def _validate_notice(year, holidays, makeup_workdays):
    problems = []
    seen = set()
    for day, _name in list(holidays) + list(makeup_workdays):
        if day.year != year:
            problems.append(_("%(day)s 不在 %(year)s 年内") % {"day": day, "year": year})
        if day in seen:
            problems.append(_("%(day)s 重复出现") % {"day": day})
        seen.add(day)
    for day, _name in makeup_workdays:
        if day.weekday() < 5:
            problems.append(_("调休上班日 %(day)s 不是周六或周日") % {"day": day})
    if not holidays:
        problems.append(_("至少应录入一个法定节假日"))
    if problems:
        raise ValidationError(problems)


def _days_json(days) -> list[list]:
    return [[d.date.isoformat(), d.kind, d.name] for d in days.order_by("date")]


def recompute_pending_deadlines(*, actor=None) -> int:
    """Compute the due dates flagged "期限待国务院公布节假日安排后复核" that the calendar now
    covers (called when a year is entered, and nightly). Returns how many were resolved."""
    resolved = 0
    for model in (Objection, RepairApplication):
        pending = model.objects.select_for_update().filter(
            due_date__isnull=True, due_pending_year__isnull=False
        )
        for case in pending:
            due_date, pending_year = due_for(case.received_on, case.due_days)
            if due_date is None and pending_year == case.due_pending_year:
                continue
            case.due_date, case.due_pending_year = due_date, pending_year
            case.save(update_fields=["due_date", "due_pending_year", "updated_at"])
            write_audit(
                actor=actor,
                action=f"{model._meta.model_name}.recompute_due",
                obj=case,
                jurisdiction_path=case.employer.jurisdiction.path,
                after={
                    "due_date": str(due_date) if due_date else None,
                    "due_pending_year": pending_year,
                },
            )
            resolved += due_date is not None
    return resolved


def due_for(start: datetime.date, days: int) -> tuple[datetime.date | None, int | None]:
    """(due date, None), or (None, the missing year) when the calendar cannot tell yet."""
    try:
        return add_workdays(start, days), None
    except CalendarNotLoaded as exc:
        return None, exc.year


def _today() -> datetime.date:
    return timezone.localdate()


# --------------------------------------------------------------------------------------------
# Filing (the employer)
# --------------------------------------------------------------------------------------------


def _require_applicant(actor, employer) -> None:
    if actor is None or actor.role != Role.EMPLOYER or actor.employer_id != employer.pk:
        raise PermissionDenied(_("只有该用人单位本单位的账号可以提出申请。"))


def _check_attachments(attachments) -> list[tuple]:
    attachments = [a for a in (attachments or ()) if a]
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


def _store_attachments(case, checked, actor) -> None:
    link = {"objection": case} if isinstance(case, Objection) else {"repair": case}
    for upload, content_type, sha256 in checked:
        attachment = CaseAttachment(
            original_name=upload.name[-200:],
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=actor,
            **link,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()


def _effective_record(employer, record) -> CreditRecord:
    current = (
        CreditRecord.objects.effective()
        .filter(employer=employer, pk=getattr(record, "pk", None))
        .select_related("employer__jurisdiction")
        .first()
    )
    if current is None:
        raise ValidationError({"record": _("该信用记录不存在、不属于本单位，或已被更正/作废。")})
    return current


def _create_case(case, *, actor, action_name: str, checked_attachments):
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise ValidationError(_("该记录已有正在办理的申请，请勿重复提交。")) from None
    _store_attachments(case, checked_attachments, actor)
    link = {"objection": case} if isinstance(case, Objection) else {"repair": case}
    CaseTransition.objects.create(
        action=Action.FILE, from_status="", to_status=case.status, actor=actor, **link
    )
    write_audit(
        actor=actor,
        action=action_name,
        obj=case,
        jurisdiction_path=case.employer.jurisdiction.path,
        after={
            "status": case.status,
            "reasons": case.reasons,
            "due_date": str(case.due_date) if case.due_date else None,
            "attachments": [c[0].name for c in checked_attachments],
        },
    )
    return case


@transaction.atomic
def file_objection(
    *,
    actor,
    employer,
    kind: str,
    ground: str,
    reasons: str,
    record=None,
    grade_id: int | None = None,
    attachments=(),
    today: datetime.date | None = None,
) -> Objection:
    """An employer objects to one of its credit records, to its grade while the cycle is in
    public notice, or asks for re-evaluation (复评) of a published grade (seed 000 第十九条;
    seed 003 二(四)). Due 3 working days after receipt (seed 000 第二十条)."""
    _require_applicant(actor, employer)
    today = today or _today()
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写异议理由。")})
    if ground not in ObjectionGround.values:
        raise ValidationError({"ground": _("请选择异议事由。")})
    objection = Objection(
        employer=employer,
        kind=kind,
        ground=ground,
        reasons=reasons,
        received_on=today,
        due_days=OBJECTION_DAYS,
        filed_by=actor,
    )
    if kind == ObjectionKind.RECORD:
        objection.record = _effective_record(employer, record)
        if Objection.objects.filter(record=objection.record, status__in=OPEN_STATUSES).exists():
            raise ValidationError(_("该记录已有正在办理的异议，请勿重复提交。"))
    elif kind in (ObjectionKind.GRADE, ObjectionKind.RE_EVALUATION):
        grades = {g.grade_id: g for g in grading_bridge.disputable_grades(employer, kind=kind)}
        if grade_id not in grades or not grading_bridge.lock_grade_cycle(grade_id, kind=kind):
            raise ValidationError(
                {
                    "grade": _(
                        "该等级当前不能提出异议（仅公示期内可对等级提出异议，公布后可申请复评）。"
                    )
                }
            )
        if Objection.objects.filter(
            employer=employer, grade_id_ref=grade_id, status__in=OPEN_STATUSES
        ).exists():
            raise ValidationError(_("该等级已有正在办理的申请，请勿重复提交。"))
        objection.grade_id_ref = grade_id
        objection.grade_label = grades[grade_id].label
    else:
        raise ValidationError({"kind": _("异议类型无效。")})
    checked = _check_attachments(attachments)
    objection.due_date, objection.due_pending_year = due_for(today, OBJECTION_DAYS)
    return _create_case(
        objection, actor=actor, action_name="objection.file", checked_attachments=checked
    )


def _case_records(record) -> list[CreditRecord]:
    if not record.case_no:
        return []
    return list(
        CreditRecord.objects.effective()
        .filter(employer_id=record.employer_id, case_no=record.case_no)
        .exclude(pk=record.pk)
    )


def _new_arrears_since(record, corrected_on) -> bool:
    if record.kind != RecordKind.WAGE_ARREARS_BLACKLIST or corrected_on is None:
        return False
    later = (
        CreditRecord.objects.effective()
        .filter(employer_id=record.employer_id, date__gt=corrected_on)
        .exclude(pk=record.pk)
    )
    return (
        later.filter(kind=RecordKind.WAGE_ARREARS_BLACKLIST).exists()
        or later.filter(kind=RecordKind.VIOLATION, category="wages").exists()
    )


def check_repair_eligibility(*, record, corrected_on, commitment_signed, today=None, filed_on=None):
    """``eligibility.repair_eligibility`` with the related facts read from the ledger; judged by
    the policy in force on ``filed_on`` (default today: a new application)."""
    today = today or _today()
    return repair_eligibility(
        record,
        today=today,
        corrected_on=corrected_on,
        commitment_signed=commitment_signed,
        case_records=_case_records(record),
        new_arrears_since_correction=_new_arrears_since(record, corrected_on),
        filed_on=filed_on or today,
    )


def refusal_messages(result) -> list[str]:
    """Why an application is refused: the note (e.g. the first allowed day, or who removes the
    record) and every unmet condition."""
    unmet = [
        c.label + (_("（%(text)s）") % {"text": c.detail} if c.detail else "")
        for c in result.conditions
        if not c.met
    ]
    return ([result.note] if result.note else []) + unmet


@transaction.atomic
def apply_for_repair(
    *,
    actor,
    employer,
    record,
    corrected_on: datetime.date,
    commitment_signed: bool,
    reasons: str,
    attachments=(),
    today: datetime.date | None = None,
) -> RepairApplication:
    """An employer applies for credit repair of one dishonesty record (SPEC §7). Refused with
    the unmet conditions when it is not eligible yet."""
    _require_applicant(actor, employer)
    today = today or _today()
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请说明纠正失信行为、履行义务的情况。")})
    record = _effective_record(employer, record)
    result = check_repair_eligibility(
        record=record, corrected_on=corrected_on, commitment_signed=commitment_signed, today=today
    )
    if not result.eligible:
        raise ValidationError(refusal_messages(result))
    if RepairApplication.objects.filter(record=record, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("该记录已有正在办理的修复申请，请勿重复提交。"))
    checked = _check_attachments(attachments)
    application = RepairApplication(
        employer=employer,
        record=record,
        corrected_on=corrected_on,
        commitment_signed=commitment_signed,
        reasons=reasons,
        received_on=today,
        due_days=REPAIR_DAYS,
        filed_by=actor,
        eligibility=result.as_json(),
    )
    application.due_date, application.due_pending_year = due_for(today, REPAIR_DAYS)
    return _create_case(
        application, actor=actor, action_name="repairapplication.file", checked_attachments=checked
    )


# --------------------------------------------------------------------------------------------
# Handling (inspector), approval (supervisor), withdrawal (employer)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def accept(*, actor, case, note: str = ""):
    """The inspector accepts (受理) an objection or a repair application."""
    return workflow.apply_transition(case, Action.ACCEPT, actor=actor, note=note, accepted_by=actor)


@transaction.atomic
def mark_needs_verification(*, actor, objection, note: str):
    """Other departments must verify: the deadline becomes 10 working days from receipt
    (seed 000 第二十条)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明需核查的部门和事项。")})
    due_date, pending_year = due_for(objection.received_on, VERIFICATION_DAYS)
    return workflow.apply_transition(
        objection,
        Action.NEEDS_VERIFICATION,
        actor=actor,
        note=note,
        needs_verification=True,
        due_days=VERIFICATION_DAYS,
        due_date=due_date,
        due_pending_year=pending_year,
        overdue=False,
    )


CORRECTABLE_FIELDS = (
    "date",
    "end_date",
    "case_no",
    "document_no",
    "severity",
    "category",
    "rectification",
    "performance",
    "procedure",
    "mitigation",  # SPEC §3 [r2]
    "summary",
)


def _validated_corrections(record, corrections: dict, today) -> dict:
    corrections = {k: v for k, v in (corrections or {}).items() if v not in (None, "")}
    unknown = set(corrections) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {"corrections": _("不能更正的字段：%(f)s") % {"f": _("、").join(unknown)}}
        )
    if not corrections:
        raise ValidationError({"corrections": _("请填写更正后的内容。")})
    values = {f: getattr(record, f) for f in CONTENT_FIELDS}
    for key, value in corrections.items():
        if key in ("date", "end_date") and isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(
                    {"corrections": _("日期“%(v)s”格式不正确") % {"v": value}}
                ) from None
        values[key] = value
    content = clean_record(values, today=today)
    if all(content[f] == getattr(record, f) for f in CONTENT_FIELDS):
        raise ValidationError({"corrections": _("更正后的内容与原记录相同。")})
    return {
        k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in corrections.items()
    }


@transaction.atomic
def decide(
    *,
    actor,
    objection,
    outcome: str,
    reasons: str,
    remedy: str = "",
    corrections: dict | None = None,
    new_grade: str = "",
):
    """The inspector's decision: upheld, partly upheld or rejected, with reasons; for a record,
    whether it is voided or corrected (and how); for a grade, the corrected grade (required when
    a grade objection is upheld, optional when partly upheld; a grade of the disputed grade's
    rule set). Takes effect when the supervisor approves."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写处理意见及理由。")})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择处理结果。")})
    remedy = remedy or ""
    stored_corrections: dict = {}
    if objection.kind == ObjectionKind.RECORD and outcome != Outcome.REJECTED:
        if outcome == Outcome.UPHELD and remedy not in (RecordRemedy.VOID, RecordRemedy.CORRECT):
            raise ValidationError({"remedy": _("异议成立时应作废或更正该记录。")})
        if outcome == Outcome.PARTLY_UPHELD and remedy != RecordRemedy.CORRECT:
            raise ValidationError({"remedy": _("部分成立时应更正该记录。")})
        if remedy == RecordRemedy.CORRECT:
            stored_corrections = _validated_corrections(objection.record, corrections, _today())
    elif remedy:
        raise ValidationError({"remedy": _("该处理结果不变更信用记录。")})
    new_grade = _validated_new_grade(objection, outcome, (new_grade or "").strip())
    return workflow.apply_transition(
        objection,
        Action.DECIDE,
        actor=actor,
        note=reasons,
        outcome=outcome,
        decision_reasons=reasons,
        remedy=remedy,
        corrections=stored_corrections,
        new_grade=new_grade,
        decided_by=actor,
        decided_at=timezone.now(),
    )


def _validated_new_grade(objection, outcome: str, new_grade: str) -> str:
    if objection.kind == ObjectionKind.RECORD or outcome == Outcome.REJECTED:
        if new_grade:
            raise ValidationError({"new_grade": _("该处理结果不调整等级。")})
        return ""
    if not new_grade:
        if objection.kind == ObjectionKind.GRADE and outcome == Outcome.UPHELD:
            raise ValidationError({"new_grade": _("异议成立时应填写调整后的等级。")})
        return ""
    allowed = grading_bridge.allowed_new_grades(objection)
    if new_grade not in allowed:
        raise ValidationError(
            {"new_grade": _("等级“%(value)s”无效，应为：%(allowed)s")
             % {"value": new_grade, "allowed": _("、").join(allowed)}}
        )  # fmt: skip
    if new_grade == grading_bridge.current_cycle_grade(objection):
        raise ValidationError({"new_grade": _("调整后的等级与当前等级相同。")})
    return new_grade


@transaction.atomic
def decide_repair(*, actor, application, outcome: str, reasons: str):
    """The inspector's decision on a repair application (re-checking eligibility today)."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写处理意见及理由。")})
    if outcome not in RepairOutcome.values:
        raise ValidationError({"outcome": _("请选择处理结果。")})
    if outcome == RepairOutcome.APPROVED:
        result = check_repair_eligibility(
            record=application.record,
            corrected_on=application.corrected_on,
            commitment_signed=application.commitment_signed,
            filed_on=application.received_on,
        )
        if not result.eligible:
            raise ValidationError(_("该记录当前不符合信用修复条件，不能准予修复。"))
    return workflow.apply_transition(
        application,
        Action.DECIDE,
        actor=actor,
        note=reasons,
        outcome=outcome,
        decision_reasons=reasons,
        decided_by=actor,
        decided_at=timezone.now(),
    )


@transaction.atomic
def return_decision(*, actor, case, note: str):
    """The supervisor sends a decision back for rework (the deadline keeps running)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明退回理由。")})
    return workflow.apply_transition(
        case,
        Action.RETURN,
        actor=actor,
        note=note,
        outcome="",
        decided_by=None,
        decided_at=None,
    )


@transaction.atomic
def withdraw(*, actor, case, note: str = ""):
    """The employer withdraws its application before a decision."""
    return workflow.apply_transition(case, Action.WITHDRAW, actor=actor, note=note)


@transaction.atomic
def approve_decision(*, actor, case, note: str = ""):
    """The supervisor approves the decision; it takes effect now (SPEC §7): an upheld objection
    voids or corrects the record through the ledger (which regrades the employer after commit),
    an approved repair ends the record's publicity; the corrected information is queued for the
    platform within 5 working days; the employer is told the result."""
    today = _today()
    case = workflow.apply_transition(
        case, Action.APPROVE, actor=actor, note=note, approved_by=actor, closed_on=today
    )
    if isinstance(case, Objection):
        changed = _give_effect_to_objection(case, actor)
    else:
        changed = _give_effect_to_repair(case, actor, today)
    if changed:
        case.platform_due_date, _pending = due_for(today, PLATFORM_DAYS)
        case.save(
            update_fields=["ledger_entry", "platform_due_date", "updated_at"]
            + (["publicity_ends_on"] if isinstance(case, RepairApplication) else [])
        )
        _queue_platform_push(case)
    _tell_employer(case)
    transaction.on_commit(
        lambda: case_closed.send(sender=type(case), case=case, outcome=case.outcome)
    )
    return case


def _ledger_reason(case) -> str:
    label = _("异议") if isinstance(case, Objection) else _("信用修复申请")
    return _("依%(label)s #%(pk)s 的处理决定：%(reasons)s") % {
        "label": label,
        "pk": case.pk,
        "reasons": case.decision_reasons,
    }


def _give_effect_to_objection(objection: Objection, actor) -> bool:
    if objection.outcome == Outcome.REJECTED:
        return False
    if objection.kind == ObjectionKind.RECORD:
        if objection.remedy == RecordRemedy.VOID:
            entry = ledger_services.void_record(
                actor=actor, record=objection.record, reason=_ledger_reason(objection)
            )
        else:
            entry = ledger_services.correct_record(
                actor=actor,
                record=objection.record,
                reason=_ledger_reason(objection),
                **objection.corrections,
            )
        objection.ledger_entry = entry
        return True
    grading_bridge.give_effect_to_grade_decision(
        objection=objection, actor=actor, reason=_ledger_reason(objection)
    )
    return True


def _give_effect_to_repair(application: RepairApplication, actor, today) -> bool:
    """SPEC §7 [r2]: an approved repair is a ``repair`` ledger entry dated today (the record no
    longer counts in any grade with as_of ≥ today; grades before stay as stored). The ledger's
    ``record_changed`` regrades the employer right after commit, and ``case_closed`` lets
    publication propose a dated adjustment of a published grade it changes. A blacklisting is
    also removed from the list today (人社部令第45号 第十二条 early removal)."""
    if application.outcome != RepairOutcome.APPROVED:
        return False
    application.publicity_ends_on = today
    record = application.record
    application.ledger_entry = ledger_services.repair_record(
        actor=actor,
        record=record,
        repaired_on=today,
        reason=_ledger_reason(application),
        end_date=today if record.kind in LIST_KINDS else None,
        today=today,
    )
    return True


def _queue_platform_push(case) -> None:
    """Queue the corrected information for the city platform (seed 000 第二十条: within 5
    working days), in this transaction (publication's transactional outbox)."""
    from publication.outbox import enqueue

    employer = case.employer
    record = case.record
    entry = case.ledger_entry
    if isinstance(case, Objection):
        topic, key = "objection.decided", f"{employer.uscc}:objection:{case.pk}"
    else:
        topic, key = "record.repaired", f"{employer.uscc}:repair:{case.pk}"
    payload = {
        "uscc": employer.uscc,
        "name": employer.name,
        "case": {
            "type": case._meta.model_name,
            "id": case.pk,
            "outcome": case.outcome,
            "reasons": case.decision_reasons,
            "closed_on": str(case.closed_on),
        },
        "due_by": str(case.platform_due_date) if case.platform_due_date else None,
    }
    if record is not None:
        payload["record"] = {
            "id": record.pk,
            "kind": record.kind,
            "date": str(record.date),
            "document_no": record.document_no,
            "info_class": str(info_class(record)),
        }
    if entry is not None:
        payload["ledger_entry"] = {
            "id": entry.pk,
            "entry_type": entry.entry_type,
            "info_class": str(info_class(entry)),
        }
    if isinstance(case, RepairApplication):
        payload["publicity_ends_on"] = str(case.publicity_ends_on)
    if isinstance(case, Objection) and case.grade_label:
        payload["grade"] = {"id": case.grade_id_ref, "label": case.grade_label}
    enqueue(topic=topic, key=key, payload=payload, jurisdiction_path=employer.jurisdiction.path)


# --------------------------------------------------------------------------------------------
# Notifications: in the application and by e-mail (Django's mail settings), after commit
# --------------------------------------------------------------------------------------------


def case_url(case) -> str:
    if isinstance(case, Objection):
        return reverse("objections:detail", args=[case.pk])
    return reverse("objections:repair_detail", args=[case.pk])


def notify(*, users, key: str, subject: str, body: str, url: str = "") -> list[Notification]:
    """One in-app message per user (once per ``key``) and an e-mail after commit for the new
    ones. Returns the messages created now."""
    created = []
    for user in users:
        message, is_new = Notification.objects.get_or_create(
            recipient=user,
            key=key[:120],
            defaults={"subject": subject[:200], "body": body, "url": url},
        )
        if is_new:
            created.append(message)
    recipients = sorted({m.recipient.email for m in created if m.recipient.email})
    if recipients:
        transaction.on_commit(
            lambda: send_mail(
                subject,
                f"{body}\n\n{url}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                recipients,
                fail_silently=True,
            )
        )
    return created


def _tell_employer(case) -> None:
    users = User.objects.filter(role=Role.EMPLOYER, employer_id=case.employer_id, is_active=True)
    outcome = case.get_outcome_display()
    subject = _("%(case)s 已办结：%(outcome)s") % {"case": _case_title(case), "outcome": outcome}
    body = _("处理结果：%(outcome)s\n处理意见及理由：%(reasons)s") % {
        "outcome": outcome,
        "reasons": case.decision_reasons,
    }
    notify(
        users=users,
        key=f"closed:{case._meta.model_name}:{case.pk}",
        subject=subject,
        body=body,
        url=case_url(case),
    )


def _case_title(case) -> str:
    if isinstance(case, Objection):
        return _("您单位的%(kind)s（编号 %(pk)s）") % {
            "kind": case.get_kind_display(),
            "pk": case.pk,
        }
    return _("您单位的信用修复申请（编号 %(pk)s）") % {"pk": case.pk}


# --------------------------------------------------------------------------------------------
# End of publicity at the maximum period (SPEC §7 [r2])
# --------------------------------------------------------------------------------------------

PUBLICITY_BATCH = 2000
TOPIC_PUBLICITY_ENDED = "record.publicity_ended"


def _publicity_candidates(today: datetime.date):
    """Effective dishonesty-kind records, not repaired, not yet ended, old enough that some
    maximum period may have passed (the shortest maximum is one year)."""
    from credit_records.classes import DISHONESTY_KINDS
    from credit_records.periods import add_years

    return (
        CreditRecord.objects.effective()
        .filter(kind__in=DISHONESTY_KINDS, repaired_on__isnull=True, date__lt=add_years(today, -1))
        .filter(publicity_end__isnull=True)
        .select_related("employer__jurisdiction")
        .order_by("pk")
    )


def end_expired_publicity(*, today: datetime.date | None = None) -> int:
    """The nightly task (SPEC §7 [r2]): end the publicity of every dishonesty record whose
    maximum period has passed — general 1 year, serious 3 years, the blacklist at its expiry —
    record it (``PublicityEnd``, audited) and queue one "publicity ended" message for the
    platform, in the same transaction. Nobody applies for it. Safe to run twice: a record is
    ended once (one row per record). Returns how many records were ended."""
    from publication.outbox import enqueue_many

    from .eligibility import policy_for, publicity_last_day
    from .models import PublicityEnd

    today = today or _today()
    policy = policy_for(today)
    ended = 0
    last_id = 0
    while True:
        chunk = list(_publicity_candidates(today).filter(pk__gt=last_id)[:PUBLICITY_BATCH])
        if not chunk:
            break
        last_id = chunk[-1].pk
        due = []
        for record in chunk:
            last_day = publicity_last_day(record, policy)
            if last_day is None or last_day >= today:
                continue
            if record.end_date is not None and record.end_date <= last_day:
                continue  # removed from its list before: its publicity ended then
            due.append((record, last_day))
        if not due:
            continue
        with transaction.atomic():
            PublicityEnd.objects.bulk_create(
                [
                    PublicityEnd(
                        record=record,
                        employer_id=record.employer_id,
                        info_class=str(info_class(record)),
                        last_day=last_day,
                        ended_on=today,
                        policy=policy.label,
                    )
                    for record, last_day in due
                ]
            )
            enqueue_many(
                {
                    "topic": TOPIC_PUBLICITY_ENDED,
                    "key": f"{record.employer.uscc}:record:{record.pk}:publicity_ended",
                    "payload": {
                        "uscc": record.employer.uscc,
                        "name": record.employer.name,
                        "record": {
                            "id": record.pk,
                            "kind": record.kind,
                            "date": record.date.isoformat(),
                            "document_no": record.document_no,
                            "info_class": str(info_class(record)),
                        },
                        "publicity_last_day": last_day.isoformat(),
                        "ended_on": today.isoformat(),
                        "policy": policy.label,
                    },
                    "jurisdiction_path": record.employer.jurisdiction.path,
                }
                for record, last_day in due
            )
            write_audit(
                actor=None,
                action="repair.publicity_ended",
                object_type="objections.PublicityEnd",
                object_repr=_("公示期满停止公示 %(n)d 条") % {"n": len(due)},
                after={
                    "records": [record.pk for record, _last in due],
                    "ended_on": today.isoformat(),
                    "policy": policy.label,
                },
            )
        ended += len(due)
    return ended
