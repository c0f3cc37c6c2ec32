"""Dated adjustments the system proposes for the publisher to confirm (services: keyword-only,
atomic, audited).

- **After a repair** (SPEC §7 [r2]): a record whose repair was approved on day R no longer counts
  from R; a *published* cycle grade that would be different with the repair taken into account
  gets a proposed dated adjustment from R (seed 003 二（四）: 纠正失信行为、消除不良影响的，可申请
  上调信用等级). The grade stored for the cycle stays as it was (computed before R).
- **jiaxian 第二十一条** (SPEC §5.1 [r2]): “对已纠正违法行为且履行行政处罚决定的，应当在评价周期满后
  5个工作日内调整其信用等级” — when a jiaxian cycle has ended, every employer graded D in it whose
  live grade as of the first day after the cycle is no longer D gets an item due 5 working days
  after the cycle's last day (SPEC §6 counting), in the publisher's queue.

Confirming a proposal publishes a ``PublishedAdjustment`` (``services.adjust_published_result``):
published results never change, the adjustment is itself published and pushed to the platform.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from credit_records.audit import snapshot, write_audit
from grading.choices import CycleStatus

from .models import AdjustmentProposal, AdjustmentSource, ProposalStatus, PublishedResult

# jiaxian 第二十一条: 评价周期满后5个工作日内.
ARTICLE_21_WORKDAYS = 5


def _create(**fields) -> AdjustmentProposal | None:
    """Create a proposal once (unique per cycle, employer, source and reference)."""
    if AdjustmentProposal.objects.filter(
        cycle=fields["cycle"],
        employer=fields["employer"],
        source=fields["source"],
        reference=fields["reference"],
    ).exists():
        return None
    try:
        with transaction.atomic():
            proposal = AdjustmentProposal.objects.create(**fields)
    except IntegrityError:
        return None  # made meanwhile by another run
    write_audit(
        actor=None,
        action="publication.adjustment_proposed",
        obj=proposal,
        jurisdiction_path=proposal.cycle.jurisdiction.path,
        after=snapshot(proposal),
    )
    return proposal


# --- after a repair -------------------------------------------------------------------------------


def propose_after_repair(*, application, repaired_on: dt.date) -> list[AdjustmentProposal]:
    """For each published grade of the repaired employer that the repair changes, propose a
    dated adjustment from ``repaired_on``. Called after the repair's approval has committed."""
    from grading.selectors import cycle_grade_with_repairs

    from .services import current_grade

    made = []
    results = (
        PublishedResult.objects.filter(employer_id=application.employer_id)
        .select_related("cycle__jurisdiction", "employer")
        .prefetch_related("adjustments")
    )
    for result in results:
        recomputed = cycle_grade_with_repairs(
            result.employer_id,
            year=result.year,
            ruleset_code=result.ruleset_code,
            version=result.ruleset_version,
            repaired_by=repaired_on,
        )
        if recomputed is None:
            continue
        new_grade, new_rules = recomputed
        # The repair changes the computed grade: that is what a repair can adjust (a grade a
        # manual review set stays the reviewer's).
        if new_grade == (result.computed_grade or result.grade) or not new_grade:
            continue
        now_grade = current_grade(result)
        if new_grade == now_grade:
            continue
        proposal = _create(
            source=AdjustmentSource.REPAIR,
            cycle=result.cycle,
            employer=result.employer,
            current_grade=now_grade,
            proposed_grade=new_grade,
            proposed_rules=list(new_rules),
            effective_date=repaired_on,
            basis=_(
                "%(day)s准予信用修复（信用修复申请 编号 %(pk)s），该失信记录自修复之日起不再作为"
                "评价依据；按修复后的信用记录重新计算，%(year)s年度等级由%(old)s级调整为%(new)s级。"
            )
            % {
                "day": date_format(repaired_on),
                "pk": application.pk,
                "year": result.year,
                "old": now_grade,
                "new": new_grade,
            },
            reference=_("信用修复申请 编号 %(pk)s") % {"pk": application.pk},
        )
        if proposal is not None:
            made.append(proposal)
    return made


def on_case_closed(sender, *, case, outcome, **kwargs) -> None:
    """``objections.signals.case_closed`` (after commit): an approved repair may change a
    published grade."""
    from objections.choices import RepairOutcome
    from objections.models import RepairApplication

    if not isinstance(case, RepairApplication) or outcome != RepairOutcome.APPROVED:
        return
    propose_after_repair(
        application=case, repaired_on=case.publicity_ends_on or timezone.localdate()
    )


# --- jiaxian 第二十一条 -------------------------------------------------------------------------------


def article21_due(cycle) -> tuple[dt.date | None, int | None]:
    """5 working days after the cycle's last day (start day not counted, SPEC §6)."""
    from objections.calendar import CalendarNotLoaded, add_workdays

    try:
        return add_workdays(dt.date(cycle.year, 12, 31), ARTICLE_21_WORKDAYS), None
    except CalendarNotLoaded as exc:
        return None, exc.year


def make_article21_items(*, today: dt.date | None = None) -> int:
    """The nightly task: items for every jiaxian cycle that has ended (its last day is past)
    in the last two years. Safe to run twice (one item per cycle and employer)."""
    from grading.models import Cycle
    from grading.selectors import cycle_results, grades_as_of

    today = today or timezone.localdate()
    made = 0
    cycles = Cycle.objects.filter(
        ruleset_code="jiaxian",
        year__lt=today.year,
        year__gte=today.year - 2,
        run__isnull=False,
    ).select_related("jurisdiction")
    for cycle in cycles:
        d_rows = [row for row in cycle_results(cycle) if row.final_grade == "D"]
        if not d_rows:
            continue
        day_after = dt.date(cycle.year + 1, 1, 1)
        live = grades_as_of([row.employer.pk for row in d_rows], day_after)
        due_date, pending_year = article21_due(cycle)
        for row in d_rows:
            grade, rules, _version = live.get(row.employer.pk, {}).get("jiaxian", ("D", (), ""))
            if grade == "D":
                continue
            proposal = _create(
                source=AdjustmentSource.ARTICLE_21,
                cycle=cycle,
                employer=row.employer,
                current_grade="D",
                proposed_grade=grade,
                proposed_rules=list(rules),
                effective_date=day_after,
                due_date=due_date,
                due_pending_year=pending_year,
                basis=_(
                    "郏县办法第二十一条：评价为D级的用人单位已纠正违法行为、履行行政处罚决定的，应当在"
                    "评价周期满后5个工作日内调整其信用等级。按%(day)s的信用记录评价为%(grade)s级。"
                )
                % {"day": date_format(day_after), "grade": grade or _("未评级")},
                reference=_("%(year)s年度评价周期第二十一条调整") % {"year": cycle.year},
            )
            made += proposal is not None
    return made


# --- the publisher's decision ---------------------------------------------------------------------


def _check(actor, proposal) -> None:
    from .services import ADJUSTERS, in_scope

    if not (actor is not None and actor.has_role(*ADJUSTERS) and in_scope(actor, proposal.cycle)):
        raise PermissionDenied(_("只有本辖区的发布管理员可以办理等级调整"))


@transaction.atomic
def confirm_proposal(
    *, proposal, actor, public_note: str, effective_date: dt.date | None = None
) -> AdjustmentProposal:
    """Publish the proposed adjustment as a dated adjustment of the published result."""
    from .services import WorkflowError, adjust_published_result

    proposal = (
        AdjustmentProposal.objects.select_for_update()
        .select_related("cycle__jurisdiction", "employer")
        .get(pk=proposal.pk)
    )
    _check(actor, proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise WorkflowError(_("该调整建议已办理"))
    if proposal.cycle.status != CycleStatus.PUBLISHED:
        raise WorkflowError(
            _("该周期的结果尚未公布，请在人工复核中调整等级（可引用本建议：%(ref)s）")
            % {"ref": proposal.reference}
        )
    result = PublishedResult.objects.filter(
        cycle=proposal.cycle, employer=proposal.employer
    ).first()
    if result is None:
        raise WorkflowError(_("该单位不在本周期的公布名单中"))
    if not proposal.proposed_grade:
        raise WorkflowError(_("建议为不予评级的，请在公布名单中另行处理"))
    published_on = timezone.localdate(result.published_at)
    day = effective_date or max(proposal.effective_date, published_on)
    adjustment = adjust_published_result(
        result=result,
        new_grade=proposal.proposed_grade,
        effective_date=day,
        public_note=public_note,
        reason=proposal.basis,
        actor=actor,
        reference=proposal.reference[:100],
    )
    before = snapshot(proposal)
    proposal.status = ProposalStatus.CONFIRMED
    proposal.adjustment = adjustment
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    write_audit(
        actor=actor,
        action="publication.adjustment_confirmed",
        obj=proposal,
        jurisdiction_path=proposal.cycle.jurisdiction.path,
        before=before,
        after=snapshot(proposal),
    )
    return proposal


@transaction.atomic
def dismiss_proposal(*, proposal, actor, note: str) -> AdjustmentProposal:
    from .services import WorkflowError

    proposal = AdjustmentProposal.objects.select_for_update().get(pk=proposal.pk)
    _check(actor, proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise WorkflowError(_("该调整建议已办理"))
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("不予调整时必须说明理由"))
    before = snapshot(proposal)
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save()
    write_audit(
        actor=actor,
        action="publication.adjustment_dismissed",
        obj=proposal,
        jurisdiction_path=proposal.cycle.jurisdiction.path,
        before=before,
        after=snapshot(proposal),
        note=note,
    )
    return proposal
