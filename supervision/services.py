"""Writes of the supervision app (STYLE.md: keyword-only, ``@transaction.atomic``, the audit entry
in the same transaction). Credit records are written only through ``credit_records.services``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from credit_records.choices import RecordKind, Source
from credit_records.models import CreditRecord
from credit_records.periods import cn_date as _date_label
from credit_records.services import add_record
from employers.choices import Role
from employers.models import Employer, Jurisdiction, User
from employers.selectors import scope_by_employer, visible_jurisdictions

from . import letters, selectors
from .choices import PlanStatus
from .models import CommitmentLetter, CommitmentReminder, PatrolPlan, PatrolTask
from .sampling import GRADES, Draw, DrawError, draw_patrol

PLANNERS = (Role.INSPECTOR, Role.SUPERVISOR)
MAX_SEED = 2**63 - 1
RATIO_FIELDS = {
    "A": "ratio_a",
    "B": "ratio_b",
    "C": "ratio_c",
    "D": "ratio_d",
    "": "ratio_ungraded",
}


def _today() -> dt.date:
    return timezone.localdate()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- patrol plans -------------------------------------------------------------------------------


def new_seed() -> int:
    return secrets.randbelow(10**9)


def clean_ratios(ratios) -> dict[str, Decimal]:
    """Per-cent ratios for every grade, each 0–100."""
    cleaned, errors = {}, {}
    for grade in GRADES:
        field = RATIO_FIELDS[grade]
        raw = ratios.get(grade)
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            errors[field] = _("抽查比例“%(value)s”不是数字") % {"value": raw}
            continue
        if not Decimal(0) <= value <= Decimal(100):
            errors[field] = _("抽查比例“%(value)s”应在 0 到 100 之间") % {"value": raw}
            continue
        cleaned[grade] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_planner(actor, jurisdiction: Jurisdiction) -> None:
    if actor is None:
        return  # the system (command line)
    if not actor.has_role(*PLANNERS):
        raise PermissionDenied(_("只有监察员或监察机构负责人可以制定巡查计划"))
    if not visible_jurisdictions(actor).filter(pk=jurisdiction.pk).exists():
        raise PermissionDenied(_("该辖区不在您的管辖范围内"))


def _validate_period(period_from, period_to) -> None:
    if not isinstance(period_from, dt.date) or not isinstance(period_to, dt.date):
        raise ValidationError({"period_from": _("请填写计划期间")})
    if period_from > period_to:
        raise ValidationError(
            {
                "period_to": _("计划期间止“%(to)s”早于计划期间起“%(from)s”")
                % {"to": _date_label(period_to), "from": _date_label(period_from)}
            }
        )


def _refuse_overlap(jurisdiction: Jurisdiction, period_from, period_to) -> None:
    """One plan per jurisdiction and period: an overlapping plan is refused (checked under a lock
    on the jurisdiction row, so two draws at once cannot both pass)."""
    Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).first()
    existing = (
        PatrolPlan.objects.filter(
            jurisdiction=jurisdiction, period_from__lte=period_to, period_to__gte=period_from
        )
        .exclude(status=PlanStatus.FAILED)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            _("%(j)s 已有巡查计划（%(from)s至%(to)s），与该期间重叠，不能重复抽取")
            % {
                "j": jurisdiction.name,
                "from": _date_label(existing.period_from),
                "to": _date_label(existing.period_to),
            }
        )


@dataclass
class DrawOutcome:
    draw: Draw
    plan: PatrolPlan | None  # None for a dry run


def _plan_row(*, actor, jurisdiction, period_from, period_to, seed, ratios, status) -> PatrolPlan:
    plan = PatrolPlan(
        jurisdiction=jurisdiction,
        period_from=period_from,
        period_to=period_to,
        seed=seed,
        ruleset_codes=selectors.jurisdiction_rulesets(jurisdiction, period_from),
        status=status,
        created_by=_user(actor),
    )
    for grade, value in ratios.items():
        setattr(plan, RATIO_FIELDS[grade], value)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError(
            _("%(j)s 该期间的巡查计划已经存在，不能重复抽取") % {"j": jurisdiction.name}
        ) from None
    return plan


def _validate(jurisdiction, period_from, period_to, seed, ratios):
    _validate_period(period_from, period_to)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(
            {"seed": _("随机种子应为 0 到 %(max)d 之间的整数") % {"max": MAX_SEED}}
        )
    if ratios is None:
        ratios = selectors.default_ratios(
            selectors.jurisdiction_rulesets(jurisdiction, period_from)
        )
    return clean_ratios(ratios)


def compute_draw(jurisdiction: Jurisdiction, *, seed: int, ratios) -> tuple[Draw, object]:
    """The draw for ``jurisdiction`` from today's data (no writes)."""
    inputs = selectors.draw_inputs(jurisdiction)
    draw = draw_patrol(
        seed=seed, ratios=ratios, candidates=inputs.candidates, inspectors=inputs.inspectors
    )
    return draw, inputs


def _store_tasks(plan: PatrolPlan, draw: Draw, inputs) -> None:
    tasks = [
        PatrolTask(
            plan=plan,
            employer_id=inputs.employer_ids[row.uscc],
            grade=row.grade,
            ruleset_code=inputs.ruleset_by_uscc.get(row.uscc, ""),
            reason=row.reason,
            inspector_1_id=inputs.user_ids[row.inspectors[0]],
            inspector_2_id=inputs.user_ids[row.inspectors[1]],
            due_on=plan.period_to,
        )
        for row in draw.rows
    ]
    PatrolTask.objects.bulk_create(tasks, batch_size=2000)
    plan.counts = [
        {"grade": c.grade, "candidates": c.candidates, "ratio": str(c.ratio), "drawn": c.drawn}
        for c in draw.counts
    ]
    plan.candidates_sha256 = draw.candidates_sha256
    plan.inspectors_sha256 = draw.inspectors_sha256
    plan.status = PlanStatus.DRAWN
    plan.drawn_at = timezone.now()
    plan.error = ""
    plan.save(
        update_fields=[
            "counts",
            "candidates_sha256",
            "inspectors_sha256",
            "status",
            "drawn_at",
            "error",
        ]
    )


def _audit_draw(actor, plan: PatrolPlan, draw: Draw) -> None:
    write_audit(
        actor=actor,
        action="supervision.plan_draw",
        obj=plan,
        jurisdiction_path=plan.jurisdiction.path,
        after={
            "seed": plan.seed,
            "period": [plan.period_from.isoformat(), plan.period_to.isoformat()],
            "ratios": {g or "ungraded": str(v) for g, v in plan.ratios().items()},
            "counts": plan.counts,
            "tasks": len(draw.rows),
            "candidates_sha256": draw.candidates_sha256,
            "inspectors_sha256": draw.inspectors_sha256,
        },
    )


@transaction.atomic
def draw_plan(
    *,
    actor,
    jurisdiction: Jurisdiction,
    period_from: dt.date,
    period_to: dt.date,
    seed: int,
    ratios=None,
    dry_run: bool = False,
) -> DrawOutcome:
    """Draw a patrol plan now (``manage.py draw_sample patrol``): validate, draw, and — unless
    ``dry_run`` — store the plan and its tasks. Raises ValidationError (nothing written) when the
    inputs are wrong, a plan for an overlapping period exists, or the draw is impossible."""
    _check_planner(actor, jurisdiction)
    ratios = _validate(jurisdiction, period_from, period_to, seed, ratios)
    if not dry_run:
        _refuse_overlap(jurisdiction, period_from, period_to)
    try:
        draw, inputs = compute_draw(jurisdiction, seed=seed, ratios=ratios)
    except DrawError as exc:
        raise ValidationError(str(exc)) from None
    if dry_run:
        return DrawOutcome(draw=draw, plan=None)
    plan = _plan_row(
        actor=actor,
        jurisdiction=jurisdiction,
        period_from=period_from,
        period_to=period_to,
        seed=seed,
        ratios=ratios,
        status=PlanStatus.DRAWING,
    )
    _store_tasks(plan, draw, inputs)
    _audit_draw(actor, plan, draw)
    return DrawOutcome(draw=draw, plan=plan)


@transaction.atomic
def create_plan(
    *,
    actor,
    jurisdiction: Jurisdiction,
    period_from: dt.date,
    period_to: dt.date,
    ratios=None,
    seed: int | None = None,
) -> PatrolPlan:
    """The page's way: the plan row now (status 抽取中), the draw in the background
    (``tasks.draw_plan_task`` after commit), so a large jurisdiction never holds a request."""
    from . import tasks

    _check_planner(actor, jurisdiction)
    seed = new_seed() if seed is None else seed
    ratios = _validate(jurisdiction, period_from, period_to, seed, ratios)
    _refuse_overlap(jurisdiction, period_from, period_to)
    plan = _plan_row(
        actor=actor,
        jurisdiction=jurisdiction,
        period_from=period_from,
        period_to=period_to,
        seed=seed,
        ratios=ratios,
        status=PlanStatus.DRAWING,
    )
    write_audit(
        actor=actor,
        action="supervision.plan_create",
        obj=plan,
        jurisdiction_path=jurisdiction.path,
        after={
            "seed": seed,
            "period": [period_from.isoformat(), period_to.isoformat()],
            "ratios": {g or "ungraded": str(v) for g, v in ratios.items()},
        },
    )
    transaction.on_commit(lambda: tasks.draw_plan_task.delay(plan.pk))
    return plan


def run_pending_draw(plan_id: int) -> PatrolPlan:
    """Draw a plan created by ``create_plan`` (the Celery task). Idempotent: a plan already drawn
    is left alone. A draw that cannot be made marks the plan failed with the reason."""
    with transaction.atomic():
        plan = PatrolPlan.objects.select_for_update().select_related("jurisdiction").get(pk=plan_id)
        if plan.status != PlanStatus.DRAWING:
            return plan
        try:
            draw, inputs = compute_draw(plan.jurisdiction, seed=plan.seed, ratios=plan.ratios())
        except DrawError as exc:
            plan.status = PlanStatus.FAILED
            plan.error = str(exc)
            plan.save(update_fields=["status", "error"])
            write_audit(
                actor=plan.created_by,
                action="supervision.plan_failed",
                obj=plan,
                jurisdiction_path=plan.jurisdiction.path,
                note=plan.error,
            )
            return plan
        _store_tasks(plan, draw, inputs)
        _audit_draw(plan.created_by, plan, draw)
    return plan


# --- patrol tasks ---------------------------------------------------------------------------------


def can_close(user, task: PatrolTask) -> bool:
    """The two drawn inspectors, or a supervisor of the jurisdiction, enter the result."""
    if not getattr(user, "is_authenticated", False) or not user.can_write_credit:
        return False
    if user.pk in task.inspector_ids():
        return True
    return user.role == Role.SUPERVISOR and (
        scope_by_employer(Employer.objects.filter(pk=task.employer_id), user).exists()
    )


def patrol_summary(task: PatrolTask) -> str:
    return _("双随机抽查：%(plan)s；检查人员：%(a)s、%(b)s") % {
        "plan": task.plan,
        "a": task.inspector_1,
        "b": task.inspector_2,
    }


@transaction.atomic
def close_task(
    *,
    actor,
    task: PatrolTask,
    date,
    result: str,
    case_no: str = "",
    document_no: str = "",
    summary: str = "",
    department: str = "",
    attachments=(),
) -> PatrolTask:
    """Close a patrol task by entering its ``patrol_inspection`` record in the ledger. Sending the
    form twice adds one record: the task row is locked and must still be open."""
    task = (
        PatrolTask.objects.select_for_update()
        .select_related("plan", "plan__jurisdiction", "employer", "inspector_1", "inspector_2")
        .get(pk=task.pk)
    )
    if not can_close(actor, task):
        raise PermissionDenied(_("只有抽中的检查人员或监察机构负责人可以录入该任务的检查结果"))
    if task.record_id:
        raise ValidationError(_("该巡查任务已完成，检查结果已录入，不能重复录入"))
    if task.plan.status != PlanStatus.DRAWN:
        raise ValidationError(_("巡查计划尚未抽取完成"))
    if isinstance(date, dt.date) and date < task.plan.period_from:
        raise ValidationError(
            {
                "date": _("检查日期“%(date)s”早于计划期间起“%(start)s”")
                % {"date": _date_label(date), "start": _date_label(task.plan.period_from)}
            }
        )
    record = add_record(
        actor=actor,
        employer=task.employer,
        kind=RecordKind.PATROL_INSPECTION,
        date=date,
        result=result,
        source=Source.PATROL,
        case_no=case_no,
        document_no=document_no,
        summary=summary,
        department=department,
        attachments=attachments,
    )
    task.record = record
    task.closed_at = timezone.now()
    task.closed_by = actor
    task.save(update_fields=["record", "closed_at", "closed_by"])
    write_audit(
        actor=actor,
        action="supervision.task_close",
        obj=task,
        jurisdiction_path=task.employer.jurisdiction.path,
        after={"plan": task.plan_id, "record": record.pk, "result": result},
    )
    return task


def on_patrol_records_imported(*, first_id: int, last_id: int) -> None:
    """The patrol inspections of an imported file close their tasks (``records_imported``).

    Only the file's patrol inspections of employers with an open task are read, a chunk at a
    time: a file of 350,000 records holds few of them."""
    open_tasks = PatrolTask.objects.filter(
        record__isnull=True, plan__status=PlanStatus.DRAWN
    ).values("employer_id")
    records = (
        CreditRecord.objects.filter(
            pk__gte=first_id,
            pk__lte=last_id,
            kind=RecordKind.PATROL_INSPECTION,
            employer_id__in=open_tasks,
        )
        .select_related("created_by")
        .order_by("pk")
    )
    for record in records.iterator(chunk_size=2000):
        on_patrol_record(record=record, action="add")


def on_patrol_record(*, record, action: str) -> None:
    """Keep tasks in step with the ledger (``credit_records.signals.record_changed``):

    - a ``patrol_inspection`` added for an employer with an open task, dated in the task's plan
      period, closes it (the inspector may enter it from the employer page as well);
    - a correction moves the task to the correcting entry; a void reopens the task.
    """
    if record is None or record.kind != RecordKind.PATROL_INSPECTION:
        return
    with transaction.atomic():
        if action == "add":
            task = (
                PatrolTask.objects.select_for_update()
                .filter(
                    employer_id=record.employer_id,
                    record__isnull=True,
                    plan__status=PlanStatus.DRAWN,
                    plan__period_from__lte=record.date,
                    plan__period_to__gte=record.date,
                )
                .select_related("employer__jurisdiction")
                .order_by("due_on", "pk")
                .first()
            )
            if task is None:
                return
            task.record = record
            task.closed_at = timezone.now()
            task.closed_by = record.created_by
            task.save(update_fields=["record", "closed_at", "closed_by"])
            write_audit(
                actor=record.created_by,
                action="supervision.task_close",
                obj=task,
                jurisdiction_path=task.employer.jurisdiction.path,
                after={"plan": task.plan_id, "record": record.pk, "result": record.result},
                note=_("由信用记录中的日常巡视检查记录完成"),
            )
        elif action in ("correct", "void") and record.supersedes_id:
            task = (
                PatrolTask.objects.select_for_update()
                .filter(record_id=record.supersedes_id)
                .select_related("employer__jurisdiction")
                .first()
            )
            if task is None:
                return
            before = {"record": task.record_id}
            if action == "void":
                task.record, task.closed_at, task.closed_by = None, None, None
                note = _("巡查记录已作废，任务重新打开")
            else:
                task.record = record
                note = _("巡查记录已更正，任务改为指向更正后的记录")
            task.save(update_fields=["record", "closed_at", "closed_by"])
            write_audit(
                actor=record.created_by,
                action="supervision.task_reopen" if action == "void" else "supervision.task_link",
                obj=task,
                jurisdiction_path=task.employer.jurisdiction.path,
                before=before,
                after={"record": task.record_id},
                note=note,
            )


# --- registry freshness ---------------------------------------------------------------------------


@transaction.atomic
def confirm_registry(*, actor, employer: Employer) -> Employer:
    """ "确认无变化": the registry entry was checked and is still right (seed 001 一(三)). Audited;
    the employer's data is not changed, only the confirmation time."""
    if actor is None or not actor.has_role(Role.INSPECTOR, Role.SUPERVISOR):
        raise PermissionDenied(_("只有监察员或监察机构负责人可以确认登记信息"))
    if not scope_by_employer(Employer.objects.filter(pk=employer.pk), actor).exists():
        raise PermissionDenied(_("该用人单位不在您的管辖范围内"))
    locked = Employer.objects.select_for_update().select_related("jurisdiction").get(pk=employer.pk)
    before = locked.registry_confirmed_at
    now = timezone.now()
    Employer.objects.filter(pk=locked.pk).update(registry_confirmed_at=now)
    locked.registry_confirmed_at = now
    write_audit(
        actor=actor,
        action="employers.registry_confirm",
        obj=locked,
        jurisdiction_path=locked.jurisdiction.path,
        before={"registry_confirmed_at": before.isoformat() if before else None},
        after={"registry_confirmed_at": now.isoformat()},
        note=_("登记信息经核实无变化"),
    )
    return locked


# --- commitment letters ---------------------------------------------------------------------------


class AlreadySigned(ValidationError):
    """The agency's letter of that year is already signed (e.g. the form sent twice)."""

    def __init__(self, letter: CommitmentLetter):
        self.letter = letter
        super().__init__(
            _("本单位%(year)s年度的诚信承诺书已于%(date)s签署，无需重复签署")
            % {"year": letter.year, "date": _date_label(letter.signed_on)}
        )


@transaction.atomic
def sign_commitment(
    *, actor, employer: Employer, legal_rep_name: str, agreed: bool, today: dt.date | None = None
) -> CommitmentLetter:
    """The agency's user signs 附件1 online: the letter of this year and its
    ``credit_commitment`` record, exactly once (the employer row is locked, and the database
    refuses a second letter of the same year)."""
    today = today or _today()
    if actor is None or actor.role != Role.EMPLOYER or actor.employer_id != employer.pk:
        raise PermissionDenied(_("只有本单位的账号可以签署本单位的诚信承诺书"))
    employer = (
        Employer.objects.select_for_update().select_related("jurisdiction").get(pk=employer.pk)
    )
    if not selectors.is_agency(employer):
        raise ValidationError(_("只有人力资源服务机构需要签署诚信承诺书"))
    existing = selectors.letter_for(employer, today.year)
    if existing is not None:
        raise AlreadySigned(existing)
    name = (legal_rep_name or "").strip()
    errors = {}
    if not name:
        errors["legal_rep_name"] = _("请填写法定代表人姓名")
    elif len(name) > 50:
        errors["legal_rep_name"] = _("法定代表人姓名过长（最多 50 个字符）")
    if not agreed:
        errors["agreed"] = _("请阅读承诺书并勾选“本人已阅读并作出上述承诺”")
    if errors:
        raise ValidationError(errors)
    text = letters.letter_text(unit_name=employer.name, legal_rep_name=name, signed_on=today)
    record = add_record(
        actor=None,  # an employer's account cannot write the ledger; the audit below names it
        employer=employer,
        kind=RecordKind.CREDIT_COMMITMENT,
        date=today,
        summary=_(
            "在线签署《人力资源服务机构诚信承诺书》（%(year)s年度），承诺人（法定代表人）：%(name)s"
        )
        % {"year": today.year, "name": name},
    )
    try:
        with transaction.atomic():
            letter = CommitmentLetter.objects.create(
                employer=employer,
                year=today.year,
                unit_name=employer.name,
                uscc=employer.uscc,
                legal_rep_name=name,
                signed_on=today,
                signed_by=actor,
                text=text,
                text_sha256=letters.text_digest(text),
                record=record,
            )
    except IntegrityError:
        # Only reachable without the row lock (SQLite): the other request signed first.
        raise AlreadySigned(selectors.letter_for(employer, today.year)) from None
    write_audit(
        actor=actor,
        action="supervision.commitment_sign",
        obj=letter,
        jurisdiction_path=employer.jurisdiction.path,
        after={
            "year": letter.year,
            "legal_rep_name": name,
            "signed_on": today.isoformat(),
            "record": record.pk,
            "text_sha256": letter.text_sha256,
            "registry_legal_rep_matches": name == employer.legal_rep,
        },
    )
    return letter


@dataclass
class ReminderResult:
    reminded: int = 0  # agencies reminded now (accounts notified)
    without_account: int = 0  # agencies with no active account: call or write to them
    already_today: int = 0  # reminded earlier today: not sent again


@transaction.atomic
def remind_unsigned(
    *, actor, year: int, employer_ids=None, jurisdiction=None, today: dt.date | None = None
) -> ReminderResult:
    """Remind agencies that have not signed the letter of ``year`` (all in the actor's scope, or
    those of ``employer_ids``): a message on their page and a mail to their accounts, at most
    once a day per agency."""
    from objections.services import notify

    today = today or _today()
    if actor is None or not actor.has_role(Role.INSPECTOR, Role.SUPERVISOR):
        raise PermissionDenied(_("只有监察员或监察机构负责人可以发送提醒"))
    agencies = selectors.unsigned_agencies(actor, year, jurisdiction)
    if employer_ids is not None:
        agencies = agencies.filter(pk__in=list(employer_ids))
    result = ReminderResult()
    reminded_ids = []
    url = reverse("supervision:commitment_sign")
    for employer in agencies.iterator(chunk_size=500):
        _reminder, created = CommitmentReminder.objects.get_or_create(
            employer=employer, year=year, sent_on=today, defaults={"sent_by": actor}
        )
        if not created:
            result.already_today += 1
            continue
        users = list(User.objects.filter(role=Role.EMPLOYER, employer=employer, is_active=True))
        if not users:
            result.without_account += 1
        else:
            result.reminded += 1
        reminded_ids.append(employer.pk)
        notify(
            users=users,
            key=f"supervision.commitment:{employer.pk}:{year}:{today.isoformat()}",
            subject=_("请签署%(year)s年度人力资源服务机构诚信承诺书") % {"year": year},
            body=_(
                "根据许昌市人力资源和社会保障局《关于做好人力资源服务机构诚信建设工作的通知》"
                "一（一），已取得人力资源服务许可的机构应全部签订诚信承诺书。"
                "请登录系统，在“本单位信息”页面在线签署。"
            ),
            url=url,
        )
    if reminded_ids:
        write_audit(
            actor=actor,
            action="supervision.commitment_remind",
            object_type="supervision.CommitmentReminder",
            object_repr=_("提醒 %(n)d 家人力资源服务机构签署%(year)s年度诚信承诺书")
            % {"n": len(reminded_ids), "year": year},
            jurisdiction_path=actor.jurisdiction.path if actor.jurisdiction_id else "",
            after={"year": year, "employers": reminded_ids, "sent_on": today.isoformat()},
        )
    return result
