"""Reads of the supervision pages and the patrol draw. Scoping is done here (through
``employers.selectors``), so a page cannot forget it.

The grade that directs supervision is the **latest published cycle grade**: for each (grading
jurisdiction, rule set), the newest cycle whose status is published, and in it the employer's
final grade — the approved manual-review override if any, else the computed grade (as
``grading.selectors.cycle_results`` reads it). Interpretation: the proposed grades of a cycle in
public notice are not final (SPEC §8) and the live grade changes every night, while seed 000
第十四–十七条, seed 002 四(四)3 and seed 003 四(五) attach the measures to the grade the bureau has
published. Dated adjustments made after publication (publication app) are not seen here: this app
sits below publication and does not import it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_records.choices import PatrolResult, RecordKind
from credit_records.models import CreditRecord
from credit_records.periods import add_months
from employers.choices import STAFF_ROLES, EmployerKind, EmployerStatus, JurisdictionLevel, Role
from employers.models import Employer, Jurisdiction, User
from employers.selectors import scope_by_employer, visible_employers, visible_jurisdictions
from grading.choices import CycleStatus, OverrideStatus
from grading.models import Cycle, Grade, GradeOverride
from grading.rulesets import GRADE_SEVERITY

from .models import CommitmentLetter, CommitmentReminder, PatrolPlan, PatrolTask
from .sampling import GRADES, Candidate, Inspector

# --- the rule sets of a jurisdiction and the default ratios (SPEC §11) ------------------------

# Rule sets that exempt A-grade employers from proactive patrols, with the clause that says so.
# Kept here, keyed by rule-set code, rather than in the rule-set modules: it is a supervision
# measure, not a grading rule, and holds for every version of the regulation.
A_EXEMPT = {
    "jiaxian": _("第十四条第（一）项：A级（优秀）用人单位免于日常巡视检查"),
    "jiangjin": _("四（四）3：对评为A级的企业，除有举报投诉外，原则上不纳入本年度主动巡查范围"),
}

# Default ratios in per cent (SPEC §11): A 0 % where the rule set exempts A, otherwise 5 %;
# B 15 %; C and D 50 %. Employers without a published grade (new, or outside the rule set's
# scope) are drawn at the B ratio — interpretation: B is the 常规比例 of seed 003 四(五) (按常规
# 比例和频次抽查), the ratio for an employer about which the bureau knows nothing in particular.
DEFAULT_RATIOS = {"A": Decimal(5), "B": Decimal(15), "C": Decimal(50), "D": Decimal(50)}


def jurisdiction_rulesets(jurisdiction: Jurisdiction, day: dt.date) -> list[str]:
    """Codes of the rule sets that grade employers of ``jurisdiction`` on ``day``: those assigned
    to it or to its nearest ancestor with assignments, and those assigned below it."""
    from grading.assignments import Assignments

    return Assignments(day).ruleset_codes_within(jurisdiction.pk)


def a_exempt(ruleset_codes: Iterable[str]) -> bool:
    codes = list(ruleset_codes)
    return bool(codes) and all(code in A_EXEMPT for code in codes)


def default_ratios(ruleset_codes: Iterable[str]) -> dict[str, Decimal]:
    ratios = dict(DEFAULT_RATIOS)
    if a_exempt(ruleset_codes):
        ratios["A"] = Decimal(0)
    ratios[""] = DEFAULT_RATIOS["B"]
    return ratios


# --- the latest published grades -----------------------------------------------------------------


def related_jurisdiction_ids(jurisdiction: Jurisdiction) -> list[int]:
    """The jurisdiction, its ancestors (a district of 许昌 is graded by the city) and its subtree."""
    ids = set(jurisdiction.subtree().values_list("pk", flat=True))
    node = jurisdiction.parent
    while node is not None:
        ids.add(node.pk)
        node = node.parent
    return sorted(ids)


def latest_published_cycles(jurisdiction: Jurisdiction) -> list[Cycle]:
    """For each (grading jurisdiction, rule set) related to ``jurisdiction``, its newest published
    cycle."""
    cycles = (
        Cycle.objects.filter(
            status=CycleStatus.PUBLISHED,
            run__isnull=False,
            jurisdiction_id__in=related_jurisdiction_ids(jurisdiction),
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction_id", "ruleset_code", "-year")
    )
    latest: dict[tuple[int, str], Cycle] = {}
    for cycle in cycles:
        latest.setdefault((cycle.jurisdiction_id, cycle.ruleset_code), cycle)
    return list(latest.values())


def final_grades(cycles: Iterable[Cycle]) -> QuerySet:
    """Grade rows of ``cycles`` annotated with ``final_grade`` (the latest approved override's
    grade, else the computed one) and ``cycle_as_of``."""
    condition = Q()
    for cycle in cycles:
        condition |= Q(
            run_id=cycle.run_id,
            ruleset_code=cycle.ruleset_code,
            jurisdiction_id=cycle.jurisdiction_id,
        )
    approved = (
        GradeOverride.objects.filter(grade=OuterRef("pk"), status=OverrideStatus.APPROVED)
        .order_by("-decided_at", "-id")
        .values("proposed_grade")[:1]
    )
    grades = Grade.objects.filter(condition) if condition else Grade.objects.none()
    return grades.annotate(final_grade=Coalesce(Subquery(approved), F("grade")))


@dataclass(frozen=True)
class PublishedGrade:
    grade: str
    ruleset_code: str
    year: int


def _worse(a: PublishedGrade | None, b: PublishedGrade) -> PublishedGrade:
    """The grade that directs supervision when an employer has several: a grade over none, the
    newer year, then the worse grade."""
    if a is None:
        return b
    key_a = (bool(a.grade), a.year, GRADE_SEVERITY.get(a.grade, 0))
    key_b = (bool(b.grade), b.year, GRADE_SEVERITY.get(b.grade, 0))
    return b if key_b > key_a else a


def published_grades(jurisdiction: Jurisdiction, employers: QuerySet) -> dict[int, PublishedGrade]:
    """{employer id: its latest published grade} for ``employers`` (a queryset) of
    ``jurisdiction``; employers without one are absent. One pass over the cycles' grade rows;
    the approved overrides (few) are read apart and applied in Python."""
    cycles = latest_published_cycles(jurisdiction)
    if not cycles:
        return {}
    overrides = dict(
        GradeOverride.objects.filter(
            grade__run_id__in={c.run_id for c in cycles}, status=OverrideStatus.APPROVED
        )
        .order_by("decided_at", "id")
        .values_list("grade_id", "proposed_grade")
    )  # the latest approval wins
    condition = Q()
    for cycle in cycles:
        condition |= Q(
            run_id=cycle.run_id,
            ruleset_code=cycle.ruleset_code,
            jurisdiction_id=cycle.jurisdiction_id,
        )
    rows = (
        Grade.objects.filter(condition, employer_id__in=employers.values("pk"))
        .values_list("pk", "employer_id", "grade", "ruleset_code", "cycle_year")
        .order_by()
    )
    out: dict[int, PublishedGrade] = {}
    for pk, employer_id, grade, ruleset_code, year in rows.iterator(chunk_size=10000):
        found = PublishedGrade(overrides.get(pk, grade) or "", ruleset_code, year or 0)
        seen = out.get(employer_id)
        out[employer_id] = found if seen is None else _worse(seen, found)
    return out


# --- patrol draw inputs ---------------------------------------------------------------------------


def employers_in(jurisdiction: Jurisdiction) -> QuerySet:
    ids = list(jurisdiction.subtree().values_list("pk", flat=True))
    return Employer.objects.filter(Q(jurisdiction_id__in=ids) | Q(street_id__in=ids))


@dataclass
class DrawInputs:
    candidates: list[Candidate]
    inspectors: list[Inspector]
    employer_ids: dict[str, int]  # uscc → employer id
    ruleset_by_uscc: dict[str, str]  # uscc → rule set whose grade was used
    user_ids: dict[str, int]  # username → user id


def draw_inputs(jurisdiction: Jurisdiction) -> DrawInputs:
    """The operating employers of ``jurisdiction`` with their latest published grade, and its
    active inspectors (those whose own jurisdiction lies in it)."""
    employers = employers_in(jurisdiction).filter(status=EmployerStatus.OPERATING)
    grades = published_grades(jurisdiction, employers)
    candidates, employer_ids, rulesets = [], {}, {}
    paths = dict(Jurisdiction.objects.values_list("pk", "path"))
    where: dict[tuple, tuple[str, ...]] = {}  # one shared tuple per (jurisdiction, street)
    rows = employers.values_list("pk", "uscc", "name", "jurisdiction_id", "street_id")
    for pk, uscc, name, j_id, street_id in rows.order_by("uscc").iterator(chunk_size=10000):
        grade = grades.get(pk)
        key = (j_id, street_id)
        if key not in where:
            where[key] = tuple(paths[i] for i in key if i is not None)
        candidates.append(
            Candidate(uscc=uscc, name=name, grade=grade.grade if grade else "", paths=where[key])
        )
        employer_ids[uscc] = pk
        rulesets[uscc] = grade.ruleset_code if grade else ""
    users = (
        User.objects.filter(
            is_active=True,
            role=Role.INSPECTOR,
            jurisdiction__in=jurisdiction.subtree(),
        )
        .values_list("pk", "username", "jurisdiction__path")
        .order_by("username")
    )
    inspectors, user_ids = [], {}
    for pk, username, path in users:
        inspectors.append(Inspector(username=username, path=path))
        user_ids[username] = pk
    return DrawInputs(candidates, inspectors, employer_ids, rulesets, user_ids)


# --- plans, tasks and progress ----------------------------------------------------------------


def visible_plans(user) -> QuerySet:
    plans = PatrolPlan.objects.select_related("jurisdiction", "created_by")
    if not user.is_authenticated or user.role not in STAFF_ROLES:
        return plans.none()
    return plans.filter(jurisdiction__in=visible_jurisdictions(user))


def plan_tasks(plan: PatrolPlan, user) -> QuerySet:
    tasks = PatrolTask.objects.filter(plan=plan).select_related(
        "employer", "employer__street", "inspector_1", "inspector_2", "record"
    )
    return scope_by_employer(tasks, user, "employer")


def my_tasks(user) -> QuerySet:
    """The patrol tasks assigned to ``user`` (open first, by due date)."""
    return (
        PatrolTask.objects.filter(Q(inspector_1=user) | Q(inspector_2=user))
        .select_related(
            "plan", "plan__jurisdiction", "employer", "inspector_1", "inspector_2", "record"
        )
        .order_by(F("record_id").asc(nulls_first=True), "due_on", "employer__uscc")
    )


def task_state(task: PatrolTask, today: dt.date) -> str:
    if task.record_id:
        return "done"
    return "overdue" if task.due_on < today else "open"


def state_filter(state: str, today: dt.date) -> Q:
    if state == "done":
        return Q(record__isnull=False)
    if state == "overdue":
        return Q(record__isnull=True, due_on__lt=today)
    if state == "open":
        return Q(record__isnull=True, due_on__gte=today)
    return Q()


def _state_counts(today: dt.date) -> dict:
    return {
        "total": Count("id"),
        "done": Count("id", filter=Q(record__isnull=False)),
        "open": Count("id", filter=Q(record__isnull=True, due_on__gte=today)),
        "overdue": Count("id", filter=Q(record__isnull=True, due_on__lt=today)),
        "issue_found": Count("id", filter=Q(record__result=PatrolResult.ISSUE_FOUND)),
    }


def plan_counts(today: dt.date) -> dict:
    """Annotations of a PatrolPlan queryset: its tasks in total, done, open and overdue."""
    return {
        "n_total": Count("tasks"),
        "n_done": Count("tasks", filter=Q(tasks__record__isnull=False)),
        "n_open": Count("tasks", filter=Q(tasks__record__isnull=True, tasks__due_on__gte=today)),
        "n_overdue": Count("tasks", filter=Q(tasks__record__isnull=True, tasks__due_on__lt=today)),
    }


@dataclass
class ProgressRow:
    label: str
    total: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0
    issue_found: int = 0
    key: str = ""

    @property
    def percent_done(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


@dataclass
class Progress:
    totals: ProgressRow
    by_grade: list[ProgressRow] = field(default_factory=list)
    by_inspector: list[ProgressRow] = field(default_factory=list)

    def chart(self) -> dict:
        """Data for the stacked bar charts (static/js/supervision.js)."""

        def series(rows):
            return {
                "labels": [r.label for r in rows],
                "done": [r.done for r in rows],
                "open": [r.open for r in rows],
                "overdue": [r.overdue for r in rows],
            }

        return {
            "names": {
                "done": str(_("已完成")),
                "open": str(_("进行中")),
                "overdue": str(_("已逾期")),
            },
            "grade": series(self.by_grade),
            "inspector": series(self.by_inspector),
        }


def _row(label, values, key="") -> ProgressRow:
    return ProgressRow(
        label=str(label),
        key=key,
        **{k: values.get(k, 0) or 0 for k in ("total", "done", "open", "overdue", "issue_found")},
    )


def plan_progress(plan: PatrolPlan, today: dt.date, tasks: QuerySet | None = None) -> Progress:
    """Done, open and overdue tasks of a plan: in total, per grade and per inspector — a few
    aggregate queries, whatever the plan's size."""
    tasks = PatrolTask.objects.filter(plan=plan) if tasks is None else tasks
    counts = _state_counts(today)
    totals = _row(_("合计"), tasks.aggregate(**counts))
    by_grade_values = {r["grade"]: r for r in tasks.values("grade").annotate(**counts)}
    by_grade = [
        _row(g or _("未评级"), by_grade_values[g], key=g or "U")
        for g in GRADES
        if g in by_grade_values
    ]
    per_user: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for column in ("inspector_1", "inspector_2"):
        for r in tasks.values(column).annotate(**counts):
            for k in counts:
                per_user[r[column]][k] += r[k]
    names = {
        u.pk: str(u)
        for u in User.objects.filter(pk__in=per_user).only("pk", "display_name", "username")
    }
    by_inspector = sorted(
        (_row(names.get(uid, uid), values) for uid, values in per_user.items()),
        key=lambda r: r.label,
    )
    return Progress(totals=totals, by_grade=by_grade, by_inspector=by_inspector)


# --- registry freshness (seed 001 一(三)) ----------------------------------------------------------

NEW_PER_MONTH = getattr(settings, "SUPERVISION_NEW_EMPLOYERS_PER_MONTH", 5)
# 每年将系统内用人单位信息更新一次: every employer, once a year.
FRESH_TARGET_PERCENT = getattr(settings, "SUPERVISION_FRESH_TARGET_PERCENT", 100)
MONTHS_SHOWN = 12


def freshness_cutoff(today: dt.date) -> dt.datetime:
    """The start of the 12 months that end today (民法典 第二百零二条, the one date helper: from
    2025-02-28 back to 2024-02-28... and from 2024-02-29 to 2023-02-28)."""
    start = add_months(today, -12) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def month_starts(today: dt.date, months: int = MONTHS_SHOWN) -> list[dt.date]:
    """The first days of the ``months`` complete months before ``today``'s month, oldest first."""
    this_month = today.replace(day=1)
    return [add_months(this_month, -k) for k in range(months, 0, -1)]


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class StreetFreshness:
    street: Jurisdiction | None  # None = employers with no street recorded
    total: int = 0
    fresh: int = 0
    new_by_month: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.street.name if self.street else str(_("（未填写街道）"))

    @property
    def stale(self) -> int:
        return self.total - self.fresh

    @property
    def percent_fresh(self) -> Decimal:
        if not self.total:
            return Decimal(100)
        return (Decimal(100) * self.fresh / self.total).quantize(Decimal("0.1"))

    @property
    def fresh_short(self) -> bool:
        return self.percent_fresh < FRESH_TARGET_PERCENT

    @property
    def last_month_new(self) -> int:
        return self.new_by_month[-1] if self.new_by_month else 0

    @property
    def new_short(self) -> bool:
        return self.last_month_new < NEW_PER_MONTH

    @property
    def months_short(self) -> int:
        return sum(1 for n in self.new_by_month if n < NEW_PER_MONTH)

    @property
    def short(self) -> bool:
        return self.fresh_short or self.new_short

    def cells(self):
        return [(n, n < NEW_PER_MONTH) for n in self.new_by_month]


def registry_freshness(jurisdiction: Jurisdiction, today: dt.date) -> list[StreetFreshness]:
    """Per street of ``jurisdiction``: employers (not deregistered) whose registry data was
    changed or confirmed in the last 12 months, and new employers in each of the 12 complete
    months before ``today``'s month (seed 001 一(三)：每年更新一次、每月增加不少于5户). A street
    falls short when not every employer is fresh or last month brought fewer than five.
    Interpretation: the mark says where the street stands now — the last complete month; the
    months before are shown beside it (and counted) but do not keep a street marked for a year."""
    cutoff = freshness_cutoff(today)
    employers = employers_in(jurisdiction)
    streets = list(jurisdiction.subtree().filter(level=JurisdictionLevel.STREET).order_by("path"))
    rows: dict[int | None, StreetFreshness] = {s.pk: StreetFreshness(street=s) for s in streets}
    fresh_q = Q(updated_at__gte=cutoff) | Q(registry_confirmed_at__gte=cutoff)
    current = employers.exclude(status=EmployerStatus.DEREGISTERED)
    for r in current.values("street_id").annotate(
        total=Count("id"), fresh=Count("id", filter=fresh_q)
    ):
        row = rows.setdefault(r["street_id"], StreetFreshness(street=None))
        row.total, row.fresh = r["total"], r["fresh"]
    months = month_starts(today)
    index = {m: i for i, m in enumerate(months)}
    for row in rows.values():
        row.new_by_month = [0] * len(months)
    window = employers.filter(
        created_at__gte=_local_midnight(months[0]),
        created_at__lt=_local_midnight(today.replace(day=1)),
    )
    for r in (
        window.annotate(month=TruncMonth("created_at"))
        .values("street_id", "month")
        .annotate(n=Count("id"))
    ):
        row = rows.get(r["street_id"])
        if row is None:
            row = rows[r["street_id"]] = StreetFreshness(street=None)
            row.new_by_month = [0] * len(months)
        month = timezone.localtime(r["month"]).date() if r["month"] else None
        if month in index:
            row.new_by_month[index[month]] += r["n"]
    ordered = [rows[s.pk] for s in streets]
    if None in rows:
        ordered.append(rows[None])
    return ordered


def stale_employers(jurisdiction: Jurisdiction, today: dt.date, user) -> QuerySet:
    """Employers (not deregistered) neither changed nor confirmed in the last 12 months, the
    longest untouched first."""
    cutoff = freshness_cutoff(today)
    never = Value(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), output_field=DateTimeField())
    employers = scope_by_employer(employers_in(jurisdiction), user)
    return (
        employers.exclude(status=EmployerStatus.DEREGISTERED)
        .filter(updated_at__lt=cutoff)
        .filter(Q(registry_confirmed_at__isnull=True) | Q(registry_confirmed_at__lt=cutoff))
        .annotate(last_touched=Greatest("updated_at", Coalesce("registry_confirmed_at", never)))
        .select_related("street")
        .order_by("last_touched", "uscc")
    )


def registry_last_touched(employer: Employer) -> dt.datetime:
    if employer.registry_confirmed_at and employer.registry_confirmed_at > employer.updated_at:
        return employer.registry_confirmed_at
    return employer.updated_at


def is_fresh(employer: Employer, today: dt.date) -> bool:
    return registry_last_touched(employer) >= freshness_cutoff(today)


# --- commitment letters (seed 003 一(一), 附件1) -----------------------------------------------------

# Interpretation (as xuchang.U.1 [r2]): 职业中介 is HR service work under 人力资源市场暂行条例, so a
# job agency signs the letter too; labour dispatch has its own licence and does not.
AGENCY_KINDS = (EmployerKind.HR_AGENCY, EmployerKind.JOB_AGENCY)


def is_agency(employer: Employer) -> bool:
    return employer.kind in AGENCY_KINDS and employer.status != EmployerStatus.DEREGISTERED


def letter_for(employer: Employer, year: int) -> CommitmentLetter | None:
    return CommitmentLetter.objects.filter(employer=employer, year=year).first()


def agencies(user, jurisdiction: Jurisdiction | None = None) -> QuerySet:
    employers = (
        visible_employers(user)
        .filter(kind__in=AGENCY_KINDS)
        .exclude(status=EmployerStatus.DEREGISTERED)
    )
    if jurisdiction is not None:
        employers = employers.filter(pk__in=employers_in(jurisdiction).values("pk"))
    return employers


def unsigned_agencies(user, year: int, jurisdiction: Jurisdiction | None = None) -> QuerySet:
    signed = CommitmentLetter.objects.filter(employer=OuterRef("pk"), year=year)
    reminders = CommitmentReminder.objects.filter(employer=OuterRef("pk"), year=year)
    return (
        agencies(user, jurisdiction)
        .filter(~Exists(signed))
        .annotate(
            last_reminded=Subquery(reminders.order_by("-sent_on").values("sent_on")[:1]),
            reminders=Coalesce(
                Subquery(reminders.values("employer").annotate(n=Count("id")).values("n")[:1]),
                Value(0),
            ),
        )
        .order_by("name", "pk")
    )


def signed_letters(user, year: int, jurisdiction: Jurisdiction | None = None) -> QuerySet:
    letters = CommitmentLetter.objects.filter(year=year).select_related(
        "employer", "signed_by", "record"
    )
    letters = scope_by_employer(letters, user, "employer")
    if jurisdiction is not None:
        letters = letters.filter(employer__in=employers_in(jurisdiction).values("pk"))
    return letters.order_by("employer__name", "pk")


def visible_letters(user) -> QuerySet:
    return scope_by_employer(
        CommitmentLetter.objects.select_related("employer", "signed_by"), user, "employer"
    )


# --- interview and training lists ----------------------------------------------------------------


def supervised_grades(user, jurisdiction: Jurisdiction, grades: Iterable[str]) -> QuerySet:
    """Final grades in ``grades`` of the latest published cycles of ``jurisdiction``, for the
    employers ``user`` may see, annotated with the employer's last interview after the cycle."""
    cycles = latest_published_cycles(jurisdiction)
    employers = scope_by_employer(employers_in(jurisdiction), user)
    interviews = CreditRecord.objects.effective().filter(
        employer_id=OuterRef("employer_id"),
        kind=RecordKind.INTERVIEW,
        date__gt=OuterRef("as_of"),
    )
    grades = list(grades)
    overridden = GradeOverride.objects.filter(
        status=OverrideStatus.APPROVED, grade__run_id__in={c.run_id for c in cycles}
    ).values("grade_id")
    return (
        final_grades(cycles)
        # cheap prefilter before the per-row override lookup: computed in ``grades``, or overridden
        .filter(Q(grade__in=grades) | Q(pk__in=overridden))
        .filter(final_grade__in=grades, employer__in=employers.values("pk"))
        .annotate(last_interview=Subquery(interviews.order_by("-date", "-id").values("date")[:1]))
        .select_related("employer", "employer__street")
        .order_by("-final_grade", "employer__uscc")
    )


def interview_list(user, jurisdiction: Jurisdiction, *, include_done: bool = False) -> QuerySet:
    """C and D employers of the current (latest published) cycle without an ``interview`` record
    (seed 000 第十七条(三): 约谈情况应当记入信用记录; seed 002 四(四)3; seed 003 四(五)).
    Interpretation: an interview counts when dated after the cycle's last day (its as_of) — an
    interview before the grade is not the interview the grade calls for."""
    rows = supervised_grades(user, jurisdiction, ("C", "D"))
    if not include_done:
        rows = rows.filter(last_interview__isnull=True)
    return rows


def training_list(user, jurisdiction: Jurisdiction) -> QuerySet:
    """C employers of the current cycle: their principal and directly responsible persons are
    trained (seed 001 三(二): 对于被评为C级的用人单位，对其主要负责人、直接责任人定期进行培训;
    seed 002 四(四)3: 重点监管和培训对象)."""
    return supervised_grades(user, jurisdiction, ("C",))


def default_jurisdiction(user) -> Jurisdiction | None:
    """The user's own jurisdiction, or the first non-street one they can see."""
    if user.jurisdiction_id and user.jurisdiction.level != JurisdictionLevel.STREET:
        return user.jurisdiction
    return visible_jurisdictions(user).exclude(level=JurisdictionLevel.STREET).order_by(
        "path"
    ).first() or (user.jurisdiction if user.jurisdiction_id else None)


def chosen_jurisdiction(user, code: str | None) -> Jurisdiction | None:
    """A jurisdiction the user may see, by code (query string), else their default."""
    if code:
        found = visible_jurisdictions(user).filter(code=code).first()
        if found is not None:
            return found
    return default_jurisdiction(user)


def jurisdiction_choices(user) -> QuerySet:
    return visible_jurisdictions(user).exclude(level=JurisdictionLevel.STREET).order_by("path")
