"""The draw over the database: candidates (operating employers; enterprises only in jiangjin),
the latest published grade (overrides and dated adjustments honoured), the stored inputs, the
``draw_sample written-review`` command (SPEC §9) and the page's CSV."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from employers.choices import Role
from grading.choices import CycleStatus, OverrideStatus, RunKind, RunStatus
from grading.models import Cycle, Grade, GradeOverride, GradingRun
from grading.selectors import latest_published_grades
from publication.models import PublishedAdjustment, PublishedResult
from written_review import sampling, services
from written_review.models import PlanCandidate, ReviewPlan

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .helpers import D

ROOT = Path(__file__).resolve().parents[2]


def cycle(code, year, grades, *, status=CycleStatus.PUBLISHED, ruleset=None):
    """A cycle of ``code`` for ``year`` whose run graded each employer as given."""
    j = jurisdiction(code)
    ruleset = ruleset or code
    run = GradingRun.objects.create(
        jurisdiction=j, kind=RunKind.CYCLE, cycle_year=year, as_of=D(year, 12, 31),
        window_start=D(year, 1, 1), window_end=D(year, 12, 31), status=RunStatus.COMPLETE,
    )  # fmt: skip
    rows = {}
    for employer, grade in grades.items():
        rows[employer] = Grade.objects.create(
            run=run, employer=employer, jurisdiction=j, ruleset_code=ruleset,
            ruleset_version="1", as_of=D(year, 12, 31), cycle_year=year, grade=grade,
        )  # fmt: skip
    c = Cycle.objects.create(jurisdiction=j, ruleset_code=ruleset, year=year, status=status,
                             run=run)  # fmt: skip
    return c, rows


def test_latest_published_grade(db):
    e1, e2, e3, e4 = (EmployerFactory() for _ in range(4))
    cycle("jiaxian", 2023, {e1: "C", e2: "A", e3: "B"})
    c2024, rows = cycle("jiaxian", 2024, {e1: "B", e2: "", e4: "A"})
    cycle("jiaxian", 2025, {e1: "D"}, status=CycleStatus.PUBLIC_NOTICE)  # not published
    supervisor = UserFactory(role=Role.SUPERVISOR)
    GradeOverride.objects.create(grade=rows[e4], proposed_grade="C", reason="复核",
                                 proposed_by=supervisor, status=OverrideStatus.APPROVED)  # fmt: skip
    found = latest_published_grades([e1.pk, e2.pk, e3.pk, e4.pk])
    assert {e: (g.grade, g.year) for e, g in found.items()} == {
        e1.pk: ("B", 2024),  # the 2025 cycle is only in public notice
        e2.pk: ("A", 2023),  # 未评级 in 2024 is not published: the 2023 grade is the latest
        e3.pk: ("B", 2023),
        e4.pk: ("C", 2024),  # the approved override is the published grade
    }
    assert latest_published_grades([e1.pk], up_to_year=2023)[e1.pk].grade == "C"


def test_a_dated_adjustment_is_honoured(db):
    employer = EmployerFactory()
    c, _rows = cycle("jiaxian", 2024, {employer: "C"})
    result = PublishedResult.objects.create(
        cycle=c, employer=employer, year=2024, ruleset_code="jiaxian", ruleset_version="1",
        name=employer.name, uscc=employer.uscc, grade="C", published_at=timezone.now(),
    )  # fmt: skip
    PublishedAdjustment.objects.create(
        result=result, effective_date=D(2025, 6, 1), old_grade="C", new_grade="B",
        public_note="复评调整", reason="复评", decided_by=UserFactory(role=Role.PUBLISHER),
    )  # fmt: skip
    assert latest_published_grades([employer.pk])[employer.pk].grade == "B"
    assert latest_published_grades([employer.pk], as_of=D(2025, 5, 31))[employer.pk].grade == "C"


@pytest.fixture
def jiangjin_world(db):
    jj = jurisdiction("jiangjin")
    street = jj.subtree().filter(level="street").first()
    e = {
        "a": EmployerFactory(jurisdiction=jj, name="江津甲", industry="manufacturing"),
        "c": EmployerFactory(jurisdiction=jj, street=street, name="江津丙", industry="retail"),
        "key": EmployerFactory(jurisdiction=jj, name="江津建筑", industry="construction"),
        "shop": EmployerFactory(
            jurisdiction=jj, kind="individual_business", name="江津个体", industry="construction"
        ),  # fmt: skip
        "closed": EmployerFactory(
            jurisdiction=jj, status="deregistered", name="江津注销", industry="construction"
        ),  # fmt: skip
        "other": EmployerFactory(jurisdiction=jurisdiction("jiaxian"), industry="construction"),
    }
    cycle("jiangjin", 2024, {e["a"]: "A", e["c"]: "C"})
    return jj, e


def test_jiangjin_candidates_are_operating_enterprises_with_their_grade(jiangjin_world):
    jj, e = jiangjin_world
    plan = services.create_plan(actor=None, jurisdiction=jj, year=2025, ratio_ungraded=0)
    assert plan.enterprises_only is True
    services.start_draw(actor=None, plan=plan, seed=1, run_now=True)
    services.run_draw(plan.pk)
    plan.refresh_from_db()
    candidates = dict(PlanCandidate.objects.filter(plan=plan).values_list("name", "grade"))
    assert candidates == {"江津甲": "A", "江津丙": "C", "江津建筑": ""}
    sampled = dict(plan.reviews.values_list("employer__name", "reason"))
    # A: 3 % of 1 → 0; C: 95 % of 1 → 1; ungraded at 0 %; the construction enterprise as a key
    # industry.
    assert sampled == {"江津丙": "ratio", "江津建筑": "key_industry"}
    assert plan.reviews.get(employer=e["c"]).grade == "C"


def test_other_jurisdictions_take_every_kind(db):
    jx = jurisdiction("jiaxian")
    EmployerFactory(jurisdiction=jx, kind="individual_business", industry="transport")
    plan = services.create_plan(actor=None, jurisdiction=jx, year=2025, ratio_ungraded=0)
    assert plan.enterprises_only is False
    services.start_draw(actor=None, plan=plan, seed=1, run_now=True)
    services.run_draw(plan.pk)
    assert plan.reviews.get().reason == "key_industry"


def test_the_stored_draw_is_the_pure_function_of_the_stored_inputs(jiangjin_world):
    jj, e = jiangjin_world
    for i in range(30):
        EmployerFactory(jurisdiction=jj, name=f"江津补{i}", industry="retail")
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jj)
    plan = services.create_plan(actor=inspector, jurisdiction=jj, year=2025, ratio_ungraded=20)
    services.add_manual(actor=inspector, plan=plan, employer=e["a"], reason="投诉较多")
    services.start_draw(actor=inspector, plan=plan, seed=424242, run_now=True)
    services.run_draw(plan.pk)
    plan.refresh_from_db()
    candidates = [
        sampling.Candidate(c.uscc, c.name, c.grade, c.industry)
        for c in PlanCandidate.objects.filter(plan=plan)
    ]
    expected = sampling.draw(
        ratios={"A": 3, "B": 50, "C": 95, "D": 95, "": 20},
        seed=424242,
        candidates=candidates,
        manual=[sampling.Candidate(e["a"].uscc, e["a"].name, "A")],
    )
    stored = sorted(plan.reviews.values_list("employer__uscc", "reason", "grade"))
    assert stored == [(d.uscc, d.reason, d.grade) for d in expected]
    # 31 ungraded at 20 % → 7 (6.2 rounded up) and C 1 → 8 by ratio, whatever the hashes; the
    # A employer (3 % of 1 → 0) is in by hand; the construction enterprise by ratio or as a key
    # industry.
    reasons = {d.name: d.reason for d in expected}
    assert list(reasons.values()).count("ratio") == 8
    assert reasons["江津甲"] == "manual" and reasons["江津建筑"] in ("ratio", "key_industry")
    assert plan.sample_count == len(expected)


def test_a_manual_addition_after_the_draw_joins_the_sample(jiangjin_world):
    jj, e = jiangjin_world
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jj)
    plan = services.create_plan(actor=inspector, jurisdiction=jj, year=2025)
    services.start_draw(actor=inspector, plan=plan, seed=3, run_now=True)
    services.run_draw(plan.pk)
    before = sampling.sample_csv(services.redraw(ReviewPlan.objects.get(pk=plan.pk)))
    services.add_manual(actor=inspector, plan=plan, employer=e["a"], reason="新线索")
    plan.refresh_from_db()
    after = services.redraw(plan)
    assert plan.reviews.get(employer=e["a"]).reason == "manual"
    assert sorted(plan.reviews.values_list("employer__uscc", flat=True)) == [d.uscc for d in after]
    assert sampling.sample_csv(after) != before
    with pytest.raises(Exception, match="已在本计划中"):
        services.add_manual(actor=inspector, plan=plan, employer=e["a"], reason="再加")
    with pytest.raises(Exception, match="不属于本计划的辖区"):
        services.add_manual(actor=inspector, plan=plan, employer=e["other"], reason="外区")


def test_plans_refuse_illegal_ratios_and_a_second_plan(db):
    jx = jurisdiction("jiaxian")
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jx)
    with pytest.raises(Exception, match="A级抽取比例不得高于 3%"):
        services.create_plan(actor=inspector, jurisdiction=jx, year=2025, ratio_a=4)
    plan = services.create_plan(actor=inspector, jurisdiction=jx, year=2025)
    with pytest.raises(Exception, match="已存在"):
        services.create_plan(actor=inspector, jurisdiction=jx, year=2025)
    with pytest.raises(Exception, match="C级抽取比例不得低于 95%"):
        services.update_plan(actor=inspector, plan=plan, ratio_c=90)
    with pytest.raises(Exception, match="管辖范围"):
        services.create_plan(actor=UserFactory(role=Role.INSPECTOR,
                                               jurisdiction=jurisdiction("xiqing")),
                             jurisdiction=jx, year=2026)  # fmt: skip
    services.start_draw(actor=inspector, plan=plan, seed=5, run_now=True)
    services.run_draw(plan.pk)
    with pytest.raises(Exception, match="不能再次抽取"):
        services.start_draw(actor=inspector, plan=plan, seed=5)
    with pytest.raises(Exception, match="不能再修改"):
        services.update_plan(actor=inspector, plan=plan, ratio_b=10)


def test_the_draw_job_runs_after_commit_and_shows_progress(
    jiangjin_world, django_capture_on_commit_callbacks
):
    jj, _e = jiangjin_world
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jj)
    plan = services.create_plan(actor=inspector, jurisdiction=jj, year=2025)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.start_draw(actor=inspector, plan=plan, seed=9)
    plan.refresh_from_db()
    assert (plan.status, plan.draw_total, plan.draw_done) == ("drawing", 3, 0)
    for callback in callbacks:
        callback()
    plan.refresh_from_db()
    assert (plan.status, plan.draw_done, plan.draw_percent) == ("drawn", 3, 100)


def test_a_failed_draw_leaves_the_plan_in_draft(jiangjin_world, monkeypatch):
    jj, _e = jiangjin_world
    plan = services.create_plan(actor=None, jurisdiction=jj, year=2025)
    services.start_draw(actor=None, plan=plan, seed=9, run_now=True)

    def broken(*args, **kwargs):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(services, "_finish_draw", broken)
    services.run_draw(plan.pk)
    plan.refresh_from_db()
    assert (plan.status, plan.draw_error) == ("draft", "数据库连接中断")
    assert not PlanCandidate.objects.filter(plan=plan).exists()


# --- the command ------------------------------------------------------------------------------


def run(tmp_path, name, *args):
    out = tmp_path / name
    stdout = io.StringIO()
    call_command("draw_sample", "written-review", *args, "--output", str(out), stdout=stdout)
    return out.read_bytes(), stdout.getvalue()


def test_command_same_seed_same_bytes(jiangjin_world, tmp_path):
    for i in range(40):
        EmployerFactory(jurisdiction=jurisdiction("jiangjin"), name=f"江津补{i}", industry="retail")
    args = ["--jurisdiction", "jiangjin", "--year", "2025"]
    dry1, _ = run(tmp_path, "a.csv", *args, "--seed", "77", "--dry-run")
    dry2, _ = run(tmp_path, "b.csv", *args, "--seed", "77", "--dry-run")
    other, _ = run(tmp_path, "c.csv", *args, "--seed", "78", "--dry-run")
    assert dry1 == dry2 and dry1 != other
    assert not ReviewPlan.objects.exists()  # --dry-run stores nothing
    stored, message = run(tmp_path, "d.csv", *args, "--seed", "77")
    assert stored == dry1 and "计划已保存" in message
    plan = ReviewPlan.objects.get()
    assert (plan.seed, plan.status, plan.sample_count) == (77, "drawn", plan.reviews.count())
    assert dry1.decode("utf-8-sig").splitlines()[0] == "uscc,name,grade,reason"
    assert "江津丙,C,ratio" in dry1.decode("utf-8-sig")
    # Drawing again is refused (exit 1); a dry run repeats the stored draw.
    with pytest.raises(SystemExit) as exc:
        run(tmp_path, "e.csv", *args, "--seed", "77")
    assert exc.value.code == 1
    EmployerFactory(jurisdiction=jurisdiction("jiangjin"), industry="transport")  # new employer
    again, message = run(tmp_path, "f.csv", *args, "--seed", "77", "--dry-run")
    assert again == dry1 and "按保存的候选名单" in message


def test_command_line_on_the_page_and_the_page_csv(jiangjin_world, tmp_path, client):
    run(tmp_path, "a.csv", "--jurisdiction", "jiangjin", "--year", "2025", "--seed", "5")
    plan = ReviewPlan.objects.get()
    client.force_login(UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiangjin")))
    page = client.get(reverse("written_review:plan", args=[plan.pk])).content.decode()
    assert ("python manage.py draw_sample written-review --jurisdiction jiangjin --year 2025 "
            "--seed 5 --output sample.csv --dry-run") in page  # fmt: skip
    csv = client.get(reverse("written_review:plan_sample_csv", args=[plan.pk])).content
    assert csv == (tmp_path / "a.csv").read_bytes()


def test_command_data_errors_exit_1(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        run(tmp_path, "a.csv", "--jurisdiction", "nowhere", "--year", "2025", "--seed", "1")
    assert exc.value.code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["draw_sample"],
        ["draw_sample", "written-review", "--jurisdiction", "jiangjin", "--year", "2025"],
        [
            "draw_sample",
            "written-review",
            "--jurisdiction",
            "jiangjin",
            "--year",
            "25",
            "--seed",
            "1",
            "--output",
            "x.csv",
        ],  # fmt: skip
        [
            "draw_sample",
            "written-review",
            "--jurisdiction",
            "jiangjin",
            "--year",
            "2025",
            "--seed",
            "-1",
            "--output",
            "x.csv",
        ],  # fmt: skip
        ["draw_sample", "lottery"],
    ],
)
def test_command_usage_errors_exit_2(args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr
