"""Reports over a year's cycles: the screening of seed 002 四（一） and the honour lists.

Screening (seed 002 四（一）: “避免出现同一主体不同等级、非企业性质参加评级和未实施劳动保障监察却产生
评级结果等情况”):

- ``two_grades``: an employer with more than one grade (final, not 未评级) in the year's cycles;
- ``kind_not_covered``: a graded employer whose kind the rule set does not grade (jiangjin:
  非企业; xuchang: not an HR agency) — possible after a manual override or a change of kind;
- ``no_inspection``: a graded employer with no labour-inspection record dated in the cycle, under
  a rule set that requires one (jiangjin). Interpretation: under jiaxian and xiqing an employer
  nobody found at fault is B/A by the text itself (郏县 第十条; 西青 A级), so the check does not
  apply there.

Honours: jiangjin 授牌 (seed 002 四（四）2: A in three consecutive cycles) and xuchang 诚信机构典型
(seed 003 五（七）: at most 5 % of the A-grade agencies).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from credit_records.models import CreditRecord
from employers.models import Employer

from . import rulesets
from .models import Cycle, Grade
from .selectors import approved_overrides, cycle_grades, cycle_results
from .windows import Span


@dataclass
class Finding:
    check: str
    employer: Employer
    cycle: Cycle
    grade: Grade
    final_grade: str
    note: str = ""


CHECKS = {
    "two_grades": _("同一主体不同等级（同一年度有两个及以上评价等级）"),
    "kind_not_covered": _("非评价对象参加评级（如非企业性质参加江津区评级）"),
    "no_inspection": _("未实施劳动保障监察却产生评级结果"),
}


def _final(grades: QuerySet) -> list[tuple[Grade, str]]:
    overrides = approved_overrides(grades)
    out = []
    for grade in grades.select_related("employer", "employer__jurisdiction"):
        override = overrides.get(grade.pk)
        out.append((grade, override.proposed_grade if override else grade.grade))
    return out


def screening(cycles: list[Cycle], *, employers: QuerySet) -> dict[str, list[Finding]]:
    """Findings of the three checks over ``cycles`` (one year), among ``employers`` (scoped)."""
    findings: dict[str, list[Finding]] = {check: [] for check in CHECKS}
    cycle_of_run = {(c.run_id, c.ruleset_code, c.jurisdiction_id): c for c in cycles if c.run_id}
    scoped = employers.values("pk")

    # 1. two grades in one year: employers with more than one result across the cycles
    all_grades = Grade.objects.none()
    for cycle in cycles:
        all_grades = all_grades | cycle_grades(cycle).filter(employer__in=scoped)
    repeated = (
        all_grades.values("employer_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("employer_id")
    )
    by_employer = defaultdict(list)
    for grade, final in _final(all_grades.filter(employer_id__in=repeated)):
        if final:
            by_employer[grade.employer_id].append((grade, final))
    for results in by_employer.values():
        if len(results) > 1:
            note = str(_("；")).join(f"{g.ruleset_code}: {final}" for g, final in results)
            for grade, final in results:
                cycle = cycle_of_run[(grade.run_id, grade.ruleset_code, grade.jurisdiction_id)]
                findings["two_grades"].append(
                    Finding("two_grades", grade.employer, cycle, grade, final, note)
                )

    for cycle in cycles:
        ruleset = rulesets.get(cycle.ruleset_code)
        grades = cycle_grades(cycle).filter(employer__in=scoped)
        # 2. graded although the rule set does not grade its kind
        if ruleset.employer_kinds is not None:
            others = grades.exclude(employer__kind__in=ruleset.employer_kinds)
            for grade, final in _final(others):
                if final:
                    findings["kind_not_covered"].append(
                        Finding(
                            "kind_not_covered", grade.employer, cycle, grade, final,
                            grade.employer.get_kind_display(),
                        )
                    )  # fmt: skip
        # 3. graded without any labour-inspection record in the cycle
        if ruleset.supervision_kinds and cycle.run_id:
            run = cycle.run
            supervised = CreditRecord.objects.effective().filter(
                employer_id=OuterRef("employer_id"),
                kind__in=ruleset.supervision_kinds,
                date__gte=run.window_start,
                date__lte=run.window_end,
            )
            unsupervised = grades.filter(~Exists(supervised))
            if ruleset.supervision_lists:
                # [r2] a listing in force during the window (the blacklist until its expiry)
                span = Span.for_as_of(run.window_end)
                listed = (
                    CreditRecord.objects.effective()
                    .filter(
                        employer_id=OuterRef("employer_id"),
                        kind__in=ruleset.supervision_lists,
                        date__lte=run.window_end,
                        date__gte=span.blacklist_from_window,
                    )
                    .filter(Q(end_date__isnull=True) | Q(end_date__gte=run.window_start))
                )
                unsupervised = unsupervised.filter(~Exists(listed))
            for grade, final in _final(unsupervised):
                if final:
                    findings["no_inspection"].append(
                        Finding("no_inspection", grade.employer, cycle, grade, final)
                    )
    return findings


# --- honours ------------------------------------------------------------------------------------
@dataclass
class PlaqueList:
    cycle: Cycle
    years: list[int]
    missing_years: list[int]
    employers: list[Employer]


def plaque_candidates(cycle: Cycle, *, employers: QuerySet) -> PlaqueList:
    """Enterprises graded A (final grade) in this cycle and the two before it, same jurisdiction
    and rule set (seed 002 四（四）2: 连续3年评为A级的企业，可授予“劳动保障守法诚信企业”铭牌)."""
    years = [cycle.year - 2, cycle.year - 1, cycle.year]
    cycles = {
        c.year: c
        for c in Cycle.objects.filter(
            jurisdiction=cycle.jurisdiction, ruleset_code=cycle.ruleset_code, year__in=years
        )
    }
    missing = [y for y in years if y not in cycles or not cycles[y].run_id]
    if missing:
        return PlaqueList(cycle, years, missing, [])
    a_sets = []
    for year in years:
        a_sets.append(
            {
                row.employer.pk
                for row in cycle_results(cycles[year], employers=employers)
                if row.final_grade == "A"
            }
        )
    ids = set.intersection(*a_sets)
    chosen = list(Employer.objects.filter(pk__in=ids).order_by("name"))
    return PlaqueList(cycle, years, [], chosen)


def a_grade_agencies(cycle: Cycle, *, employers: QuerySet) -> list:
    """The A-grade rows of a cycle (xuchang: the pool for 诚信机构典型)."""
    return [row for row in cycle_results(cycle, employers=employers) if row.final_grade == "A"]
