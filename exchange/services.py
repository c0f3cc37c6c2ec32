"""Writes of the exchange app (keyword-only, atomic, audited in the same transaction).

- consultation before public notice (seed 002 四(二)): the publisher sends the proposed list of a
  cycle to the sister units with a reply date; each unit records no objection, or objections per
  employer with reasons; ``consultation_blocker`` holds the public notice until every unit has
  answered or the reply date has passed;
- certificates (seed 002 四(三)): an employer's certificate of one of its published grades;
- distribution files (seed 002 四(四)1): a job that makes them in the background.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from credit_records.periods import cn_date as _cn_date
from employers.choices import Role
from grading.choices import CycleStatus

from . import selectors
from .choices import JobStatus, ReplyStatus
from .models import (
    Certificate,
    Consultation,
    ConsultationObjection,
    ConsultationReply,
    DistributionJob,
)

logger = logging.getLogger(__name__)

# A consultation goes out while the grades are being reviewed, before the public notice.
CONSULTABLE = (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW)


class ExchangeError(Exception):
    """A step the rules do not allow now; the message says why, in Chinese."""


def _publisher_of(actor, cycle) -> None:
    from publication.services import in_scope

    if not (actor is not None and actor.has_role(Role.PUBLISHER) and in_scope(actor, cycle)):
        raise PermissionDenied(_("只有本辖区的发布管理员可以办理此步骤"))


# --- consultation ------------------------------------------------------------------------------


@transaction.atomic
def send_consultation(
    *, cycle, actor, reply_by: dt.date, message: str = "", today: dt.date | None = None
) -> Consultation:
    """Send the proposed list of ``cycle`` to every active sister unit of its jurisdiction."""
    from grading.models import Cycle
    from grading.selectors import cycle_grades

    cycle = Cycle.objects.select_for_update().select_related("jurisdiction").get(pk=cycle.pk)
    _publisher_of(actor, cycle)
    today = today or timezone.localdate()
    if cycle.status not in CONSULTABLE:
        raise ExchangeError(_("只能在公示开始前征求意见"))
    if Consultation.objects.filter(cycle=cycle).exists():
        raise ExchangeError(_("本周期已经征求过意见"))
    if reply_by < today:
        raise ExchangeError(_("答复期限不能早于今天"))
    units = list(selectors.units_for(cycle))
    if not units:
        raise ExchangeError(_("本辖区没有登记征求意见单位，请系统管理员先登记"))
    consultation = Consultation.objects.create(
        cycle=cycle,
        sent_by=actor,
        reply_by=reply_by,
        message=message.strip(),
        proposed_count=cycle_grades(cycle).exclude(grade="").count(),
    )
    ConsultationReply.objects.bulk_create(
        [ConsultationReply(consultation=consultation, unit=unit) for unit in units]
    )
    write_audit(
        actor=actor,
        action="exchange.consultation_sent",
        obj=consultation,
        jurisdiction_path=cycle.jurisdiction.path,
        after={
            "cycle": cycle.pk,
            "reply_by": reply_by.isoformat(),
            "units": [u.name for u in units],
            "proposed": consultation.proposed_count,
        },
    )
    return consultation


def consultation_blocker(cycle, today) -> str | None:
    """publication's notice blocker (``publication.hooks``): the notice waits for the sister units
    (seed 002 四(二): 征求…意见，拟评价结果公示不少于5个工作日 — consultation comes first).

    Interpretation: a jurisdiction that has sister units registered must consult them; one that
    has none registered is not held (the sysadmin registers the units of a bureau that consults).
    """
    consultation = Consultation.objects.filter(cycle=cycle).first()
    if consultation is None:
        if selectors.units_for(cycle).exists():
            return _("尚未向征求意见单位征求意见，请先发送征求意见")
        return None
    pending = consultation.replies.filter(status=ReplyStatus.PENDING).count()
    if pending and today <= consultation.reply_by:
        return _("尚有 %(n)d 个征求意见单位未答复，全部答复或答复期限（%(day)s）届满后方可公示") % {
            "n": pending,
            "day": _cn_date(consultation.reply_by),
        }
    return None


def _lock_reply(reply, actor) -> ConsultationReply:
    reply = (
        ConsultationReply.objects.select_for_update()
        .select_related("unit", "consultation__cycle__jurisdiction")
        .get(pk=reply.pk)
    )
    unit = selectors.unit_of(actor)
    if unit is None or unit.pk != reply.unit_id:
        raise PermissionDenied(_("只有该征求意见单位的账号可以答复"))
    if reply.status != ReplyStatus.PENDING:
        raise ExchangeError(_("本单位已经答复，不能再修改"))
    if reply.consultation.cycle.status not in CONSULTABLE:
        raise ExchangeError(_("评价结果已进入公示，不再接受征求意见答复"))
    return reply


@transaction.atomic
def add_objection(*, reply, grade, reason: str, actor) -> ConsultationObjection:
    """A unit's objection to one employer's proposed grade (``grade``: its Grade row)."""
    from grading.selectors import approved_overrides, cycle_grades

    reply = _lock_reply(reply, actor)
    cycle = reply.consultation.cycle
    if not cycle_grades(cycle).filter(pk=grade.pk).exists():
        raise ExchangeError(_("该单位不在本周期的拟评价名单中"))
    reason = (reason or "").strip()
    if not reason:
        raise ExchangeError(_("请填写意见和理由"))
    override = approved_overrides(type(grade).objects.filter(pk=grade.pk)).get(grade.pk)
    proposed = override.proposed_grade if override else grade.grade
    employer = grade.employer
    try:
        with transaction.atomic():
            objection = ConsultationObjection.objects.create(
                reply=reply,
                employer=employer,
                grade_ref=grade.pk,
                name=employer.name,
                uscc=employer.uscc,
                proposed_grade=proposed,
                reason=reason,
                created_by=actor,
            )
    except IntegrityError:
        raise ExchangeError(
            _("已对“%(name)s”提出过意见，请先删除原意见") % {"name": employer.name}
        ) from None
    write_audit(
        actor=actor,
        action="exchange.consultation_objection_added",
        obj=objection,
        jurisdiction_path=cycle.jurisdiction.path,
        after={"unit": reply.unit.name, "uscc": employer.uscc, "reason": reason},
    )
    return objection


@transaction.atomic
def remove_objection(*, objection, actor) -> None:
    reply = _lock_reply(objection.reply, actor)
    objection = ConsultationObjection.objects.get(pk=objection.pk, reply=reply)
    write_audit(
        actor=actor,
        action="exchange.consultation_objection_removed",
        obj=objection,
        jurisdiction_path=reply.consultation.cycle.jurisdiction.path,
        before={"unit": reply.unit.name, "uscc": objection.uscc, "reason": objection.reason},
    )
    objection.delete()


@transaction.atomic
def submit_reply(
    *, reply, actor, no_objection: bool, note: str = "", today: dt.date | None = None
) -> ConsultationReply:
    """Record the unit's answer: no objection, or the objections entered so far."""
    reply = _lock_reply(reply, actor)
    count = reply.objections.count()
    if no_objection and count:
        raise ExchangeError(
            _("本单位已对 %(n)d 家单位提出意见：请提交意见，或先删除这些意见再答复无异议")
            % {"n": count}
        )
    if not no_objection and not count:
        raise ExchangeError(_("尚未对任何单位提出意见：请先提出意见，或答复无异议"))
    reply.status = ReplyStatus.NO_OBJECTION if no_objection else ReplyStatus.OBJECTIONS
    reply.note = (note or "").strip()
    reply.answered_at = timezone.now()
    reply.answered_by = actor
    reply.save(update_fields=["status", "note", "answered_at", "answered_by"])
    today = today or timezone.localdate()
    write_audit(
        actor=actor,
        action="exchange.consultation_answered",
        obj=reply,
        jurisdiction_path=reply.consultation.cycle.jurisdiction.path,
        after={
            "unit": reply.unit.name,
            "status": reply.status,
            "objections": count,
            "late": today > reply.consultation.reply_by,
        },
        note=reply.note,
    )
    return reply


# --- certificates ------------------------------------------------------------------------------

CODE_LENGTH = 20  # RFC 4648 base32: 20 characters carry 100 random bits


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:CODE_LENGTH]


def normalize_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:64]


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def issue_certificate(*, result, actor) -> Certificate:
    """The certificate of ``result`` for its employer's own user: the one already issued for the
    grade now in force, else a new one with a new code."""
    from publication.models import PublishedResult

    result = (
        PublishedResult.objects.select_for_update()
        .select_related("cycle__jurisdiction")
        .get(pk=result.pk)
    )
    if not (
        actor is not None
        and actor.has_role(Role.EMPLOYER)
        and actor.employer_id == result.employer_id
    ):
        raise PermissionDenied(_("只能申领本单位的等级证明"))
    if result.cycle.status != CycleStatus.PUBLISHED:
        raise ExchangeError(_("评价结果尚未公布"))
    adjustment = result.adjustments.order_by("-effective_date", "-pk").first()
    existing = Certificate.objects.filter(result=result, adjustment=adjustment).first()
    if existing is not None:
        return existing
    certificate = Certificate.objects.create(
        code=new_code(),
        result=result,
        adjustment=adjustment,
        employer_id=result.employer_id,
        grade=adjustment.new_grade if adjustment else result.grade,
        issued_by=actor,
    )
    write_audit(
        actor=actor,
        action="exchange.certificate_issued",
        obj=certificate,
        jurisdiction_path=result.cycle.jurisdiction.path,
        after={
            "uscc": result.uscc,
            "year": result.year,
            "grade": certificate.grade,
            "code_prefix": certificate.code[:4],
        },
    )
    return certificate


# --- distribution files ------------------------------------------------------------------------


def queue_distribution(*, cycle, actor=None) -> DistributionJob:
    """A distribution job for a published cycle, started after commit (no audit: the publication
    it follows is audited; ``remake_distribution`` audits a remake)."""
    from .distribution import is_stale

    busy = DistributionJob.objects.filter(
        cycle=cycle, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
    if busy is not None and not is_stale(busy):
        return busy
    job = DistributionJob.objects.create(
        cycle=cycle, requested_by=actor if getattr(actor, "pk", None) else None
    )
    transaction.on_commit(lambda: _start(job.pk))
    return job


def _start(job_id: int) -> None:
    from publication.tasks import start

    from .tasks import make_distribution

    try:
        start(make_distribution, job_id=job_id)
    except Exception:
        # Without a broker the job runs here, after the publication committed: its failure is
        # on the job row (with a remake button) and must not hide the publication.
        logger.exception("distribution job %s failed", job_id)


@transaction.atomic
def remake_distribution(*, cycle, actor) -> DistributionJob:
    from grading.models import Cycle

    cycle = Cycle.objects.select_for_update().select_related("jurisdiction").get(pk=cycle.pk)
    _publisher_of(actor, cycle)
    if cycle.status != CycleStatus.PUBLISHED:
        raise ExchangeError(_("周期尚未公布"))
    job = queue_distribution(cycle=cycle, actor=actor)
    write_audit(
        actor=actor,
        action="exchange.distribution_requested",
        obj=cycle,
        jurisdiction_path=cycle.jurisdiction.path,
        after={"job": job.pk},
    )
    return job
