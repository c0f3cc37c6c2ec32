"""The annual cycle from computed grades to a published list (SPEC §8; seed 002 四; seed 003 二、四).

computed → under review → public notice (公示, ≥ 5 working days) → final → published. The grading
app moves a cycle from open to computed (and into under review on the first override proposal);
every move from there on is a function here, made by a publisher (发布管理员) of the cycle's
jurisdiction, under a row lock on the cycle, with a ``CycleTransition`` row and an audit entry in
the same transaction. The allowed moves are declared once, in ``TRANSITIONS``.

Publishing is a background job (``publication.publishing``): it writes a ``PublishedResult``
snapshot per graded employer in chunks and one outbox message per result, and moves the cycle to
published in its last transaction; published results never change. A later correction is a dated
``PublishedAdjustment``, itself published and pushed to the platform.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from credit_records.periods import cn_date as _cn_date
from employers.choices import Role
from employers.paths import in_subtree
from grading.choices import CycleStatus
from grading.models import Cycle

from . import hooks, outbox
from .choices import JobKind, JobStatus
from .models import (
    CycleTransition,
    DocumentJob,
    PublishedAdjustment,
    PublishedResult,
)
from .results import pending_overrides, undecided_objections

logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, set[str]] = {
    CycleStatus.COMPUTED: {CycleStatus.UNDER_REVIEW},
    CycleStatus.UNDER_REVIEW: {CycleStatus.PUBLIC_NOTICE},
    CycleStatus.PUBLIC_NOTICE: {CycleStatus.FINAL},
    CycleStatus.FINAL: {CycleStatus.PUBLISHED},
}

# Seed 002 四(二): 拟评价结果公示不少于5个工作日.
NOTICE_WORKDAYS = 5

# Seed 002 四(二): 对拟评为C级的企业应按规定进行书面告知 (see publication.notices).
NOTICE_GRADES = ("C", "D")

TOPIC_PUBLISHED = "grade.published"
TOPIC_ADJUSTED = "grade.adjusted"

PUBLISHERS = (Role.PUBLISHER,)
# Who may record an adjustment of a published result (after 复评 or a D employer's correction,
# seed 000 第二十一条): the publisher, or the supervisor who decided it.
ADJUSTERS = (Role.PUBLISHER, Role.SUPERVISOR)


class WorkflowError(Exception):
    """A step that the rules do not allow now; the message says why, in Chinese."""


def in_scope(actor, cycle) -> bool:
    """The cycle's jurisdiction is the actor's own or below it."""
    if not actor.jurisdiction_id:
        return False
    own = actor.jurisdiction.path
    path = cycle.jurisdiction.path
    return in_subtree(path, own)


def _check_actor(actor, cycle, roles=PUBLISHERS) -> None:
    if not (actor is not None and actor.has_role(*roles) and in_scope(actor, cycle)):
        raise PermissionDenied(_("只有本辖区的发布管理员可以办理此步骤"))


def _lock(cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("jurisdiction").get(pk=cycle.pk)


def check_transition(cycle: Cycle, to: str) -> None:
    if to not in TRANSITIONS.get(cycle.status, set()):
        raise WorkflowError(
            _("周期当前状态为“%(from)s”，不能转为“%(to)s”")
            % {"from": cycle.get_status_display(), "to": CycleStatus(to).label}
        )


def _move(cycle: Cycle, to: str, *, actor, note: str = "", **fields) -> Cycle:
    check_transition(cycle, to)
    before = cycle.status
    cycle.status = to
    for name, value in fields.items():
        setattr(cycle, name, value)
    cycle.save(update_fields=["status", "updated_at", *fields])
    CycleTransition.objects.create(
        cycle=cycle, from_status=before, to_status=to, actor=actor, note=note
    )
    write_audit(
        actor=actor,
        action=f"publication.cycle_{to}",
        obj=cycle,
        jurisdiction_path=cycle.jurisdiction.path,
        before={"status": before},
        after={"status": to, **{k: _json(v) for k, v in fields.items()}},
        note=note,
    )
    return cycle


def _json(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def authority_of(cycle) -> str:
    """The bureau that grades and publishes (评价单位)."""
    return cycle.jurisdiction.authority or cycle.jurisdiction.name


# --- under review ------------------------------------------------------------------------------


@transaction.atomic
def start_review(*, cycle: Cycle, actor, note: str = "") -> Cycle:
    """Computed grades go to manual review (seed 002 四(一): 人工审查)."""
    cycle = _lock(cycle)
    _check_actor(actor, cycle)
    return _move(cycle, CycleStatus.UNDER_REVIEW, actor=actor, note=note)


# --- written notices ---------------------------------------------------------------------------
# SPEC §8 [r2]: made when the public notice starts (``start_public_notice`` queues the job);
# the rules of the basis are in ``publication.notices``.


def notice_rows(cycle, rows=None) -> list:
    from .notices import notice_rows as rows_needing_notice

    return rows_needing_notice(cycle, rows)


def notices_missing(cycle, rows=None) -> list:
    from .notices import notices_missing as missing

    return missing(cycle, rows)


@transaction.atomic
def request_written_notices(*, cycle: Cycle, actor) -> DocumentJob:
    """Issue the written notices still owed (SPEC §8 [r2]: they are issued when the public notice
    starts; this makes them again after a failed job, or for a grade changed during the notice)."""
    cycle = _lock(cycle)
    _check_actor(actor, cycle)
    if cycle.status != CycleStatus.PUBLIC_NOTICE:
        raise WorkflowError(_("书面告知书在公示开始时生成；公示期间可重新生成缺少或需更新的告知书"))
    job = _queue_job(cycle, JobKind.WRITTEN_NOTICES, actor)
    write_audit(
        actor=actor,
        action="publication.written_notices_requested",
        obj=cycle,
        jurisdiction_path=cycle.jurisdiction.path,
        after={"job": job.pk},
    )
    return job


def _queue_job(cycle, kind, actor) -> DocumentJob:
    from .jobs import is_stale

    busy = DocumentJob.objects.filter(
        cycle=cycle, kind=kind, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
    if busy is not None and not is_stale(busy):
        return busy
    job = DocumentJob.objects.create(cycle=cycle, kind=kind, requested_by=actor)
    transaction.on_commit(lambda: _start_job(job.pk))
    return job


def _start_job(job_id: int) -> None:
    from .tasks import make_documents, start

    try:
        start(make_documents, job_id=job_id)
    except Exception:
        # Without a broker the job runs here, after the step has committed: its failure is on
        # the job row (shown with a "重新生成" button) and must not undo or hide the step.
        logger.exception("document job %s failed", job_id)


# --- public notice -----------------------------------------------------------------------------


@transaction.atomic
def start_public_notice(
    *,
    cycle: Cycle,
    actor,
    start: dt.date,
    today: dt.date | None = None,
    title: str = "",
    document_no: str = "",
    how_to_object: str = "",
    contact: str = "",
) -> Cycle:
    """Put the reviewed grades on public notice for 5 working days from ``start`` (SPEC §6: the
    first 5 working days from ``start`` inclusive), once no override waits for the supervisor.

    SPEC §8 [r2]: the proposed list is public at once on the notice page (title, 文号 entered by
    the publisher, period, how and where to object, contact), and the written notices to every
    employer proposed C (or D) are issued now, by a background job queued after commit."""
    from objections.calendar import CalendarNotLoaded, notice_days

    from .notices import create_public_notice

    cycle = _lock(cycle)
    _check_actor(actor, cycle)
    check_transition(cycle, CycleStatus.PUBLIC_NOTICE)
    today = today or timezone.localdate()
    if start < today:
        raise WorkflowError(_("公示开始日期不能早于今天"))
    blocked = hooks.notice_blockers(cycle, today)
    if blocked:
        raise WorkflowError("；".join(blocked))
    waiting = pending_overrides(cycle)
    if waiting:
        raise WorkflowError(
            _("尚有 %(n)d 项人工复核等待负责人审批，审批完成后方可公示") % {"n": waiting}
        )
    try:
        days = notice_days(start, NOTICE_WORKDAYS)
    except CalendarNotLoaded as exc:
        raise WorkflowError(str(exc)) from None
    cycle = _move(
        cycle,
        CycleStatus.PUBLIC_NOTICE,
        actor=actor,
        notice_start=start,
        notice_end=days[-1],
    )
    create_public_notice(
        cycle=cycle,
        actor=actor,
        start=start,
        end=days[-1],
        title=title,
        document_no=document_no,
        how_to_object=how_to_object,
        contact=contact,
    )
    _queue_job(cycle, JobKind.WRITTEN_NOTICES, actor)
    return cycle


def earliest_final_date(cycle) -> dt.date:
    """SPEC §6: finalisable on the next working day after the notice days."""
    from objections.calendar import next_workday

    return next_workday(cycle.notice_end)


@transaction.atomic
def finalise(*, cycle: Cycle, actor, today: dt.date | None = None, note: str = "") -> Cycle:
    """Close the public notice: not before it has run its days, not while an objection of the
    cycle is undecided (seed 002 四(二); seed 003 二(四): 评价结果经公示无异议后确定)."""
    from objections.calendar import CalendarNotLoaded

    cycle = _lock(cycle)
    _check_actor(actor, cycle)
    check_transition(cycle, CycleStatus.FINAL)
    today = today or timezone.localdate()
    try:
        earliest = earliest_final_date(cycle)
    except CalendarNotLoaded as exc:
        raise WorkflowError(str(exc)) from None
    if today < earliest:
        raise WorkflowError(
            _("公示期至%(end)s结束，%(earliest)s起方可确定结果")
            % {"end": _cn_date(cycle.notice_end), "earliest": _cn_date(earliest)}
        )
    open_objections = undecided_objections(cycle).count()
    if open_objections:
        raise WorkflowError(
            _("尚有 %(n)d 件异议未办结，办结后方可确定结果") % {"n": open_objections}
        )
    return _move(cycle, CycleStatus.FINAL, actor=actor, note=note, finalised_at=timezone.now())


# --- publication -------------------------------------------------------------------------------


def result_payload(result: PublishedResult, cycle: Cycle) -> dict:
    return {
        "uscc": result.uscc,
        "name": result.name,
        "year": result.year,
        "grade": result.grade,
        "ruleset": result.ruleset_code,
        "ruleset_version": result.ruleset_version,
        "rules": result.rules,
        "authority": authority_of(cycle),
        "jurisdiction": cycle.jurisdiction.code,
        "published_on": timezone.localdate(result.published_at).isoformat(),
    }


@transaction.atomic
def publish(*, cycle: Cycle, actor, note: str = "", inline: bool | None = None) -> Cycle:
    """Publish the final list once (seed 002 四(三)): this step checks and starts a background
    job (``publication.publishing``) that snapshots every graded employer's result in chunks,
    queues its push to the shared credit platform (seed 002 四(四)1), moves the cycle to
    published and then makes the documents. The request only starts it.

    ``inline`` (default: when Celery runs eagerly, i.e. without a broker) runs the job here, in
    this transaction, as before — the demo and the tests on SQLite need no worker."""
    from django.conf import settings

    from . import jobs

    cycle = _lock(cycle)
    _check_actor(actor, cycle)
    if cycle.status == CycleStatus.PUBLISHED or cycle.published_at:
        raise WorkflowError(_("该周期的结果已经公布，不能重复公布"))
    check_transition(cycle, CycleStatus.PUBLISHED)
    busy = DocumentJob.objects.filter(
        cycle=cycle, kind=JobKind.PUBLISH, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
    if busy is not None and not jobs.is_stale(busy):
        raise WorkflowError(_("该周期正在公布，请稍候"))
    job = busy or DocumentJob.objects.create(
        cycle=cycle,
        kind=JobKind.PUBLISH,
        requested_by=actor,
        meta={"published_at": timezone.now().isoformat(), "note": note},
    )
    write_audit(
        actor=actor,
        action="publication.publish_requested",
        obj=cycle,
        jurisdiction_path=cycle.jurisdiction.path,
        after={"job": job.pk},
    )
    if settings.CELERY_TASK_ALWAYS_EAGER if inline is None else inline:
        jobs.run(job.pk)
        cycle.refresh_from_db()
    else:
        transaction.on_commit(lambda: _start_job(job.pk))
    return cycle


def publish_job(cycle) -> DocumentJob | None:
    """The latest publishing job of a cycle (its progress is on the cycle page)."""
    return DocumentJob.objects.filter(cycle=cycle, kind=JobKind.PUBLISH).first()


@transaction.atomic
def remake_documents(*, cycle: Cycle, actor) -> DocumentJob:
    """Make the documents of a published cycle again (after a failed job); the content comes
    from the published snapshot, so it is the same list."""
    cycle = _lock(cycle)
    _check_actor(actor, cycle)
    if cycle.status != CycleStatus.PUBLISHED:
        raise WorkflowError(_("周期尚未公布"))
    job = _queue_job(cycle, JobKind.PUBLICATION, actor)
    write_audit(
        actor=actor,
        action="publication.documents_remade",
        obj=cycle,
        jurisdiction_path=cycle.jurisdiction.path,
        after={"job": job.pk},
    )
    return job


def current_grade(result: PublishedResult) -> str:
    """The published grade now in force: the latest adjustment's, else the original (reads
    prefetched ``adjustments`` when there are)."""
    adjustments = list(result.adjustments.all())
    if not adjustments:
        return result.grade
    return max(adjustments, key=lambda a: (a.effective_date, a.pk)).new_grade


@transaction.atomic
def adjust_published_result(
    *,
    result: PublishedResult,
    new_grade: str,
    effective_date: dt.date,
    public_note: str,
    reason: str,
    actor,
    reference: str = "",
) -> PublishedAdjustment:
    """Record a dated correction of a published result and publish it as such (SPEC §8)."""
    from grading import rulesets

    result = (
        PublishedResult.objects.select_for_update()
        .select_related("cycle__jurisdiction")
        .get(pk=result.pk)
    )
    cycle = result.cycle
    _check_actor(actor, cycle, roles=ADJUSTERS)
    try:
        grades = rulesets.get(result.ruleset_code, result.ruleset_version).grades
    except KeyError:
        grades = ("A", "B", "C", "D")
    if new_grade not in grades:
        raise WorkflowError(_("等级“%(g)s”不属于该评价办法") % {"g": new_grade})
    old_grade = current_grade(result)
    if new_grade == old_grade:
        raise WorkflowError(_("调整后的等级与现行公布等级相同"))
    if effective_date < timezone.localdate(result.published_at):
        raise WorkflowError(_("调整日期不能早于结果公布日期"))
    if effective_date > timezone.localdate():
        raise WorkflowError(_("调整日期不能晚于今天"))
    if not public_note.strip() or not reason.strip():
        raise WorkflowError(_("请填写公告说明和调整理由"))
    adjustment = PublishedAdjustment.objects.create(
        result=result,
        effective_date=effective_date,
        old_grade=old_grade,
        new_grade=new_grade,
        public_note=public_note.strip(),
        reason=reason.strip(),
        reference=reference,
        decided_by=actor,
    )
    outbox.enqueue(
        topic=TOPIC_ADJUSTED,
        key=f"{result.uscc}:{result.ruleset_code}:{result.year}",
        payload={
            **result_payload(result, cycle),
            "grade": new_grade,
            "original_grade": result.grade,
            "previous_grade": old_grade,
            "effective_date": effective_date.isoformat(),
            "note": adjustment.public_note,
            "adjustment_id": adjustment.pk,
        },
        jurisdiction_path=cycle.jurisdiction.path,
    )
    write_audit(
        actor=actor,
        action="publication.result_adjusted",
        obj=result,
        jurisdiction_path=cycle.jurisdiction.path,
        before={"grade": old_grade},
        after={
            "grade": new_grade,
            "effective_date": effective_date.isoformat(),
            "reference": reference,
        },
        note=reason,
    )
    return adjustment
