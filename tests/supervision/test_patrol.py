"""Patrol plans through the services and the draw_sample sampler (SPEC §9, §11)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from credit_records.models import AuditEntry, CreditRecord
from credit_records.services import add_record, correct_record, void_record
from employers.choices import EmployerStatus, Role
from grading.choices import OverrideStatus
from grading.models import Grade, GradeOverride
from supervision import selectors, services
from supervision.choices import PlanStatus
from supervision.models import PatrolPlan, PatrolTask
from supervision.sampling import read_csv

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .conftest import employers_graded, inspectors, publish_cycle, run_patrol

D = datetime.date
pytestmark = pytest.mark.django_db


# --- defaults: A exempt where the rule set exempts it ----------------------------------------


@pytest.mark.parametrize(
    ("code", "a_ratio", "exempt"),
    [
        ("jiaxian", Decimal(0), True),  # 第十四条第（一）项 免于日常巡视检查
        ("jiangjin", Decimal(0), True),  # 四（四）3 原则上不纳入本年度主动巡查范围
        ("xiqing", Decimal(5), False),  # 三（二）: fewer patrols, not none
        ("xuchang", Decimal(5), False),  # 四（五）: a lower ratio
        ("xuchang-weidu", Decimal(5), False),  # a district graded by the city's rule set
    ],
)
def test_default_ratios_exempt_a_under_jiaxian_and_jiangjin(code, a_ratio, exempt):
    codes = selectors.jurisdiction_rulesets(jurisdiction(code), D(2025, 1, 1))
    ratios = selectors.default_ratios(codes)
    assert ratios == {
        "A": a_ratio,
        "B": Decimal(15),
        "C": Decimal(50),
        "D": Decimal(50),
        "": Decimal(15),
    }
    assert selectors.a_exempt(codes) is exempt


@pytest.mark.parametrize("code", ["jiaxian", "jiangjin"])
def test_no_a_employer_is_drawn_by_default_where_a_is_exempt(code):
    graded = employers_graded(code, {"A": 30, "B": 10, "C": 4})
    publish_cycle(code, 2024, graded)
    inspectors(code, 2)
    outcome = services.draw_plan(
        actor=None,
        jurisdiction=jurisdiction(code),
        period_from=D(2025, 1, 1),
        period_to=D(2025, 12, 31),
        seed=11,
    )
    counts = {c.grade: (c.candidates, c.drawn) for c in outcome.draw.counts}
    assert counts["A"] == (30, 0)
    assert counts["B"] == (10, 2)  # 1.5 → 2
    assert counts["C"] == (4, 2)
    assert not outcome.plan.tasks.filter(grade="A").exists()


def test_xiqing_draws_a_at_five_per_cent():
    graded = employers_graded("xiqing", {"A": 20})
    publish_cycle("xiqing", 2024, graded)
    inspectors("xiqing", 2)
    outcome = services.draw_plan(
        actor=None,
        jurisdiction=jurisdiction("xiqing"),
        period_from=D(2025, 1, 1),
        period_to=D(2025, 12, 31),
        seed=3,
        dry_run=True,
    )
    assert [(c.grade, c.drawn) for c in outcome.draw.counts if c.grade == "A"] == [("A", 1)]


def test_the_grade_used_is_the_latest_published_final_grade():
    """A published override wins over the computed grade; a cycle in public notice, an older
    cycle and a deregistered employer do not count."""
    e_override, e_old, e_new, e_gone = (EmployerFactory() for _ in range(4))
    publish_cycle("jiaxian", 2023, {e_override: "B", e_old: "D", e_new: "D"})
    cycle = publish_cycle("jiaxian", 2024, {e_override: "B", e_old: "A", e_gone: "C"})
    grade = Grade.objects.get(run=cycle.run, employer=e_override)
    GradeOverride.objects.create(
        grade=grade,
        proposed_grade="C",
        reason="复核",
        proposed_by=UserFactory(),
        status=OverrideStatus.APPROVED,
    )
    e_gone.status = EmployerStatus.DEREGISTERED
    e_gone.save()
    inputs = selectors.draw_inputs(jurisdiction("jiaxian"))
    grades = {c.uscc: c.grade for c in inputs.candidates}
    assert grades[e_override.uscc] == "C"
    assert grades[e_old.uscc] == "A"  # 2024, not 2023
    assert grades[e_new.uscc] == ""  # not in the latest cycle: no published grade now
    assert e_gone.uscc not in grades


# --- the command's sampler ----------------------------------------------------------------------


@pytest.fixture
def jiaxian_world(db):
    graded = employers_graded("jiaxian", {"A": 6, "B": 8, "C": 3, "D": 2, "": 3})
    publish_cycle("jiaxian", 2024, {e: g for e, g in graded.items() if g})
    staff = inspectors("jiaxian", 3)
    UserFactory(username="insp_xiqing_x", role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    return graded, staff


ARGS = ["--jurisdiction", "jiaxian", "--from", "2025-01-01", "--to", "2025-12-31"]


def test_dry_run_is_byte_identical_for_one_seed_and_stores_nothing(jiaxian_world, tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    audit = AuditEntry.objects.count()
    assert run_patrol(*ARGS, "--seed", "42", "--output", str(a), "--dry-run")[0] == 0
    assert run_patrol(*ARGS, "--seed", "42", "--output", str(b), "--dry-run")[0] == 0
    assert run_patrol(*ARGS, "--seed", "43", "--output", str(c), "--dry-run")[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert PatrolPlan.objects.count() == 0 and AuditEntry.objects.count() == audit
    rows = read_csv(a.read_bytes())
    assert rows[0] == ["uscc", "name", "grade", "reason", "inspectors"]
    staff = {u.username for u in jiaxian_world[1]}
    assert len(rows) - 1 == 0 + 1 + 2 + 1 + 0  # A 0, B 8×15%=1.2→1, C 3→2, D 2→1, U 3×15%→0
    for row in rows[1:]:
        pair = row[4].split(";")
        assert len(pair) == 2 and pair[0] != pair[1] and set(pair) <= staff


def test_a_stored_draw_is_refused_the_second_time(jiaxian_world, tmp_path):
    out = tmp_path / "plan.csv"
    code, stdout, stderr = run_patrol(*ARGS, "--seed", "42", "--output", str(out))
    assert code == 0, stderr
    assert "计划已保存" in stdout
    plan = PatrolPlan.objects.get()
    assert plan.status == PlanStatus.DRAWN and plan.seed == 42
    assert plan.tasks.count() == len(read_csv(out.read_bytes())) - 1
    assert AuditEntry.objects.filter(action="supervision.plan_draw").count() == 1

    again = tmp_path / "again.csv"
    code, _stdout, stderr = run_patrol(*ARGS, "--seed", "7", "--output", str(again))
    assert code == 1 and "已有巡查计划" in stderr
    assert PatrolPlan.objects.count() == 1 and not again.exists()
    # An overlapping period is the same plan…
    code, _o, stderr = run_patrol(
        "--jurisdiction", "jiaxian", "--from", "2025-06-01", "--to", "2026-05-31",
        "--seed", "7", "--output", str(again),
    )  # fmt: skip
    assert code == 1 and "重叠" in stderr
    # …a dry run is still allowed and gives the stored plan's file.
    code, _o, _e = run_patrol(*ARGS, "--seed", "42", "--output", str(again), "--dry-run")
    assert code == 0 and again.read_bytes() == out.read_bytes()


def test_the_plan_page_exports_the_same_file(jiaxian_world, tmp_path, client):
    out = tmp_path / "plan.csv"
    assert run_patrol(*ARGS, "--seed", "5", "--output", str(out))[0] == 0
    plan = PatrolPlan.objects.get()
    client.force_login(UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian")))
    response = client.get(f"/supervision/plans/{plan.pk}/?format=csv")
    assert response.status_code == 200
    assert response.content == out.read_bytes()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--from", "2025-01-01", "--to", "2025-12-31", "--seed", "1", "--output", "x.csv"], 2, ""),
        ([*ARGS[:2], "--from", "2025/01/01", "--to", "2025-12-31", "--seed", "1", "--output", "x.csv"], 2, "YYYY-MM-DD"),
        ([*ARGS[:2], "--from", "2025-02-30", "--to", "2025-12-31", "--seed", "1", "--output", "x.csv"], 2, "不是有效日期"),
        ([*ARGS[:2], "--from", "2025-12-31", "--to", "2025-01-01", "--seed", "1", "--output", "x.csv"], 2, "不能晚于"),
        ([*ARGS, "--seed", "-1", "--output", "x.csv"], 2, "非负整数"),
        ([*ARGS, "--seed", "abc", "--output", "x.csv"], 2, "非负整数"),
        ([*ARGS, "--seed", "1", "--output", "x.xlsx"], 2, ".csv"),
        (["--jurisdiction", "nowhere", *ARGS[2:], "--seed", "1", "--output", "x.csv"], 1, "不存在"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_data_errors_exit_1(jiaxian_world, tmp_path, argv, code, message):
    argv = [str(tmp_path / a) if a.startswith("x.") else a for a in argv]
    result, _stdout, stderr = run_patrol(*argv)
    assert result == code
    assert message in stderr
    assert not list(tmp_path.iterdir())


def test_too_few_inspectors_is_a_data_error(tmp_path):
    publish_cycle("jiaxian", 2024, employers_graded("jiaxian", {"C": 2}))
    inspectors("jiaxian", 1)
    code, _o, stderr = run_patrol(*ARGS, "--seed", "1", "--output", str(tmp_path / "p.csv"))
    assert code == 1 and "名监察员" in stderr
    assert PatrolPlan.objects.count() == 0


def test_the_sampler_is_registered_with_draw_sample():
    from employers.samplers import sampler
    from supervision.sampler import patrol_sampler

    entry = sampler("patrol")
    assert entry is not None and entry.handle == patrol_sampler.handle


def test_the_command_draws_the_same_file_twice_for_one_seed(tmp_path):
    from django.core.management import call_command

    publish_cycle("jiaxian", 2024, employers_graded("jiaxian", {"B": 20, "C": 6}))
    inspectors("jiaxian", 3)
    first, second, other = (tmp_path / name for name in ("a.csv", "b.csv", "c.csv"))
    for seed, path in (("7", first), ("7", second), ("8", other)):
        call_command(
            "draw_sample",
            "patrol",
            *ARGS,
            "--seed",
            seed,
            "--output",
            str(path),
            "--dry-run",
            stdout=io.StringIO(),
        )
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert first.read_bytes().decode("utf-8-sig").splitlines()[0] == (
        "uscc,name,grade,reason,inspectors"
    )
    assert PatrolPlan.objects.count() == 0


# --- the page's way: plan now, draw in the background -----------------------------------------


def test_create_plan_draws_after_commit(jiaxian_world, django_capture_on_commit_callbacks):
    supervisor = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"))
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.create_plan(
            actor=supervisor,
            jurisdiction=jurisdiction("jiaxian"),
            period_from=D(2025, 1, 1),
            period_to=D(2025, 6, 30),
            ratios={"A": 0, "B": 0, "C": 100, "D": 100, "": 0},
            seed=8,
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    assert plan.tasks.count() == 5  # 3 C + 2 D
    assert plan.created_by == supervisor
    assert {"supervision.plan_create", "supervision.plan_draw"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_ratios_outside_0_100_are_refused(jiaxian_world):
    with pytest.raises(ValidationError) as info:
        services.draw_plan(
            actor=None,
            jurisdiction=jurisdiction("jiaxian"),
            period_from=D(2025, 1, 1),
            period_to=D(2025, 12, 31),
            seed=1,
            ratios={"A": 0, "B": 101, "C": 50, "D": 50, "": 15},
        )
    assert "ratio_b" in info.value.message_dict
    assert PatrolPlan.objects.count() == 0


def test_an_inspector_of_another_jurisdiction_cannot_plan_here(jiaxian_world):
    outsider = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(PermissionDenied):
        services.create_plan(
            actor=outsider,
            jurisdiction=jurisdiction("jiaxian"),
            period_from=D(2025, 1, 1),
            period_to=D(2025, 12, 31),
        )


def test_a_failed_draw_is_marked_and_can_be_made_again(django_capture_on_commit_callbacks):
    publish_cycle("jiaxian", 2024, employers_graded("jiaxian", {"C": 2}))
    (alone,) = inspectors("jiaxian", 1)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.create_plan(
            actor=alone,
            jurisdiction=jurisdiction("jiaxian"),
            period_from=D(2025, 1, 1),
            period_to=D(2025, 12, 31),
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FAILED and "名监察员" in plan.error
    inspectors("jiaxian", 1, prefix="second")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.create_plan(
            actor=alone,
            jurisdiction=jurisdiction("jiaxian"),
            period_from=D(2025, 1, 1),
            period_to=D(2025, 12, 31),
        )
    again.refresh_from_db()
    assert again.status == PlanStatus.DRAWN and again.tasks.count() == 1


# --- tasks closed by their record ---------------------------------------------------------------


@pytest.fixture
def plan(jiaxian_world):
    outcome = services.draw_plan(
        actor=None,
        jurisdiction=jurisdiction("jiaxian"),
        period_from=D(2025, 1, 1),
        period_to=D(2025, 12, 31),
        seed=1,
        ratios={"A": 0, "B": 0, "C": 100, "D": 100, "": 0},
    )
    return outcome.plan


def test_a_task_is_closed_by_its_patrol_record_once(plan):
    task = plan.tasks.select_related("inspector_1").first()
    services.close_task(
        actor=task.inspector_1, task=task, date=D(2025, 3, 4), result="no_issue", summary="正常"
    )
    task.refresh_from_db()
    record = task.record
    assert (record.kind, record.result, record.source, record.date) == (
        "patrol_inspection",
        "no_issue",
        "patrol",
        D(2025, 3, 4),
    )
    assert record.created_by == task.inspector_1 and task.closed_by == task.inspector_1
    with pytest.raises(ValidationError, match="已完成"):
        services.close_task(
            actor=task.inspector_2, task=task, date=D(2025, 3, 5), result="no_issue"
        )
    assert CreditRecord.objects.filter(employer=task.employer).count() == 1
    progress = selectors.plan_progress(plan, D(2025, 6, 1)).totals
    assert (progress.total, progress.done, progress.open, progress.overdue) == (5, 1, 4, 0)
    late = selectors.plan_progress(plan, D(2026, 1, 1)).totals
    assert (late.done, late.open, late.overdue) == (1, 0, 4)


def test_only_the_drawn_inspectors_or_a_supervisor_close_a_task(plan):
    task = plan.tasks.first()
    drawn = set(task.inspector_ids())
    bystander = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    assert bystander.pk not in drawn
    with pytest.raises(PermissionDenied):
        services.close_task(actor=bystander, task=task, date=D(2025, 3, 4), result="no_issue")
    supervisor = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"))
    services.close_task(actor=supervisor, task=task, date=D(2025, 3, 4), result="issue_found")
    assert PatrolTask.objects.get(pk=task.pk).record.result == "issue_found"


def test_a_date_before_the_plan_is_refused(plan):
    task = plan.tasks.select_related("inspector_1").first()
    with pytest.raises(ValidationError) as info:
        services.close_task(
            actor=task.inspector_1, task=task, date=D(2024, 12, 31), result="no_issue"
        )
    assert "date" in info.value.message_dict
    assert not CreditRecord.objects.exists()


def test_a_patrol_record_entered_on_the_employer_page_closes_the_task(plan):
    task = plan.tasks.select_related("inspector_2", "employer").first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = add_record(
            actor=task.inspector_2,
            employer=task.employer,
            kind="patrol_inspection",
            date=D(2025, 5, 6),
            result="no_issue",
            source="patrol",
        )
    task.refresh_from_db()
    assert task.record == record and task.closed_by == task.inspector_2
    # a correction follows the task, a void reopens it
    with TestCase.captureOnCommitCallbacks(execute=True):
        corrected = correct_record(
            actor=task.inspector_2, record=record, reason="结果录错", result="issue_found"
        )
    task.refresh_from_db()
    assert task.record == corrected
    with TestCase.captureOnCommitCallbacks(execute=True):
        void_record(actor=task.inspector_2, record=corrected, reason="检查对象搞错")
    task.refresh_from_db()
    assert task.record is None and task.closed_at is None
    assert AuditEntry.objects.filter(action="supervision.task_reopen").count() == 1


def test_an_imported_patrol_record_closes_the_task(plan):
    from credit_records.services import import_records

    task, other = plan.tasks.select_related("inspector_1", "employer").order_by("pk")[:2]
    header = "uscc,kind,date,end_date,case_no,document_no,severity,category,rectification,"
    header += "performance,procedure,incident,level,value,result,source,summary\n"
    rows = [
        f"{task.employer.uscc},patrol_inspection,2025-05-06,,,,,,,,,,,,issue_found,patrol,巡查\n",
        # outside the plan's period: the other task stays open
        f"{other.employer.uscc},patrol_inspection,2024-05-06,,,,,,,,,,,,no_issue,patrol,巡查\n",
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = import_records(
            data=(header + "".join(rows)).encode(), filename="patrol.csv", actor=task.inspector_1
        )
    assert report.created == 2
    task.refresh_from_db()
    other.refresh_from_db()
    assert task.record is not None and task.record.result == "issue_found"
    assert task.closed_at is not None
    assert other.record is None
    assert AuditEntry.objects.filter(action="supervision.task_close").count() == 1


def test_a_patrol_record_outside_the_period_leaves_the_task_open(plan):
    task = plan.tasks.select_related("inspector_1", "employer").first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        add_record(
            actor=task.inspector_1,
            employer=task.employer,
            kind="patrol_inspection",
            date=D(2024, 11, 6),
            result="no_issue",
        )
    task.refresh_from_db()
    assert task.record is None


def test_my_tasks_are_mine(plan):
    task = plan.tasks.select_related("inspector_1").first()
    mine = selectors.my_tasks(task.inspector_1)
    assert task in mine
    assert all(task.inspector_1_id in t.inspector_ids() for t in mine)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("jiaxian-anliang", ["jiaxian"]),  # a street: its district's rule set
        ("xuchang-weidu", ["xuchang"]),  # a district graded by the city's rule set
        ("pingdingshan", ["jiaxian"]),  # no rule set of its own: the one assigned below it
        ("tianjin", ["xiqing"]),
        ("chongqing", ["jiangjin"]),
    ],
)
def test_the_rule_sets_of_a_jurisdiction_are_grading_s_assignments(code, expected):
    """Supervision reads which rule sets grade a jurisdiction from grading's assignments: the
    jurisdiction's own or its nearest ancestor's, and those assigned below it."""
    assert selectors.jurisdiction_rulesets(jurisdiction(code), D(2025, 1, 1)) == expected


def test_rule_sets_assigned_below_are_found_and_expired_ones_are_not():
    from grading.models import RuleSetAssignment

    assignment = RuleSetAssignment.objects.get(jurisdiction=jurisdiction("jiaxian"))
    RuleSetAssignment.objects.create(
        jurisdiction=jurisdiction("pingdingshan"),
        ruleset_code="xuchang",
        ruleset_version="1",
        effective_from=D(2020, 1, 1),
    )
    codes = selectors.jurisdiction_rulesets(jurisdiction("pingdingshan"), D(2025, 1, 1))
    assert codes == ["jiaxian", "xuchang"]  # its own, and the district's below it
    assignment.effective_to = D(2024, 12, 31)
    assignment.save()
    codes = selectors.jurisdiction_rulesets(jurisdiction("pingdingshan"), D(2025, 1, 1))
    assert codes == ["xuchang"]
