"""Reads of the exchange app: the published grade of an employer as partners, certificates and the
open data see it, the published sequence, and the scoped lists of the pages.

Everything a partner or the public reads comes from the published snapshot (``PublishedResult``
and its ``PublishedAdjustment`` rows): name, USCC, grade, year, rule set, authority — never the
registry's legal representative, address, phone or any record detail (SPEC §8: nothing personal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from employers.choices import Role
from grading.choices import CycleStatus

from .choices import ReplyStatus
from .models import (
    ApiCall,
    Certificate,
    Consultation,
    ConsultationReply,
    DistributionJob,
    PublishedItem,
    SisterUnit,
)

# SPEC §12 "validity" — interpretation: an annual grade is valid for one year from the day it is
# published (seed 003 二：评价结果…有效期为1年; seed 000 第八条 and seed 002 四: the grading is annual,
# so a year's grade stands until the next year's is published). The year ends on the
# corresponding day (民法典 第二百零一、二百零二条; ``credit_records.periods.add_months``).
VALIDITY_MONTHS = 12


def subtree_q(root: str, field_name: str = "jurisdiction_path") -> Q:
    return Q(**{field_name: root}) | Q(**{f"{field_name}__startswith": root + "/"})


# --- one published grade -----------------------------------------------------------------------


@dataclass
class MeasureInfo:
    text: str
    article: str


@dataclass
class GradeFacts:
    """A published result as the API, the certificate and the verification page state it."""

    result: object  # PublishedResult
    grade: str  # in force now (the latest adjustment's, else as published)
    grade_label: str
    published_grade: str
    published_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    authority: str
    ruleset_title: str
    ruleset_document: str
    adjustments: list = field(default_factory=list)  # PublishedAdjustment, oldest first
    measures: list[MeasureInfo] = field(default_factory=list)

    @property
    def is_adjusted(self) -> bool:
        return bool(self.adjustments)

    @property
    def latest_adjustment(self):
        return self.adjustments[-1] if self.adjustments else None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until


def validity(published_on: dt.date) -> tuple[dt.date, dt.date]:
    from credit_records.periods import add_months

    return published_on, add_months(published_on, VALIDITY_MONTHS)


def grade_facts(result) -> GradeFacts:
    """Facts of one ``PublishedResult`` (its ``cycle__jurisdiction`` and ``adjustments`` are best
    prefetched)."""
    from grading import rulesets
    from grading.selectors import grade_label
    from publication.services import authority_of

    adjustments = sorted(result.adjustments.all(), key=lambda a: (a.effective_date, a.pk))
    grade = adjustments[-1].new_grade if adjustments else result.grade
    published_on = timezone.localdate(result.published_at)
    valid_from, valid_until = validity(published_on)
    title = document = ""
    measures: list[MeasureInfo] = []
    try:
        ruleset = rulesets.get(result.ruleset_code, result.ruleset_version)
    except KeyError:
        ruleset = None
    if ruleset is not None:
        title = ruleset.title
        document = ruleset.document or ruleset.issuer
        # The measures tied to particular rules (jiaxian 第十七条) follow the rules that fired for
        # the published grade; after an adjustment, only the grade's general measures apply.
        fired = result.rules if grade == result.grade else ()
        measures = [MeasureInfo(m.text, m.article) for m in ruleset.measures_for(grade, fired)]
    return GradeFacts(
        result=result,
        grade=grade,
        grade_label=str(grade_label(result.ruleset_code, grade, result.ruleset_version)),
        published_grade=result.grade,
        published_on=published_on,
        valid_from=valid_from,
        valid_until=valid_until,
        authority=authority_of(result.cycle),
        ruleset_title=title,
        ruleset_document=document,
        adjustments=adjustments,
        measures=measures,
    )


def newer_cycles(jurisdiction_id: int, ruleset_code: str, after_year: int) -> QuerySet:
    """Cycles of the same jurisdiction and rule set, later than ``after_year``, whose proposed
    list is public (公示中) or final but not yet published."""
    from grading.models import Cycle

    return Cycle.objects.filter(
        jurisdiction_id=jurisdiction_id,
        ruleset_code=ruleset_code,
        year__gt=after_year,
        status__in=(CycleStatus.PUBLIC_NOTICE, CycleStatus.FINAL),
    ).order_by("-year")


def latest_results_by_ruleset(uscc: str, *, root: str | None = None) -> list:
    """The latest published result per rule set of the employer with ``uscc`` (published by a
    cycle of ``root``'s subtree when given), newest year first."""
    from publication.models import PublishedResult

    results = (
        PublishedResult.objects.filter(uscc=uscc, cycle__status=CycleStatus.PUBLISHED)
        .select_related("cycle__jurisdiction")
        .prefetch_related("adjustments")
        .order_by("ruleset_code", "-year", "-id")
    )
    if root is not None:
        results = results.filter(subtree_q(root, "cycle__jurisdiction__path"))
    latest = {}
    for result in results:
        latest.setdefault(result.ruleset_code, result)
    return sorted(latest.values(), key=lambda r: (-r.year, r.ruleset_code))


def employer_known(uscc: str) -> tuple[bool, list[str]]:
    """Whether the USCC is known (registry or a published list) and the jurisdiction paths it
    belongs to (registration and every publishing cycle)."""
    from employers.models import Employer
    from publication.models import PublishedResult

    paths = set(
        Employer.objects.filter(uscc=uscc).values_list("jurisdiction__path", flat=True)
    ) | set(
        PublishedResult.objects.filter(uscc=uscc)
        .values_list("cycle__jurisdiction__path", flat=True)
        .distinct()
    )
    return bool(paths), sorted(paths)


def item_seq(result) -> int | None:
    item = PublishedItem.objects.filter(result=result, kind="result").only("seq").first()
    return item.seq if item else None


# --- the published sequence --------------------------------------------------------------------


def published_items(*, after: int, limit: int, root: str | None = None) -> list[dict]:
    """Up to ``limit`` items after ``after`` in sequence order, as plain values.

    Two steps: the numbers first (the items table alone, by its primary key or its path index,
    whichever the scope makes cheaper), then the joined details of just those — so a page costs
    the same at the start and at the end of a million items."""
    items = PublishedItem.objects.filter(seq__gt=after)
    if root is not None:
        items = items.filter(subtree_q(root))
    seqs = list(items.order_by("seq").values_list("seq", flat=True)[:limit])
    if not seqs:
        return []
    return list(
        PublishedItem.objects.filter(seq__in=seqs)
        .order_by("seq")
        .values(
            "seq",
            "kind",
            "result__uscc",
            "result__name",
            "result__year",
            "result__ruleset_code",
            "result__ruleset_version",
            "result__grade",
            "result__published_at",
            "result__cycle__jurisdiction__code",
            "result__cycle__jurisdiction__name",
            "result__cycle__jurisdiction__authority",
            "adjustment_id",
            "adjustment__new_grade",
            "adjustment__old_grade",
            "adjustment__effective_date",
            "adjustment__public_note",
            "adjustment__created_at",
        )
    )


# --- certificates ------------------------------------------------------------------------------


def certificate_by_code(code: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("result__cycle__jurisdiction", "adjustment", "employer")
        .prefetch_related("result__adjustments")
        .filter(code=code)
        .first()
    )


def employer_results(employer) -> QuerySet:
    from publication.selectors import employer_published_results

    return employer_published_results(employer).filter(cycle__status=CycleStatus.PUBLISHED)


# --- consultation ------------------------------------------------------------------------------


def unit_of(user) -> SisterUnit | None:
    if not (user.is_authenticated and user.has_role(Role.CONSULTEE)):
        return None
    membership = getattr(user, "sister_unit_membership", None)
    return membership.unit if membership is not None else None


def units_for(cycle) -> QuerySet:
    """The sister units consulted on a cycle: the active units of its jurisdiction (同级)."""
    return SisterUnit.objects.filter(jurisdiction_id=cycle.jurisdiction_id, active=True)


CONSULTATION_READERS = (Role.PUBLISHER, Role.INSPECTOR, Role.SUPERVISOR, Role.AUDITOR)


def visible_consultations(user) -> QuerySet:
    """Staff: the consultations of their jurisdiction subtree; a consultee: those sent to its
    unit; anyone else nothing."""
    consultations = Consultation.objects.select_related("cycle__jurisdiction", "sent_by")
    if not user.is_authenticated or not user.is_active:
        return consultations.none()
    if user.role == Role.CONSULTEE:
        unit = unit_of(user)
        if unit is None:
            return consultations.none()
        return consultations.filter(replies__unit=unit)
    if user.role in CONSULTATION_READERS and user.jurisdiction_id:
        return consultations.filter(subtree_q(user.jurisdiction.path, "cycle__jurisdiction__path"))
    return consultations.none()


def replies_to_answer(user) -> QuerySet:
    unit = unit_of(user)
    if unit is None:
        return ConsultationReply.objects.none()
    return (
        ConsultationReply.objects.filter(
            unit=unit,
            status=ReplyStatus.PENDING,
            consultation__cycle__status__in=(CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW),
        )
        .select_related("consultation__cycle__jurisdiction")
        .order_by("consultation__reply_by", "pk")
    )


# --- auditor and publisher ---------------------------------------------------------------------


def visible_api_calls(user) -> QuerySet:
    """The auditor reads the calls made with tokens of their jurisdiction subtree, plus the calls
    made without a valid token (they belong to no jurisdiction)."""
    if not (user.is_authenticated and user.has_role(Role.AUDITOR) and user.jurisdiction_id):
        return ApiCall.objects.none()
    return ApiCall.objects.filter(subtree_q(user.jurisdiction.path) | Q(jurisdiction_path=""))


def visible_distribution_jobs(user) -> QuerySet:
    """Distribution files are the publisher's (the receiving departments' copies)."""
    jobs = DistributionJob.objects.select_related("cycle__jurisdiction")
    if not (user.is_authenticated and user.has_role(Role.PUBLISHER) and user.jurisdiction_id):
        return jobs.none()
    return jobs.filter(subtree_q(user.jurisdiction.path, "cycle__jurisdiction__path"))
