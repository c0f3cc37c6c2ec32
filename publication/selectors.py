"""Reads of the publication app; every staff read is scoped to the user's jurisdiction subtree."""

from django.db.models import Q, QuerySet

from employers.choices import Role

from .models import OutboxMessage

OUTBOX_READERS = (Role.PUBLISHER, Role.AUDITOR)


def visible_outbox(user) -> QuerySet:
    """Outbox messages of the user's jurisdiction subtree, plus messages bound to no jurisdiction."""
    if not (user.is_authenticated and user.has_role(*OUTBOX_READERS) and user.jurisdiction_id):
        return OutboxMessage.objects.none()
    path = user.jurisdiction.path
    return OutboxMessage.objects.filter(
        Q(jurisdiction_path="")
        | Q(jurisdiction_path=path)
        | Q(jurisdiction_path__startswith=path + "/")
    )


CYCLE_READERS = (Role.PUBLISHER, Role.SUPERVISOR, Role.INSPECTOR, Role.AUDITOR)


def visible_cycles(user) -> QuerySet:
    """Cycles of the user's jurisdiction subtree (staff only; 三员分立: not the sysadmin)."""
    from grading.selectors import visible_cycles as grading_visible_cycles

    return grading_visible_cycles(user)


def published_cycles() -> QuerySet:
    """Every published cycle: public."""
    from grading.choices import CycleStatus
    from grading.models import Cycle

    return Cycle.objects.filter(status=CycleStatus.PUBLISHED).select_related("jurisdiction")


def public_results(jurisdiction, year: int) -> QuerySet:
    """The published results of a jurisdiction and year, with the adjustments published since.
    Only name, USCC and grade are ever shown from these rows on public pages."""
    from .models import PublishedResult

    return (
        PublishedResult.objects.filter(
            cycle__jurisdiction=jurisdiction, cycle__status="published", year=year
        )
        .only("id", "name", "uscc", "grade", "cycle_id", "year")
        .prefetch_related("adjustments")
        .order_by("name", "id")
    )


def employer_published_results(employer) -> QuerySet:
    """Every published grade of one employer, newest year first (seed 002 四(三): 企业可通过系统
    查询本次和历年守法诚信评价等级)."""
    from .models import PublishedResult

    return (
        PublishedResult.objects.filter(employer=employer)
        .select_related("cycle__jurisdiction")
        .prefetch_related("adjustments")
        .order_by("-year", "ruleset_code")
    )


def visible_proposals(user) -> QuerySet:
    """Adjustment proposals of the cycles the user sees (SPEC §5.1 [r2], §7 [r2])."""
    from .models import AdjustmentProposal

    return AdjustmentProposal.objects.filter(cycle__in=visible_cycles(user)).select_related(
        "cycle__jurisdiction", "employer"
    )


def pending_proposals(user) -> QuerySet:
    from .models import ProposalStatus

    return visible_proposals(user).filter(status=ProposalStatus.PENDING)


def proposal_items(user):
    """The workbench queue: pending proposals, soonest due first (first 20)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from employers.workbench import WorkItem

    items = []
    for p in pending_proposals(user).order_by("due_date", "created_at", "id")[:20]:
        items.append(
            WorkItem(
                title=_("确认等级调整：%(old)s级 → %(new)s级")
                % {"old": p.current_grade, "new": p.proposed_grade or "—"},
                url=reverse("publication:adjustments") + f"#proposal-{p.pk}",
                due=p.due_date,
                subject=p.employer.name,
                note=p.get_source_display(),
            )
        )
    return items


def proposal_count(user) -> int:
    return pending_proposals(user).count()


def visible_written_notices(user) -> QuerySet:
    """Written notices a user may read: staff of the cycle's jurisdiction, and the employer its
    own once the public notice has started (SPEC §8 [r2])."""
    from grading.choices import CycleStatus

    from .models import WrittenNotice

    notices = WrittenNotice.objects.select_related("cycle__jurisdiction", "employer", "document")
    if not user.is_authenticated:
        return notices.none()
    if user.has_role(Role.EMPLOYER):
        return notices.filter(
            employer_id=user.employer_id,
            cycle__status__in=(
                CycleStatus.PUBLIC_NOTICE,
                CycleStatus.FINAL,
                CycleStatus.PUBLISHED,
            ),
        )
    return notices.filter(cycle__in=visible_cycles(user))


# --- public search and grade legend (issue 11 item 7) -----------------------------------------


def public_search(*, q: str = "", jurisdiction=None, year: int | None = None, grade: str = ""):
    """Published results across every jurisdiction and year (public: name, USCC, grade only),
    filtered by name or USCC, jurisdiction (its subtree), year and the grade now in force (the
    latest dated adjustment's, else the published one)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import PublishedAdjustment, PublishedResult

    latest = PublishedAdjustment.objects.filter(result_id=OuterRef("pk")).order_by(
        "-effective_date", "-id"
    )
    results = (
        PublishedResult.objects.filter(cycle__status="published")
        .annotate(in_force=Coalesce(Subquery(latest.values("new_grade")[:1]), "grade"))
        .select_related("cycle__jurisdiction")
        .prefetch_related("adjustments")
        .only("id", "name", "uscc", "grade", "year", "cycle_id", "cycle__jurisdiction")
    )
    q = (q or "").strip()
    if q:
        results = search_published_results(results, q)
    if jurisdiction is not None:
        results = results.filter(cycle__jurisdiction__in=jurisdiction.subtree())
    if year:
        results = results.filter(year=year)
    if grade:
        results = results.filter(grade_in_force(grade))
    if q:  # a search: sorted from its matches unless they are many (employers.selectors)
        from employers.selectors import searched_order

        order = searched_order(results, "name", "id")
        if getattr(order, "broad", False):  # many matches: the latest published first
            return results.order_by("-id")
        return results.order_by("-year", *order)
    return results.order_by("-year", "name", "id")


def grade_in_force(grade: str) -> Q:
    """ "The grade now in force is ``grade``" (the ``in_force`` annotation of ``public_search``)
    as a condition the database can answer without evaluating the latest adjustment of every
    result: published with ``grade`` and never adjusted, or among the (few) results whose latest
    adjustment is to ``grade``."""
    from django.db.models import Exists, OuterRef

    from .models import PublishedAdjustment

    adjusted = PublishedAdjustment.objects.filter(result_id=OuterRef("pk"))
    later = PublishedAdjustment.objects.filter(result_id=OuterRef("result_id")).filter(
        Q(effective_date__gt=OuterRef("effective_date"))
        | Q(effective_date=OuterRef("effective_date"), id__gt=OuterRef("id"))
    )
    latest_to_grade = (
        PublishedAdjustment.objects.filter(new_grade=grade)
        .exclude(Exists(later))
        .values("result_id")
    )
    return (Q(grade=grade) & ~Exists(adjusted)) | Q(pk__in=latest_to_grade)


def published_jurisdictions() -> QuerySet:
    from employers.models import Jurisdiction

    return Jurisdiction.objects.filter(
        pk__in=published_cycles().values("jurisdiction_id")
    ).order_by("path")


def published_years() -> list[int]:
    return sorted(set(published_cycles().values_list("year", flat=True)), reverse=True)


def grade_legend() -> list[dict]:
    """For each regulation (its newest version) and the jurisdictions it grades: every grade with
    its name, the conditions (article and the regulation's words) and the measures — what a
    grade means, for the public. No rule codes."""
    from employers.models import Jurisdiction
    from grading import rulesets
    from grading.reference import ASSIGNMENTS
    from grading.selectors import grade_label

    names = dict(Jurisdiction.objects.values_list("code", "name"))
    by_code: dict[str, list[str]] = {}
    for jurisdiction_code, _kind, ruleset_code, _version, _start in ASSIGNMENTS:
        name = names.get(jurisdiction_code, "")
        if name and name not in by_code.setdefault(ruleset_code, []):
            by_code[ruleset_code].append(name)
    out = []
    for code in sorted(by_code):
        ruleset = rulesets.latest(code)
        grades = []
        for grade in ruleset.grades:
            grades.append(
                {
                    "grade": grade,
                    "label": grade_label(code, grade, ruleset.version),
                    "rules": [
                        {"article": r.article, "text": r.text}
                        for r in ruleset.rules
                        if r.grade == grade
                    ],
                    "measures": [
                        {"article": m.article, "text": m.text}
                        for m in ruleset.measures.get(grade, ())
                    ],
                }
            )
        out.append(
            {
                "jurisdictions": by_code[code],
                "ruleset": ruleset,
                "grades": grades,
            }
        )
    return out


def search_published_results(queryset: QuerySet, q: str, **kwargs) -> QuerySet:
    """Published results whose name or USCC (as published) matches ``q``: the same paths as the
    employer search (``employers.selectors.search_by_name_or_uscc``; a pg_trgm index on the
    published name, publication migration 0006)."""
    from employers.selectors import search_by_name_or_uscc

    return search_by_name_or_uscc(queryset, q, **kwargs)


# --- the cycle overview (aggregates in SQL, issue 15) --------------------------------------------


def final_grades(cycle) -> QuerySet:
    """Every Grade row of a cycle annotated with ``final``: the latest approved override's grade,
    else the computed one ("" for the ungraded) — the proposed grades as SQL."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from grading.choices import OverrideStatus
    from grading.models import GradeOverride
    from grading.selectors import cycle_grades

    approved = GradeOverride.objects.filter(
        grade_id=OuterRef("pk"), status=OverrideStatus.APPROVED
    ).order_by("-decided_at", "-id")
    return cycle_grades(cycle).annotate(
        final=Coalesce(Subquery(approved.values("proposed_grade")[:1]), "grade")
    )


GRADE_ORDER = ("A", "B", "C", "D")


def ordered_counts(counts: dict) -> list[tuple[str, int]]:
    """(grade, n) in grade order, the ungraded ("") last, grades without employers left out."""
    return [(g, counts[g]) for g in GRADE_ORDER if counts.get(g)] + (
        [("", counts[""])] if counts.get("") else []
    )


def cycle_overview(cycle) -> dict:
    """The numbers of an unpublished cycle's page, counted by the database instead of a walk
    over every result in Python: one GROUP BY on the computed grade (an index scan, once per
    run: ``computed_counts``), then the
    approved overrides — a few hundred at most — move their employers from the computed to the
    final grade. ``grade_counts``, ``result_count``, ``overridden``."""

    from grading.choices import OverrideStatus
    from grading.models import GradeOverride
    from grading.selectors import computed_counts, cycle_grades

    grades = cycle_grades(cycle)
    counts = dict(computed_counts(cycle))
    latest = {}  # grade row -> (computed, final) of its latest approved override
    approved = (
        GradeOverride.objects.filter(grade__in=grades.values("pk"), status=OverrideStatus.APPROVED)
        .order_by("decided_at", "id")
        .values_list("grade_id", "grade__grade", "proposed_grade")
    )
    for grade_id, computed, final in approved:
        latest[grade_id] = (computed, final)
    for computed, final in latest.values():
        counts[computed] -= 1
        counts[final] = counts.get(final, 0) + 1
    return {
        "grade_counts": ordered_counts(counts),
        "result_count": sum(counts.values()),
        "overridden": len(latest),
    }


def published_overview(cycle) -> dict:
    """The grade counts of a published cycle. Its results never change once it is published
    (append-only rows, all written before the cycle is marked published; adjustments are rows of
    their own), so the counts — a scan of a million rows, half a second — are made once per
    cycle and kept in the cache, keyed by the cycle and its publication time."""
    from django.core.cache import cache
    from django.db.models import Count

    from grading.choices import CycleStatus

    from .models import PublishedResult

    key = None
    if cycle.status == CycleStatus.PUBLISHED and cycle.published_at:
        key = f"publication:overview:{cycle.pk}:{cycle.published_at.timestamp()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    counts = dict(
        PublishedResult.objects.filter(cycle=cycle)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    overview = {"grade_counts": ordered_counts(counts), "result_count": sum(counts.values())}
    if key is not None:
        cache.set(key, overview, timeout=OVERVIEW_CACHE_SECONDS)
    return overview


OVERVIEW_CACHE_SECONDS = 7 * 24 * 3600
