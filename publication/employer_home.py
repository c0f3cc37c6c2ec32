"""The employer's home (the page an employer user lands on after login): under each rule set that
covers it, the live grade computed now from the ledger by the engine, the proposed grade during
公示, and the published grade of every year — each with the rules that fired (article and Chinese
text, never a code), the records they rest on, the measures, a way to object, and what would lift
the grade and when (``grading.explain``). Seed 000 第十八、十九条: the employer may see its credit
information and object to it; seed 002 四(三): this and every past year's grade.

Reads only. publication sits above grading, objections and credit_records, so it may read them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from credit_records.models import CreditRecord
from grading import explain, rulesets
from grading.choices import CycleStatus, OverrideStatus
from grading.selectors import employer_cycle_grades, grade_label, grades_as_of

from .models import PublicNotice, WrittenNotice
from .selectors import employer_published_results
from .services import authority_of, current_grade

# The chart: A at the top, D at the bottom.
GRADE_LEVEL = {"A": 4, "B": 3, "C": 2, "D": 1}


def objection_url(*, kind: str, record=None, grade_id=None) -> str:
    params = {"kind": kind}
    if record is not None:
        params["record"] = record.pk
    if grade_id is not None:
        params["grade"] = grade_id
    return f"{reverse('objections:new')}?{urlencode(params)}"


def _repair_earliest(record, today: dt.date):
    """The first day ``record`` may be repaired (objections.eligibility), None when its time
    conditions are already met, False when it is not repairable information at all."""
    from objections.eligibility import repair_eligibility

    result = repair_eligibility(record, today=today, corrected_on=today, commitment_signed=True)
    if not result.repairable_here or (not result.conditions and not result.eligible):
        return False
    if result.earliest and result.earliest > today:
        return result.earliest
    return None


@dataclass
class Section:
    """One grade shown on the page (live, proposed or published)."""

    kind: str  # "live" | "proposed" | "published"
    ruleset_code: str
    explanation: explain.GradeExplanation
    year: int | None = None
    authority: str = ""
    lift: explain.LiftPlan | None = None
    objection_url: str = ""
    notice: PublicNotice | None = None
    written_notice: WrittenNotice | None = None
    override_reason: str = ""
    original_grade: str = ""  # published: the grade first published (before adjustments)
    adjustments: list = field(default_factory=list)


def _ruleset_title(code: str, version: str) -> str:
    try:
        return rulesets.get(code, version).title
    except KeyError:
        return ""


def live_sections(employer, records, today) -> list[Section]:
    live = grades_as_of([employer.pk], today).get(employer.pk, {})
    sections = []
    for code, (grade, rule_codes, version) in sorted(live.items()):
        explanation = explain.explain_grade(
            code,
            version,
            grade,
            rule_codes,
            records=records,
            employer_kind=employer.kind,
            as_of=today,
        )
        lift = None
        if explanation.ruleset is not None:
            lift = explain.lift_plan(
                explanation.ruleset,
                records,
                employer_kind=employer.kind,
                today=today,
                grade=grade,
                repair_earliest=_repair_earliest,
            )
        sections.append(Section("live", code, explanation, lift=lift))
    return sections


def proposed_sections(employer, records) -> list[Section]:
    """Grades of cycles in public notice (公示): the final proposed grade — after an approved
    override its reason and the articles it cites (SPEC §8 [r2]), else the computed rules."""
    sections = []
    for entry in employer_cycle_grades(employer):
        cycle = entry["cycle"]
        if cycle.status != CycleStatus.PUBLIC_NOTICE:
            continue
        grade = entry["grade"]
        approved = [o for o in entry["overrides"] if o.status == OverrideStatus.APPROVED]
        final = entry["final_grade"]
        rule_codes = list(grade.rules)
        reason = ""
        if approved:
            rule_codes = list(approved[-1].cited_rules)
            reason = approved[-1].reason
        if not final:
            continue  # not graded: not on the proposed list
        explanation = explain.explain_grade(
            grade.ruleset_code,
            grade.ruleset_version,
            final,
            rule_codes,
            records=records,
            employer_kind=employer.kind,
            as_of=grade.as_of,
        )
        sections.append(
            Section(
                "proposed",
                grade.ruleset_code,
                explanation,
                year=cycle.year,
                authority=authority_of(cycle),
                objection_url=objection_url(kind="grade", grade_id=grade.pk),
                notice=PublicNotice.objects.filter(cycle=cycle).first(),
                written_notice=WrittenNotice.objects.filter(
                    cycle=cycle, employer=employer, superseded_at__isnull=True
                )
                .order_by("-id")
                .first(),
                override_reason=reason,
            )
        )
    return sections


def published_sections(employer, records) -> list[Section]:
    sections = []
    for result in employer_published_results(employer):
        in_force = current_grade(result)
        explanation = explain.explain_grade(
            result.ruleset_code,
            result.ruleset_version,
            in_force,
            result.rules if in_force == result.grade else [],
            records=records,
            employer_kind=employer.kind,
            as_of=dt.date(result.year, 12, 31),
        )
        sections.append(
            Section(
                "published",
                result.ruleset_code,
                explanation,
                year=result.year,
                authority=authority_of(result.cycle),
                objection_url=objection_url(kind="re_evaluation", grade_id=result.grade_ref)
                if result.grade_ref
                else "",
                original_grade=result.grade,
                adjustments=sorted(
                    result.adjustments.all(), key=lambda a: (a.effective_date, a.pk)
                ),
            )
        )
    return sections


def chart(published: list[Section], proposed: list[Section]) -> dict | None:
    """A year-by-year chart of the employer's grades (one series per rule set), drawn as an
    inline SVG by the template: no script, no CDN."""
    points = [(s.year, s.explanation.grade, False) for s in published if s.explanation.grade]
    points += [(s.year, s.explanation.grade, True) for s in proposed if s.explanation.grade]
    if not points:
        return None
    years = sorted({p[0] for p in points})
    left, top, step = 48, 16, 40
    width, height = max(260, left + 24 + 72 * len(years)), 200
    span = max(len(years) - 1, 1)
    inner = width - left - 24
    bars = []
    per_year: dict[int, int] = {}
    for year, _grade, _proposed in points:
        per_year[year] = per_year.get(year, 0) + 1
    seen: dict[int, int] = {}
    for year, grade, is_proposed in sorted(points):
        index = years.index(year)
        x = left + (inner * index / span if len(years) > 1 else inner / 2)
        # Two rule sets in one year: the bars side by side.
        nth = seen[year] = seen.get(year, -1) + 1
        x += (nth - (per_year[year] - 1) / 2) * 34
        level = GRADE_LEVEL[grade]
        y = top + (4 - level) * step
        bars.append(
            {
                "year": year,
                "grade": grade,
                "proposed": is_proposed,
                "x": round(x, 1),
                "x0": round(x - 16, 1),
                "y": y,
                "h": level * step,
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "years": years,
        "levels": [{"grade": g, "y": top + (4 - lvl) * step + 4} for g, lvl in GRADE_LEVEL.items()],
        "base": top + 4 * step,
    }


def employer_home_context(employer, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    records = list(CreditRecord.objects.filter(employer=employer).order_by("date", "pk"))
    live = live_sections(employer, records, today)
    proposed = proposed_sections(employer, records)
    published = published_sections(employer, records)
    return {
        "employer": employer,
        "today": today,
        "live": live,
        "proposed": proposed,
        "published": published,
        "chart": chart(published, proposed),
        "record_objection_url": objection_url(kind="record"),
        "grade_label": grade_label,
    }
