"""Every write of the written review (SPEC §10): keyword-only functions under
``@transaction.atomic``, each with its audit entry in the same transaction; ledger records only
through ``credit_records.services`` (add_record, correct_record).

The review's pipeline, declared once (django-oscar's status pipeline, STYLE.md):

    sampled ─notify─▶ notified ─submit─▶ submitted ─propose─▶ proposed ─approve─▶ approved ─▶ closed
                                  ▲         │   ▲                 │                 (last
                     returned ◀─return──────┘   └────reject───────┘                  rectification
                        └──────submit──────▶ submitted                               accepted, or
                                                                                     no problems)

``_move`` is the only code that changes a review's status: it locks the row, re-checks the
status inside the transaction, writes ``ReviewTransition`` and the audit entry.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import snapshot, write_audit
from credit_records.evidence import MAX_ATTACHMENTS_PER_UPLOAD, check_upload
from credit_records.periods import cn_date
from credit_records.services import add_record, correct_record
from employers.choices import CREDIT_WRITER_ROLES, EmployerKind, EmployerStatus, Role
from employers.models import Employer, Jurisdiction, User
from employers.paths import in_subtree
from employers.selectors import scope_by_employer
from objections.calendar import CalendarNotLoaded, add_workdays

from . import roster as roster_file
from . import sampling
from .choices import (
    AREA_CATEGORY,
    AWAITING_DECLARATION,
    DECLARING,
    UNIT_DOCS,
    WORKER_DOCS,
    Area,
    AreaFinding,
    DocType,
    Handling,
    HoursSystem,
    PlanStatus,
    RectificationStatus,
    ReviewStatus,
    SampleReason,
)
from .models import (
    Declaration,
    LateOrder,
    ManualAddition,
    PlanCandidate,
    Problem,
    RectificationReport,
    Review,
    ReviewDocument,
    ReviewPlan,
    ReviewTransition,
    RosterEntry,
)

S = ReviewStatus
# Seed 002 三(一)2: 自接到书面审查通知之日起10个工作日内申报; seed 001 二(二) 退回重新报送 —
# interpretation: 5 working days to resubmit (SPEC §10.4).
DECLARATION_DAYS = 10
RESUBMISSION_DAYS = 5

TRANSITIONS = {
    S.SAMPLED: {S.NOTIFIED},
    S.NOTIFIED: {S.SUBMITTED},
    S.RETURNED: {S.SUBMITTED},
    S.SUBMITTED: {S.RETURNED, S.PROPOSED},
    S.PROPOSED: {S.APPROVED, S.SUBMITTED},
    S.APPROVED: {S.CLOSED},
    S.CLOSED: set(),
}


class ReviewError(ValidationError):
    """A step the rules do not allow now; the message says why, in Chinese."""


def _saved(user):
    """The user for a foreign key: None for the system or an unsaved stand-in (demo data)."""
    return user if getattr(user, "pk", None) else None


def _today(today=None) -> datetime.date:
    return today or timezone.localdate()


# --- who may act -------------------------------------------------------------------------------


def _require_writer(actor) -> None:
    if actor is None or not actor.is_active or actor.role not in CREDIT_WRITER_ROLES:
        raise PermissionDenied(_("只有劳动保障监察员或监察机构负责人可以办理书面审查"))


def _employer_in_scope(actor, employer) -> bool:
    return scope_by_employer(Employer.objects.filter(pk=employer.pk), actor).exists()


def _require_staff_for(actor, review: Review) -> None:
    _require_writer(actor)
    if not _employer_in_scope(actor, review.employer):
        raise PermissionDenied(_("该用人单位不在您的管辖范围内"))


def _require_plan_scope(actor, plan_or_jurisdiction) -> None:
    """Plans are made and drawn by the staff of the plan's jurisdiction or above it."""
    _require_writer(actor)
    jurisdiction = getattr(plan_or_jurisdiction, "jurisdiction", plan_or_jurisdiction)
    if not actor.jurisdiction_id or not in_subtree(jurisdiction.path, actor.jurisdiction.path):
        raise PermissionDenied(_("该辖区不在您的管辖范围内"))


def _require_owner(actor, review: Review) -> None:
    if (
        actor is None
        or not actor.is_active
        or actor.role != Role.EMPLOYER
        or actor.employer_id != review.employer_id
    ):
        raise PermissionDenied(_("只有被审查单位本单位的账号可以办理"))


def _audit(actor, action, obj, *, path, before=None, after=None, note=""):
    write_audit(
        actor=actor,
        action=f"written_review.{action}",
        obj=obj,
        jurisdiction_path=path,
        before=before,
        after=after,
        note=note,
    )


def _path(review: Review) -> str:
    return review.employer.jurisdiction.path


# --- deadlines (SPEC §6 counting; not guessed when the calendar lacks a year) --------------------


def due_for(start: datetime.date, days: int) -> tuple[datetime.date | None, int | None]:
    try:
        return add_workdays(start, days), None
    except CalendarNotLoaded as exc:
        return None, exc.year


def _set_due(review: Review, start: datetime.date, days: int) -> None:
    review.due_from, review.due_days = start, days
    review.due_date, review.due_pending_year = due_for(start, days)


def recompute_pending_deadlines(*, actor=None) -> int:
    """Compute the deadlines flagged "期限待国务院公布节假日安排后复核" that the calendar now
    covers (on ``calendar_year_loaded`` and nightly). Returns how many were resolved."""
    resolved = 0
    with transaction.atomic():
        pending = (
            Review.objects.select_for_update()
            .filter(due_date__isnull=True, due_pending_year__isnull=False, due_days__isnull=False)
            .select_related("employer__jurisdiction")
        )
        for review in pending:
            due_date, year = due_for(review.due_from, review.due_days)
            if due_date is None and year == review.due_pending_year:
                continue
            review.due_date, review.due_pending_year = due_date, year
            review.save(update_fields=["due_date", "due_pending_year", "updated_at"])
            _audit(
                actor,
                "recompute_due",
                review,
                path=_path(review),
                after={"due_date": str(due_date) if due_date else None, "due_pending_year": year},
            )
            resolved += due_date is not None
    return resolved


# --- the pipeline ------------------------------------------------------------------------------


def _lock(review: Review) -> Review:
    return (
        Review.objects.select_for_update()
        .select_related("plan__jurisdiction", "employer__jurisdiction")
        .get(pk=review.pk)
    )


def _move(review: Review, to: str, *, actor, note: str = "", at=None) -> Review:
    if to not in TRANSITIONS[review.status]:
        raise ReviewError(
            _("当前状态“%(from)s”不能转为“%(to)s”")
            % {"from": review.get_status_display(), "to": S(to).label}
        )
    before = review.status
    review.status = to
    review.save()
    ReviewTransition.objects.create(
        review=review,
        from_status=before,
        to_status=to,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
        note=note,
    )
    _audit(
        actor,
        f"status.{to}",
        review,
        path=_path(review),
        before={"status": before},
        after={"status": to},
        note=note,
    )
    return review


def _employer_users(employer_id) -> list[User]:
    return list(User.objects.filter(role=Role.EMPLOYER, employer_id=employer_id, is_active=True))


def _tell_employer(review: Review, *, key: str, subject: str, body: str) -> None:
    """On the employer's page (its reviews) and in the application's messages, with an e-mail
    after commit (objections' notify: Django's mail backend). Interpretation of "through the
    outbox": the only outbox today is publication's, above this app, and it carries platform
    messages, not mail; objections' after-commit mail is the mail path lower apps use."""
    from objections.services import notify

    notify(
        users=_employer_users(review.employer_id),
        key=f"written_review:{key}:{review.pk}"[:120],
        subject=subject,
        body=body,
        url=reverse("written_review:review", args=[review.pk]),
    )


def _cn(day: datetime.date | None) -> str:
    return cn_date(day, empty=_("期限待国务院公布节假日安排后复核"))


# --- plans and the draw ------------------------------------------------------------------------

PLAN_FIELDS = (
    "title",
    "ratio_a",
    "ratio_b",
    "ratio_c",
    "ratio_d",
    "ratio_ungraded",
    "enterprises_only",
    "workers_base",
    "workers_mid",
    "workers_high",
    "mid_above",
    "high_above",
    "contact",
    "paper_address",
)


def enterprises_only_default(jurisdiction: Jurisdiction, year: int) -> bool:
    """SPEC §10.1: candidates are enterprises only where the rule set grades enterprises only
    (jiangjin, seed 002 四(一)); every kind elsewhere."""
    from grading import rulesets
    from grading.assignments import Assignments

    assignments = Assignments(datetime.date(year, 12, 31))
    root = assignments.grading_jurisdiction(jurisdiction.pk)
    for assignment in assignments.by_jurisdiction.get(root, ()):
        try:
            kinds = rulesets.get(assignment.ruleset_code, assignment.ruleset_version).employer_kinds
        except KeyError:
            continue
        if kinds == frozenset({EmployerKind.ENTERPRISE}):
            return True
    return False


def _check_plan_values(values: dict) -> None:
    try:
        sampling.check_ratios(
            {
                "A": values["ratio_a"],
                "B": values["ratio_b"],
                "C": values["ratio_c"],
                "D": values["ratio_d"],
                "": values["ratio_ungraded"],
            }
        )
    except sampling.RatioError as exc:
        raise ReviewError(str(exc)) from None
    if not values["workers_base"] or values["workers_base"] > values["workers_mid"]:
        raise ReviewError(_("抽查职工人数应为正数，且随职工人数增加而不减少"))
    if (
        values["workers_mid"] > values["workers_high"]
        or values["mid_above"] >= values["high_above"]
    ):
        raise ReviewError(_("抽查职工人数应随职工人数增加而不减少，百人界限应小于千人界限"))


@transaction.atomic
def create_plan(*, actor, jurisdiction: Jurisdiction, year: int, **values) -> ReviewPlan:
    """A plan with the given ratios and parameters (``actor=None``: the command line)."""
    if actor is not None:
        _require_plan_scope(actor, jurisdiction)
    if jurisdiction.level == "street":
        raise ReviewError(_("书面审查计划按区县（或市）编制，不能按乡镇街道编制"))
    if ReviewPlan.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        raise ReviewError(
            _("%(j)s%(y)s年度的书面审查计划已存在") % {"j": jurisdiction.name, "y": year}
        )
    if not 2000 <= year <= 2100:
        raise ReviewError(_("审查年度“%(y)s”无效") % {"y": year})
    plan = ReviewPlan(jurisdiction=jurisdiction, year=year, created_by=_saved(actor))
    if "enterprises_only" not in values:
        values["enterprises_only"] = enterprises_only_default(jurisdiction, year)
    for field in PLAN_FIELDS:
        if field in values:
            setattr(plan, field, values[field])
    _check_plan_values({f: getattr(plan, f) for f in PLAN_FIELDS})
    plan.save()
    _audit(actor, "plan.create", plan, path=jurisdiction.path, after=snapshot(plan, PLAN_FIELDS))
    return plan


def _lock_plan(plan: ReviewPlan) -> ReviewPlan:
    return ReviewPlan.objects.select_for_update().select_related("jurisdiction").get(pk=plan.pk)


@transaction.atomic
def update_plan(*, actor, plan: ReviewPlan, **values) -> ReviewPlan:
    plan = _lock_plan(plan)
    _require_plan_scope(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ReviewError(_("计划已抽取，比例和参数不能再修改"))
    before = snapshot(plan, PLAN_FIELDS)
    for field in PLAN_FIELDS:
        if field in values:
            setattr(plan, field, values[field])
    _check_plan_values({f: getattr(plan, f) for f in PLAN_FIELDS})
    plan.save()
    _audit(actor, "plan.update", plan, path=plan.jurisdiction.path, before=before,
           after=snapshot(plan, PLAN_FIELDS))  # fmt: skip
    return plan


def _candidate_employers(plan: ReviewPlan):
    """SPEC §10.1: the jurisdiction's operating employers (enterprises only where the plan says
    so), ordered by id for chunked reading."""
    ids = list(plan.jurisdiction.subtree().values_list("pk", flat=True))
    employers = Employer.objects.filter(
        Q(jurisdiction_id__in=ids) | Q(street_id__in=ids), status=EmployerStatus.OPERATING
    )
    if plan.enterprises_only:
        employers = employers.filter(kind=EmployerKind.ENTERPRISE)
    return employers.order_by("pk")


def _employer_in_plan_area(plan: ReviewPlan, employer: Employer) -> bool:
    ids = set(plan.jurisdiction.subtree().values_list("pk", flat=True))
    return employer.jurisdiction_id in ids or employer.street_id in ids


def _published_grade(employer: Employer, year: int) -> str:
    from grading.selectors import latest_published_grades

    found = latest_published_grades([employer.pk], up_to_year=year).get(employer.pk)
    return found.grade if found else ""


@transaction.atomic
def add_manual(*, actor, plan: ReviewPlan, employer: Employer, reason: str) -> ManualAddition:
    """Seed 002 三(一)1 根据监管需要增加系统未抽中的用人单位: before the draw it is an input of
    the draw; after it, the employer is added to the sample at once (and stays an input, so a
    re-run gives the same list)."""
    plan = _lock_plan(plan)
    _require_plan_scope(actor, plan)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("请填写增加该单位的理由"))
    if plan.status == PlanStatus.DRAWING:
        raise ReviewError(_("正在抽取，请稍后再增加"))
    if not _employer_in_plan_area(plan, employer):
        raise ReviewError(_("“%(name)s”不属于本计划的辖区") % {"name": employer.name})
    if ManualAddition.objects.filter(plan=plan, employer=employer).exists() or (
        plan.status == PlanStatus.DRAWN
        and Review.objects.filter(plan=plan, employer=employer).exists()
    ):
        raise ReviewError(_("“%(name)s”已在本计划中") % {"name": employer.name})
    candidate = PlanCandidate.objects.filter(plan=plan, employer=employer).first()
    addition = ManualAddition.objects.create(
        plan=plan,
        employer=employer,
        reason=reason[:300],
        added_by=_saved(actor),
        uscc=employer.uscc,
        name=candidate.name if candidate else employer.name,
        grade=candidate.grade if candidate else _published_grade(employer, plan.year),
    )
    if plan.status == PlanStatus.DRAWN:
        Review.objects.create(
            plan=plan, employer=employer, reason=SampleReason.MANUAL, grade=addition.grade
        )
        plan.sample_count = plan.reviews.count()
        plan.save(update_fields=["sample_count", "updated_at"])
    _audit(
        actor,
        "plan.add_manual",
        plan,
        path=plan.jurisdiction.path,
        after={"employer": employer.uscc, "name": employer.name, "reason": reason},
    )
    return addition


@transaction.atomic
def remove_manual(*, actor, addition: ManualAddition) -> None:
    plan = _lock_plan(addition.plan)
    _require_plan_scope(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ReviewError(_("计划已抽取，人工增加的单位不能再移除"))
    _audit(
        actor,
        "plan.remove_manual",
        plan,
        path=plan.jurisdiction.path,
        before={"employer": addition.employer.uscc, "reason": addition.reason},
    )
    ManualAddition.objects.filter(pk=addition.pk).delete()


def manual_candidates(plan: ReviewPlan) -> list[sampling.Candidate]:
    """The manual additions as draw inputs, as they stood when added (a draft plan's additions
    are snapshot again at the draw, from the candidate list)."""
    snap = {
        c.employer_id: c
        for c in PlanCandidate.objects.filter(
            plan=plan, employer_id__in=plan.additions.values("employer_id")
        )
    }
    out = []
    for addition in plan.additions.order_by("pk"):
        c = snap.get(addition.employer_id) if plan.status != PlanStatus.DRAWN else None
        if c is not None:
            out.append(sampling.Candidate(c.uscc, c.name, c.grade, c.industry))
        else:
            out.append(sampling.Candidate(addition.uscc, addition.name, addition.grade))
    return out


def stored_candidates(plan: ReviewPlan):
    for uscc, name, grade, industry in (
        PlanCandidate.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("uscc", "name", "grade", "industry")
        .iterator(chunk_size=5000)
    ):
        yield sampling.Candidate(uscc, name, grade, industry)


def stored_counts(plan: ReviewPlan) -> dict[str, int]:
    from django.db.models import Count

    return {
        row["grade"]: row["n"]
        for row in PlanCandidate.objects.filter(plan=plan).values("grade").annotate(n=Count("id"))
    }


def redraw(plan: ReviewPlan, *, seed: int | None = None) -> list[sampling.Drawn]:
    """The draw repeated from what the plan stores (with another ``seed`` if given)."""
    return sampling.draw(
        ratios=plan.ratios,
        seed=plan.seed if seed is None else seed,
        candidates=stored_candidates(plan),
        manual=manual_candidates(plan),
        counts=stored_counts(plan),
    )


def fresh_candidates(plan: ReviewPlan, *, chunk: int = 5000):
    """The candidate list as the registry and the published grades stand now: yields chunks of
    (employer id, Candidate)."""
    from grading.selectors import latest_published_grades

    employers = _candidate_employers(plan).values_list("pk", "uscc", "name", "industry")
    last = 0
    while True:
        rows = list(employers.filter(pk__gt=last)[:chunk])
        if not rows:
            return
        last = rows[-1][0]
        grades = latest_published_grades([r[0] for r in rows], up_to_year=plan.year)
        yield [
            (pk, sampling.Candidate(uscc, name, grades[pk].grade if pk in grades else "", industry))
            for pk, uscc, name, industry in rows
        ]


@transaction.atomic
def start_draw(*, actor, plan: ReviewPlan, seed: int | None = None, run_now: bool = False):
    """Fix the seed and start the draw: a background job (``tasks.draw_plan``) that stores the
    candidate list in chunks with progress on the plan, then draws. ``run_now`` (the command
    line) draws in this process instead."""
    plan = _lock_plan(plan)
    if actor is not None:
        _require_plan_scope(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ReviewError(_("该计划已经抽取（或正在抽取），不能再次抽取"))
    if seed is None:
        seed = secrets.randbelow(10**9)
    if seed < 0:
        raise ReviewError(_("随机种子应为非负整数"))
    plan.seed = seed
    plan.status = PlanStatus.DRAWING
    plan.draw_error = ""
    plan.draw_done = 0
    plan.draw_total = _candidate_employers(plan).count()
    plan.drawn_by = actor if getattr(actor, "pk", None) else None
    plan.save()
    _audit(actor, "plan.draw_started", plan, path=plan.jurisdiction.path, after={"seed": seed})
    if not run_now:
        from . import tasks

        transaction.on_commit(lambda: tasks.start(tasks.draw_plan, plan_id=plan.pk))
    return plan


def run_draw(plan_id: int) -> ReviewPlan | None:
    """The job: store the candidate list chunk by chunk (progress on the plan), then draw and
    create the reviews in one transaction. A failure puts the plan back to draft with the
    reason; running it again after a lost worker starts over."""
    plan = ReviewPlan.objects.select_related("jurisdiction").get(pk=plan_id)
    if plan.status != PlanStatus.DRAWING:
        return None
    try:
        PlanCandidate.objects.filter(plan=plan).delete()
        done = 0
        for rows in fresh_candidates(plan):
            with transaction.atomic():
                PlanCandidate.objects.bulk_create(
                    PlanCandidate(
                        plan=plan,
                        employer_id=pk,
                        uscc=c.uscc,
                        name=c.name,
                        grade=c.grade,
                        industry=c.industry,
                    )
                    for pk, c in rows
                )
                done += len(rows)
                ReviewPlan.objects.filter(pk=plan.pk).update(
                    draw_done=done, draw_total=max(done, plan.draw_total)
                )
        return _finish_draw(plan.pk)
    except Exception as exc:  # noqa: BLE001 — the job leaves the plan usable, whatever failed
        with transaction.atomic():
            PlanCandidate.objects.filter(plan_id=plan.pk).delete()
            ReviewPlan.objects.filter(pk=plan.pk).update(
                status=PlanStatus.DRAFT, draw_error=str(exc)[:2000] or type(exc).__name__
            )
            write_audit(
                actor=None,
                action="written_review.plan.draw_failed",
                obj=plan,
                jurisdiction_path=plan.jurisdiction.path,
                note=str(exc)[:500],
            )
        return None


@transaction.atomic
def _finish_draw(plan_id: int) -> ReviewPlan:
    plan = ReviewPlan.objects.select_for_update().select_related("jurisdiction").get(pk=plan_id)
    # The additions made in draft are fixed now, as the candidate list has them (or, for an
    # employer outside it, as the registry and the published grades stand at the draw).
    snap = {
        c.employer_id: c
        for c in PlanCandidate.objects.filter(
            plan=plan, employer_id__in=plan.additions.values("employer_id")
        )
    }
    for addition in plan.additions.select_related("employer"):
        c = snap.get(addition.employer_id)
        addition.uscc = addition.employer.uscc
        addition.name = c.name if c else addition.employer.name
        addition.grade = c.grade if c else _published_grade(addition.employer, plan.year)
        addition.save(update_fields=["uscc", "name", "grade"])
    sample = redraw(plan)
    ids = dict(PlanCandidate.objects.filter(plan=plan).values_list("uscc", "employer_id"))
    ids.update(dict(plan.additions.values_list("employer__uscc", "employer_id")))
    Review.objects.bulk_create(
        [
            Review(plan=plan, employer_id=ids[d.uscc], reason=d.reason, grade=d.grade)
            for d in sample
        ],
        batch_size=2000,
    )
    plan.status = PlanStatus.DRAWN
    plan.candidate_count = PlanCandidate.objects.filter(plan=plan).count()
    plan.sample_count = len(sample)
    plan.draw_done = plan.draw_total = plan.candidate_count
    plan.drawn_at = timezone.now()
    plan.save()
    digest = hashlib.sha256(sampling.sample_csv(sample)).hexdigest()
    write_audit(
        actor=plan.drawn_by,
        action="written_review.plan.drawn",
        obj=plan,
        jurisdiction_path=plan.jurisdiction.path,
        after={
            "seed": plan.seed,
            "candidates": plan.candidate_count,
            "sampled": plan.sample_count,
            "sha256": digest,
        },
    )
    return plan


# --- notices -----------------------------------------------------------------------------------


@transaction.atomic
def send_notices(*, actor, plan: ReviewPlan, today: datetime.date | None = None) -> int:
    """Notify every sampled employer not yet notified: a background job in chunks (a plan can
    sample thousands). Returns how many are waiting."""
    plan = _lock_plan(plan)
    _require_plan_scope(actor, plan)
    if plan.status != PlanStatus.DRAWN:
        raise ReviewError(_("请先抽取审查名单"))
    waiting = plan.reviews.filter(status=S.SAMPLED).count()
    if not waiting:
        raise ReviewError(_("没有待通知的单位"))
    plan.notices_running = True
    plan.save(update_fields=["notices_running", "updated_at"])
    _audit(actor, "plan.notices", plan, path=plan.jurisdiction.path, after={"waiting": waiting})
    day = _today(today).isoformat()
    from . import tasks

    transaction.on_commit(
        lambda: tasks.start(tasks.send_plan_notices, plan_id=plan.pk, actor_id=actor.pk, today=day)
    )
    return waiting


def run_notices(plan_id: int, *, actor_id=None, today: datetime.date, chunk: int = 200) -> int:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    sent = 0
    try:
        while True:
            with transaction.atomic():
                batch = list(
                    Review.objects.select_for_update(skip_locked=True)
                    .filter(plan_id=plan_id, status=S.SAMPLED)
                    .select_related("plan__jurisdiction", "employer__jurisdiction")
                    .order_by("pk")[:chunk]
                )
                if not batch:
                    break
                for review in batch:
                    _notify(review, actor=actor, today=today)
                    sent += 1
    finally:
        ReviewPlan.objects.filter(pk=plan_id).update(notices_running=False)
    return sent


def _notify(review: Review, *, actor, today: datetime.date) -> None:
    review.notified_on = today
    _set_due(review, today, DECLARATION_DAYS)
    _move(review, S.NOTIFIED, actor=actor, note=_("发出书面审查通知"))
    Declaration.objects.get_or_create(review=review)
    plan = review.plan
    body = _(
        "根据%(plan)s，你单位被列为书面审查对象（%(reason)s）。请自接到通知之日起10个工作日内"
        "（%(due)s前）登录本系统在线申报%(year)s年度基本情况、劳动用工情况、《劳动保障监察书面"
        "材料审查表》和职工花名册，并按系统抽取的职工名单上传劳动合同、5月和10月工资发放表及考勤"
        "记录，以及单位登记证照、劳动用工规章制度、5月和10月社会保险缴纳凭证。"
    ) % {
        "plan": plan,
        "reason": review.get_reason_display(),
        "due": _cn(review.due_date),
        "year": plan.year,
    }
    if plan.paper_address:
        body += _("书面材料报送地址：%(a)s。") % {"a": plan.paper_address}
    if plan.contact:
        body += _("联系人：%(c)s。") % {"c": plan.contact}
    body += _("不按时申报或者故意拖延不报的，将依照《劳动保障监察条例》第三十条处理。")
    _tell_employer(
        review, key="notice", subject=_("书面审查通知：%(plan)s") % {"plan": plan}, body=body
    )


@transaction.atomic
def notify_review(*, actor, review: Review, today: datetime.date | None = None) -> Review:
    """The notice to one sampled employer (e.g. one added by hand after the notices went out)."""
    review = _lock(review)
    _require_staff_for(actor, review)
    if review.status != S.SAMPLED:
        raise ReviewError(_("该单位已经通知过"))
    _notify(review, actor=actor, today=_today(today))
    return review


# --- the declaration ---------------------------------------------------------------------------

DECLARATION_FIELDS = (
    "contact_name",
    "contact_phone",
    "address",
    "headcount",
    "contracts_signed",
    "dispatched_workers",
    "hours_systems",
    "comprehensive_approval_no",
    "flexible_approval_no",
    "pension_insured",
    "medical_insured",
    "injury_insured",
    "unemployment_insured",
    "payroll_concealed",
    "wage_violation",
    "hours_violation",
    "sanctioned",
    "self_check_note",
    "payday",
)
REQUIRED_DECLARATION = (
    "contact_name",
    "contact_phone",
    "headcount",
    "contracts_signed",
    "dispatched_workers",
    "pension_insured",
    "medical_insured",
    "injury_insured",
    "unemployment_insured",
    "payroll_concealed",
    "wage_violation",
    "hours_violation",
    "sanctioned",
    "payday",
)


def _editable(review: Review) -> None:
    if review.status not in DECLARING:
        raise ReviewError(_("申报已提交，不能再修改（被退回补正时可以修改）"))


@transaction.atomic
def save_declaration(*, actor, review: Review, data: dict) -> Declaration:
    """Save the declaration as a draft (any fields may still be empty)."""
    review = _lock(review)
    _require_owner(actor, review)
    _editable(review)
    declaration, _created = Declaration.objects.get_or_create(review=review)
    before = snapshot(declaration, DECLARATION_FIELDS)
    for field in DECLARATION_FIELDS:
        if field in data:
            setattr(declaration, field, data[field])
    declaration.hours_systems = [
        h for h in (declaration.hours_systems or []) if h in HoursSystem.values
    ]
    declaration.saved_at = timezone.now()
    declaration.save()
    _audit(actor, "declaration.save", review, path=_path(review), before=before,
           after=snapshot(declaration, DECLARATION_FIELDS))  # fmt: skip
    return declaration


@transaction.atomic
def upload_roster(*, actor, review: Review, data: bytes, filename: str):
    """Replace the 职工花名册 with the file, all or nothing, and draw the workers whose papers
    are reviewed. Returns the ``roster.RosterResult`` (problems → nothing stored)."""
    review = _lock(review)
    _require_owner(actor, review)
    _editable(review)
    result = roster_file.read_roster(data, filename)
    if not result.ok:
        return result
    declaration, _created = Declaration.objects.get_or_create(review=review)
    existing = {e.id_number: e for e in RosterEntry.objects.filter(review=review)}
    plan = review.plan
    drawn = sampling.draw_workers(
        seed=plan.seed or 0,
        uscc=review.employer.uscc,
        id_numbers=[w.id_number for w in result.workers],
        params=plan.worker_params,
    )
    keep, new = [], []
    for w in result.workers:
        entry = existing.pop(w.id_number, None) or RosterEntry(review=review, id_number=w.id_number)
        entry.row, entry.name, entry.position = w.row, w.name, w.position
        entry.contract_start, entry.contract_end = w.contract_start, w.contract_end
        entry.monthly_wage = w.monthly_wage
        entry.sampled = w.id_number in drawn
        (keep if entry.pk else new).append(entry)
    # Documents of workers no longer on the roster stay (worker set to null) and are listed.
    RosterEntry.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
    RosterEntry.objects.bulk_update(
        keep,
        ["row", "name", "position", "contract_start", "contract_end", "monthly_wage", "sampled"],
        batch_size=2000,
    )
    RosterEntry.objects.bulk_create(new, batch_size=2000)
    declaration.roster_name = filename[-200:]
    declaration.roster_sha256 = hashlib.sha256(data).hexdigest()
    declaration.roster_uploaded_at = timezone.now()
    declaration.roster_count = len(result.workers)
    declaration.save()
    _audit(
        actor,
        "roster.upload",
        review,
        path=_path(review),
        after={
            "file": declaration.roster_name,
            "sha256": declaration.roster_sha256,
            "workers": len(result.workers),
            "sampled": len(drawn),
        },
    )
    return result


def _check_files(uploads) -> list[tuple]:
    if len(uploads) > MAX_ATTACHMENTS_PER_UPLOAD * 3:
        raise ReviewError(_("一次最多上传 %(n)d 个文件") % {"n": MAX_ATTACHMENTS_PER_UPLOAD * 3})
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, *check_upload(upload)))
        except ValidationError as exc:
            raise ReviewError(exc.messages) from None
    return checked


def _store(review, checked, *, actor, doc_type, worker=None, report=None) -> list[ReviewDocument]:
    stored = []
    for upload, content_type, sha256 in checked:
        document = ReviewDocument(
            review=review,
            doc_type=doc_type,
            worker=worker,
            worker_id_number=worker.id_number if worker else "",
            report=report,
            original_name=upload.name[-200:],
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        document.file.save(upload.name, upload, save=False)
        document.save()
        stored.append(document)
    return stored


@transaction.atomic
def upload_documents(*, actor, review: Review, items) -> list[ReviewDocument]:
    """``items``: [(doc type, RosterEntry of a drawn worker or None, [uploads])]. Every file is
    type- and size-checked before any is stored."""
    review = _lock(review)
    _require_owner(actor, review)
    _editable(review)
    prepared = []
    for doc_type, worker, uploads in items:
        if doc_type in WORKER_DOCS:
            if worker is None or worker.review_id != review.pk or not worker.sampled:
                raise ReviewError(_("请为抽中的职工上传该材料"))
        elif doc_type in UNIT_DOCS:
            worker = None
        else:
            raise ReviewError(_("材料类型无效"))
        prepared.append((doc_type, worker, _check_files(list(uploads))))
    if not any(checked for _t, _w, checked in prepared):
        raise ReviewError(_("请选择要上传的文件"))
    stored = []
    for doc_type, worker, checked in prepared:
        stored += _store(review, checked, actor=actor, doc_type=doc_type, worker=worker)
    _audit(
        actor,
        "documents.upload",
        review,
        path=_path(review),
        after={
            "files": [
                {"type": d.doc_type, "name": d.original_name, "sha256": d.sha256} for d in stored
            ]
        },
    )
    return stored


@transaction.atomic
def delete_document(*, actor, document: ReviewDocument) -> None:
    review = _lock(document.review)
    _require_owner(actor, review)
    _editable(review)
    if document.report_id:
        raise ReviewError(_("整改佐证材料不能删除"))
    _audit(
        actor,
        "documents.delete",
        review,
        path=_path(review),
        before={
            "type": document.doc_type,
            "name": document.original_name,
            "sha256": document.sha256,
        },
    )
    name, storage = document.file.name, document.file.storage
    ReviewDocument.objects.filter(pk=document.pk).delete()
    transaction.on_commit(lambda: storage.delete(name))


def missing_items(review: Review) -> list[str]:
    """What still keeps the declaration from being complete, in Chinese (the checklist)."""
    from . import selectors

    missing = []
    declaration = Declaration.objects.filter(review=review).first()
    if declaration is None:
        return [_("尚未填写申报表")]
    labels = {f.name: f.verbose_name for f in Declaration._meta.fields}
    for field in REQUIRED_DECLARATION:
        if getattr(declaration, field) in (None, ""):
            missing.append(_("未填写：%(f)s") % {"f": labels[field]})
    if not declaration.hours_systems:
        missing.append(_("未选择工时制度"))
    if HoursSystem.COMPREHENSIVE in (declaration.hours_systems or []) and not (
        declaration.comprehensive_approval_no
    ):
        missing.append(_("实行综合计算工时制的，应填写审批文号"))
    if HoursSystem.FLEXIBLE in (declaration.hours_systems or []) and not (
        declaration.flexible_approval_no
    ):
        missing.append(_("实行不定时工作制的，应填写审批文号"))
    if declaration.payday is not None and not 1 <= declaration.payday <= 31:
        missing.append(_("每月支付工资日应在 1 至 31 日之间"))
    headcount = declaration.headcount
    if headcount is not None:
        for field in (
            "contracts_signed",
            "pension_insured",
            "medical_insured",
            "injury_insured",
            "unemployment_insured",
        ):
            value = getattr(declaration, field)
            if value is not None and value > headcount:
                missing.append(
                    _("%(f)s（%(v)d）不能大于职工人数（%(n)d）")
                    % {"f": labels[field], "v": value, "n": headcount}
                )
    if not declaration.roster_count:
        missing.append(_("尚未上传职工花名册"))
    elif headcount is not None and declaration.roster_count != headcount:
        missing.append(
            _("职工花名册人数（%(r)d）与申报的职工人数（%(n)d）不一致")
            % {"r": declaration.roster_count, "n": headcount}
        )
    for item in selectors.checklist(review):
        if not item["documents"]:
            missing.append(_("未上传：%(what)s") % {"what": item["label"]})
    return missing


@transaction.atomic
def submit(*, actor, review: Review, today: datetime.date | None = None) -> Review:
    review = _lock(review)
    _require_owner(actor, review)
    if review.status not in DECLARING:
        raise ReviewError(_("当前状态不能提交申报"))
    missing = missing_items(review)
    if missing:
        raise ReviewError(_("申报尚不完整：%(items)s") % {"items": "；".join(missing)})
    day = _today(today)
    late = review.due_date is not None and day > review.due_date
    review.submitted_on = day
    _move(
        review,
        S.SUBMITTED,
        actor=actor,
        note=_("逾期申报（期限 %(due)s）") % {"due": _cn(review.due_date)} if late else "",
    )
    return review


@transaction.atomic
def return_declaration(
    *, actor, review: Review, reasons: str, today: datetime.date | None = None
) -> Review:
    """Seed 001 二(二) 信息不完整的退回重新报送: the employer has 5 working days to resubmit."""
    review = _lock(review)
    _require_staff_for(actor, review)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ReviewError(_("请写明退回的理由（缺少或需要补正的内容）"))
    if review.status != S.SUBMITTED:
        raise ReviewError(_("只有已申报、尚未提出审查意见的申报可以退回"))
    day = _today(today)
    review.return_reasons = reasons
    review.returned_on = day
    _set_due(review, day, RESUBMISSION_DAYS)
    _move(review, S.RETURNED, actor=actor, note=reasons)
    _tell_employer(
        review,
        key=f"returned:{day.isoformat()}",
        subject=_("书面审查申报被退回补正：%(plan)s") % {"plan": review.plan},
        body=_("退回理由：%(r)s\n请于 %(due)s 前补正后重新提交。")
        % {"r": reasons, "due": _cn(review.due_date)},
    )
    return review


# --- the review ------------------------------------------------------------------------------


def _reviewing(review: Review) -> None:
    if review.status != S.SUBMITTED:
        raise ReviewError(_("只有已申报、尚未提出审查意见的单位可以审查"))


@transaction.atomic
def save_findings(*, actor, review: Review, findings: dict, opinion: str = "") -> Review:
    """The four areas of seed 002 三(一)3, each 未发现问题 / 存在问题."""
    review = _lock(review)
    _require_staff_for(actor, review)
    _reviewing(review)
    before = {a: getattr(review, f"finding_{a}") for a in Area.values}
    for area in Area.values:
        value = findings.get(area, "")
        if value not in ("", *AreaFinding.values):
            raise ReviewError(_("审查结论无效"))
        setattr(review, f"finding_{area}", value)
    review.opinion = (opinion or "").strip()
    review.save()
    _audit(actor, "findings", review, path=_path(review), before=before,
           after={a: getattr(review, f"finding_{a}") for a in Area.values})  # fmt: skip
    return review


@transaction.atomic
def add_problem(
    *,
    actor,
    review: Review,
    area: str,
    description: str,
    legal_basis: str,
    is_violation: bool = True,
    severity: str = "minor",
    handling: str = Handling.SUGGESTION,
) -> Problem:
    review = _lock(review)
    _require_staff_for(actor, review)
    _reviewing(review)
    description, legal_basis = (description or "").strip(), (legal_basis or "").strip()
    if area not in Area.values:
        raise ReviewError(_("请选择问题所属的审查事项"))
    if not description or not legal_basis:
        raise ReviewError(_("请写明问题和法律依据"))
    if handling not in Handling.values:
        raise ReviewError(_("处理方式无效"))
    from credit_records.choices import Severity

    if severity not in Severity.values:
        raise ReviewError(_("情节无效"))
    last = review.problems.order_by("-number").values_list("number", flat=True).first() or 0
    problem = Problem.objects.create(
        review=review,
        number=last + 1,
        area=area,
        description=description,
        legal_basis=legal_basis[:300],
        is_violation=bool(is_violation),
        severity=severity,
        handling=handling,
    )
    setattr(review, f"finding_{area}", AreaFinding.PROBLEM)
    review.save()
    _audit(actor, "problem.add", review, path=_path(review),
           after=snapshot(problem, ("number", "area", "description", "legal_basis",
                                    "is_violation", "severity", "handling")))  # fmt: skip
    return problem


@transaction.atomic
def delete_problem(*, actor, problem: Problem) -> None:
    review = _lock(problem.review)
    _require_staff_for(actor, review)
    _reviewing(review)
    _audit(actor, "problem.delete", review, path=_path(review),
           before=snapshot(problem, ("number", "area", "description", "legal_basis")))  # fmt: skip
    Problem.objects.filter(pk=problem.pk).delete()


def _check_consistent(review: Review, result: str) -> None:
    """Interpretation of seed 002 三(一)3: each area is judged; an area with problems on the
    list is 存在问题 and one marked so has at least one; 合格 means an empty 问题清单, 基本合格
    and 不合格 need at least one problem."""
    problems = list(review.problems.all())
    areas_with_problems = {p.area for p in problems}
    for area, label, finding in review.findings():
        if not finding:
            raise ReviewError(_("请对“%(a)s”作出审查判断") % {"a": label})
        if finding == AreaFinding.PROBLEM and area not in areas_with_problems:
            raise ReviewError(_("“%(a)s”判断为存在问题，请在问题清单中写明问题") % {"a": label})
        if finding == AreaFinding.NO_PROBLEM and area in areas_with_problems:
            raise ReviewError(_("“%(a)s”的问题清单不为空，不能判断为未发现问题") % {"a": label})
    if result == "qualified" and problems:
        raise ReviewError(_("问题清单不为空，审查结论不能为“合格”"))
    if result != "qualified" and not problems:
        raise ReviewError(_("问题清单为空，审查结论应为“合格”"))


@transaction.atomic
def propose(*, actor, review: Review, result: str, opinion: str | None = None) -> Review:
    from credit_records.choices import WrittenReviewResult

    review = _lock(review)
    _require_staff_for(actor, review)
    _reviewing(review)
    if result not in WrittenReviewResult.values:
        raise ReviewError(_("请选择审查结论：合格、基本合格或不合格"))
    if opinion is not None:
        review.opinion = opinion.strip()
    _check_consistent(review, result)
    review.proposed_result = result
    review.proposed_by = actor
    review.proposed_at = timezone.now()
    _move(review, S.PROPOSED, actor=actor,
          note=_("建议审查结论：%(r)s") % {"r": WrittenReviewResult(result).label})  # fmt: skip
    return review


def _next_suggestion_no(plan: ReviewPlan, day: datetime.date) -> str:
    plan = _lock_plan(plan)
    plan.suggestion_seq += 1
    plan.save(update_fields=["suggestion_seq", "updated_at"])
    return _("%(j)s人社监书审建〔%(y)s〕%(n)d号") % {
        "j": plan.jurisdiction.name,
        "y": day.year,
        "n": plan.suggestion_seq,
    }


@transaction.atomic
def decide(
    *, actor, review: Review, approve: bool, note: str = "", today: datetime.date | None = None
) -> Review:
    """The supervisor's approval (seed 002 三(一)3 提交劳动保障监察机构负责人审批). On approval, in
    this one transaction: the ``written_review`` record (result, date = approval day), a
    ``violation`` record for each problem marked as one (rectification 整改中), the 建议书 number
    and the rectification due date (31 December of the approval year, seed 002 三(一)4 原则上应在
    年底前全部完成). Any failure writes nothing."""
    from credit_records.choices import WrittenReviewResult

    review = _lock(review)
    _require_staff_for(actor, review)
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(_("审查意见须由监察机构负责人审批"))
    if review.status != S.PROPOSED:
        raise ReviewError(_("该单位没有待审批的审查意见"))
    if review.proposed_by_id == actor.pk:
        raise PermissionDenied(_("不能审批自己提出的审查意见"))
    note = (note or "").strip()
    day = _today(today)
    if not approve:
        if not note:
            raise ReviewError(_("退回重审时请写明理由"))
        review.approval_note = note
        _move(review, S.SUBMITTED, actor=actor, note=note)
        return review
    plan = review.plan
    problems = list(review.problems.order_by("number"))
    result_label = WrittenReviewResult(review.proposed_result).label
    if any(p.handling == Handling.SUGGESTION for p in problems):
        review.suggestion_no = _next_suggestion_no(plan, day)
    review.record = add_record(
        actor=actor,
        employer=review.employer,
        kind="written_review",
        date=day,
        result=review.proposed_result,
        source="written_review",
        document_no=review.suggestion_no,
        summary=_("%(plan)s：审查结论%(r)s，发现问题 %(n)d 项")
        % {"plan": plan, "r": result_label, "n": len(problems)},
        department=plan.jurisdiction.authority or plan.jurisdiction.name,
    )
    for problem in problems:
        if problem.is_violation:
            problem.record = add_record(
                actor=actor,
                employer=review.employer,
                kind="violation",
                date=day,
                severity=problem.severity,
                category=AREA_CATEGORY[problem.area],
                rectification="in_progress",
                source="written_review",
                document_no=review.suggestion_no if problem.handling == Handling.SUGGESTION else "",
                summary=_("书面审查发现（%(a)s）：%(d)s；依据：%(b)s")
                % {
                    "a": problem.get_area_display(),
                    "d": problem.description,
                    "b": problem.legal_basis,
                },
                department=plan.jurisdiction.authority or plan.jurisdiction.name,
            )
            problem.save(update_fields=["record"])
    review.result = review.proposed_result
    review.approved_by = actor
    review.approved_on = day
    review.approval_note = note
    review.rectification_due = datetime.date(day.year, 12, 31) if problems else None
    _move(review, S.APPROVED, actor=actor, note=note or _("同意"))
    if not problems:
        review.closed_on = day
        _move(review, S.CLOSED, actor=actor, note=_("未发现问题，审查办结"))
    body = _("审查结论：%(r)s。") % {"r": result_label}
    if problems:
        body += _("发现问题 %(n)d 项，请于 %(due)s 前完成整改并在系统中报告整改情况：") % {
            "n": len(problems),
            "due": _cn(review.rectification_due),
        }
        body += "".join(
            f"\n{p.number}. 【{p.get_area_display()}】{p.description}（{p.legal_basis}）"
            for p in problems
        )
    _tell_employer(
        review,
        key="result",
        subject=_("书面审查结果：%(plan)s") % {"plan": plan},
        body=body,
    )
    if review.suggestion_no:
        from . import tasks

        transaction.on_commit(lambda: tasks.start(tasks.make_suggestion, review_id=review.pk))
    return review


# --- feedback and rectification ----------------------------------------------------------------


def _lock_problem(problem: Problem) -> tuple[Problem, Review]:
    review = _lock(problem.review)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    return problem, review


@transaction.atomic
def file_case(
    *, actor, problem: Problem, case_no: str, today: datetime.date | None = None
) -> Problem:
    """立案 (seed 002 三(一)4): the problem is handled as a case; its violation record gets the
    case number (a correction entry), so grading counts the case once."""
    problem, review = _lock_problem(problem)
    _require_staff_for(actor, review)
    case_no = (case_no or "").strip()
    if not case_no:
        raise ReviewError(_("请填写立案编号"))
    if len(case_no) > 64:
        raise ReviewError(_("立案编号过长（最多 64 字）"))
    if review.status not in (S.APPROVED, S.CLOSED):
        raise ReviewError(_("审查结果经审批后才能立案"))
    if problem.case_no:
        raise ReviewError(_("该问题已立案（%(no)s）") % {"no": problem.case_no})
    problem.handling = Handling.CASE
    problem.case_no = case_no
    problem.case_filed_on = _today(today)
    if problem.record_id:
        problem.record = correct_record(
            actor=actor,
            record=problem.record,
            reason=_("书面审查发现的问题立案调查，案件编号 %(no)s") % {"no": case_no},
            case_no=case_no,
        )
    problem.save()
    _audit(actor, "problem.case", review, path=_path(review),
           after={"problem": problem.number, "case_no": case_no})  # fmt: skip
    return problem


@transaction.atomic
def report_rectification(*, actor, problem: Problem, text: str, uploads=()) -> RectificationReport:
    problem, review = _lock_problem(problem)
    _require_owner(actor, review)
    if review.status != S.APPROVED:
        raise ReviewError(_("当前没有需要整改的问题"))
    if problem.rectification not in (
        RectificationStatus.PENDING,
        RectificationStatus.REJECTED,
        RectificationStatus.OVERDUE,
    ):
        raise ReviewError(_("该问题的整改情况已报告或已通过核验"))
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("请写明整改情况"))
    checked = _check_files(list(uploads))
    if not checked:
        raise ReviewError(_("请上传整改佐证材料"))
    report = RectificationReport.objects.create(
        problem=problem, text=text, submitted_by=_saved(actor)
    )
    _store(review, checked, actor=actor, doc_type=DocType.RECTIFICATION, report=report)
    problem.rectification = RectificationStatus.REPORTED
    problem.save(update_fields=["rectification"])
    _audit(actor, "rectification.report", review, path=_path(review),
           after={"problem": problem.number, "files": len(checked)}, note=text)  # fmt: skip
    return report


@transaction.atomic
def decide_rectification(
    *, actor, report: RectificationReport, accept: bool, note: str = "",
    today: datetime.date | None = None,
) -> RectificationReport:  # fmt: skip
    """The inspector accepts or rejects a rectification report. When the last problem is
    accepted, every violation record of the review is corrected to 已整改 (SPEC §10.6) and the
    review is closed."""
    problem, review = _lock_problem(report.problem)
    _require_staff_for(actor, review)
    report = RectificationReport.objects.select_for_update().get(pk=report.pk)
    if report.accepted is not None or problem.rectification != RectificationStatus.REPORTED:
        raise ReviewError(_("该整改报告已经核验"))
    note = (note or "").strip()
    if not accept and not note:
        raise ReviewError(_("不予通过时请写明理由"))
    day = _today(today)
    report.accepted = bool(accept)
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.decision_note = note
    report.save()
    problem.rectification = RectificationStatus.ACCEPTED if accept else RectificationStatus.REJECTED
    problem.rectified_on = day if accept else None
    problem.save(update_fields=["rectification", "rectified_on"])
    _audit(actor, "rectification.decide", review, path=_path(review),
           after={"problem": problem.number, "accepted": bool(accept)}, note=note)  # fmt: skip
    if accept and not review.problems.exclude(rectification=RectificationStatus.ACCEPTED).exists():
        for p in review.problems.filter(record__isnull=False).order_by("number"):
            p.record = correct_record(
                actor=actor,
                record=p.record,
                reason=_("书面审查问题整改经核验通过（%(d)s）") % {"d": _cn(day)},
                rectification="rectified",
            )
            p.save(update_fields=["record"])
        review.closed_on = day
        _move(review, S.CLOSED, actor=actor, note=_("问题全部整改完毕"))
    if not accept:
        _tell_employer(
            review,
            key=f"rectification-rejected:{report.pk}",
            subject=_("整改情况未通过核验：%(plan)s") % {"plan": review.plan},
            body=_("问题 %(n)d 的整改情况未通过核验：%(note)s")
            % {"n": problem.number, "note": note},
        )
    return report


@transaction.atomic
def mark_unrectified(*, actor, problem: Problem, today: datetime.date | None = None) -> Problem:
    """After the year-end due date an unrectified problem is 逾期未整改 and its violation record
    is corrected so (grading's outstanding rules read it)."""
    problem, review = _lock_problem(problem)
    _require_staff_for(actor, review)
    day = _today(today)
    if (
        review.status != S.APPROVED
        or not review.rectification_due
        or day <= review.rectification_due
    ):
        raise ReviewError(_("整改期限尚未届满"))
    if problem.rectification not in (RectificationStatus.PENDING, RectificationStatus.REJECTED):
        raise ReviewError(_("该问题不是未整改状态"))
    problem.rectification = RectificationStatus.OVERDUE
    if problem.record_id:
        problem.record = correct_record(
            actor=actor,
            record=problem.record,
            reason=_("整改期限 %(d)s 届满未整改") % {"d": _cn(review.rectification_due)},
            rectification="not_rectified",
        )
    problem.save()
    _audit(actor, "rectification.overdue", review, path=_path(review),
           after={"problem": problem.number})  # fmt: skip
    return problem


# --- late or missing declarations (seed 002 五; 劳动保障监察条例 第三十条) -----------------------


def is_overdue(review: Review, today: datetime.date) -> bool:
    return (
        review.status in AWAITING_DECLARATION
        and review.due_date is not None
        and review.due_date < today
    )


@transaction.atomic
def issue_late_order(
    *, actor, review: Review, new_due_date: datetime.date, document_no: str = "",
    note: str = "", today: datetime.date | None = None,
) -> LateOrder:  # fmt: skip
    """责令限期申报: the declaration is due by a new date."""
    review = _lock(review)
    _require_staff_for(actor, review)
    day = _today(today)
    if not is_overdue(review, day):
        raise ReviewError(_("只有逾期未申报的单位可以责令限期申报"))
    if new_due_date is None or new_due_date <= day:
        raise ReviewError(_("限期申报日期应晚于今天"))
    order = LateOrder.objects.create(
        review=review,
        issued_on=day,
        new_due_date=new_due_date,
        document_no=(document_no or "").strip()[:100],
        note=(note or "").strip(),
        issued_by=actor,
    )
    before = {"due_date": str(review.due_date)}
    review.due_from, review.due_days = day, None
    review.due_date, review.due_pending_year = new_due_date, None
    review.save()
    _audit(actor, "late_order", review, path=_path(review), before=before,
           after={"due_date": str(new_due_date), "document_no": order.document_no})  # fmt: skip
    _tell_employer(
        review,
        key=f"order:{order.pk}",
        subject=_("责令限期申报：%(plan)s") % {"plan": review.plan},
        body=_("你单位未按期申报书面审查材料。请于 %(due)s 前完成申报；逾期仍不申报的，将依照"
               "《劳动保障监察条例》第三十条处理。%(no)s")
        % {"due": _cn(new_due_date), "no": order.document_no},
    )  # fmt: skip
    return order


@transaction.atomic
def record_obstruction(
    *, actor, review: Review, date: datetime.date, summary: str,
    today: datetime.date | None = None,
) -> Review:  # fmt: skip
    """An ``obstruction`` record (无理抗拒、阻挠劳动保障监察) through the ledger. Interpretation
    of seed 002 五 (责令其限期改正，并依照第三十条进行行政处罚): only after an order to declare
    by a new date has been ignored."""
    review = _lock(review)
    _require_staff_for(actor, review)
    day = _today(today)
    summary = (summary or "").strip()
    if not summary:
        raise ReviewError(_("请写明拒不申报的情况"))
    if review.obstruction_record_id:
        raise ReviewError(_("已记录过该单位阻挠监察的情况"))
    order = review.orders.order_by("-issued_on", "-pk").first()
    if order is None or not is_overdue(review, day):
        raise ReviewError(_("须先责令限期申报，逾期仍未申报的才能记录"))
    if date is None or date > day or date < order.new_due_date:
        raise ReviewError(_("发生日期应在限期申报日期之后、不晚于今天"))
    review.obstruction_record = add_record(
        actor=actor,
        employer=review.employer,
        kind="obstruction",
        date=date,
        source="written_review",
        document_no=order.document_no,
        summary=summary,
        department=review.plan.jurisdiction.authority or review.plan.jurisdiction.name,
    )
    review.save()
    _audit(actor, "obstruction", review, path=_path(review),
           after={"record": review.obstruction_record_id}, note=summary)  # fmt: skip
    return review
