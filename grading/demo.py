"""Demo data for ``manage.py seed_demo`` (runs after the ledger's demo records exist).

- last year's annual cycle computed for every jurisdiction, and for 江津区 the two years before
  it too (so the 授牌 list of three consecutive A years has something to show);
- the live grades of every employer as of today (what the nightly job does);
- in 西青区 a pending manual review and in 江津区 an approved one, so both pages show the flow;
- in 许昌 an exemplary agency when the 5 % quota allows one.

Idempotent: a cycle that already has a run, a live run already done today, an existing
proposal or choice are left as they are.
"""

from __future__ import annotations

import datetime as dt


def _user(username):
    from employers.models import User

    return User.objects.filter(username=username).first()


def _cycles(year: int, stdout) -> None:
    from employers.models import Jurisdiction

    from .models import Cycle
    from .services import GradingError, regrade

    for code, years in (
        ("jiaxian", [year]),
        ("xiqing", [year]),
        ("xuchang", [year]),
        ("jiangjin", [year - 2, year - 1, year]),
    ):
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            continue
        for y in years:
            if Cycle.objects.filter(jurisdiction=jurisdiction, year=y, run__isnull=False).exists():
                continue
            try:
                run = regrade(cycle=y, jurisdiction=jurisdiction)
            except GradingError as exc:
                stdout.write(f"等级评价演示数据：{jurisdiction.name} {y} 年度未计算：{exc}")
                continue
            stdout.write(
                f"等级评价演示数据：{jurisdiction.name} {y} 年度评价 {run.counts.get('employers', 0)} 家"
            )


def _review(year: int, stdout) -> None:
    from . import services
    from .choices import REVIEWABLE_CYCLE_STATUSES, OverrideStatus
    from .models import Cycle, GradeOverride
    from .selectors import cycle_grades

    plans = [
        # (jurisdiction, inspector, supervisor, computed grade to review, proposal, approve?)
        # Not 西青区: its cycle is the one a newcomer takes to publication (publication/demo.py),
        # which a pending override would block.
        ("xuchang", "inspector_xuchang", None, "C", "B", None),
        ("jiangjin", "inspector_jiangjin", "supervisor_jiangjin", "B", "A", True),
    ]
    for code, inspector_name, supervisor_name, computed, proposed, approve in plans:
        cycle = Cycle.objects.filter(jurisdiction__code=code, year=year).first()
        inspector = _user(inspector_name)
        if cycle is None or inspector is None or cycle.status not in REVIEWABLE_CYCLE_STATUSES:
            continue
        if GradeOverride.objects.filter(grade__run=cycle.run).exists():
            continue
        grade = cycle_grades(cycle).filter(grade=computed).order_by("employer__name").first()
        if grade is None:
            continue
        override = services.propose_override(
            actor=inspector,
            grade=grade,
            proposed_grade=proposed,
            reason="该单位已在责令期限内全部整改完毕，并补发了拖欠工资，建议调整等级（演示数据）",
        )
        supervisor = _user(supervisor_name) if supervisor_name else None
        if approve and supervisor is not None:
            override = services.decide_override(
                actor=supervisor,
                override=override,
                approve=True,
                note="经核实，同意调整（演示数据）",
            )
        state = "已批准" if override.status == OverrideStatus.APPROVED else "待审批"
        stdout.write(f"等级评价演示数据：{cycle} 人工复核 1 条（{state}）")


def _exemplary(year: int, stdout) -> None:
    from django.core.exceptions import ValidationError

    from employers.models import Employer

    from . import services
    from .models import Cycle
    from .reports import a_grade_agencies

    cycle = Cycle.objects.filter(jurisdiction__code="xuchang", year=year).first()
    publisher = _user("publisher_xuchang") or _user("inspector_xuchang")
    if cycle is None or publisher is None or cycle.exemplary.exists():
        return
    if services.exemplary_quota(cycle) < 1:
        return
    pool = a_grade_agencies(cycle, employers=Employer.objects.all())
    try:
        services.choose_exemplary(
            actor=publisher,
            cycle=cycle,
            employer=pool[0].employer,
            reason="积极助力当地产业发展和乡村振兴，开展诚信主题活动（演示数据）",
        )
        stdout.write("等级评价演示数据：选树诚信机构典型 1 家")
    except ValidationError:
        pass


def seed(*, rng, stdout, today: dt.date) -> None:
    from .choices import RunKind, RunStatus
    from .models import GradingRun
    from .services import regrade

    year = today.year - 1
    _cycles(year, stdout)
    if not GradingRun.objects.filter(
        kind=RunKind.LIVE, as_of=today, status=RunStatus.COMPLETE
    ).exists():
        run = regrade(as_of=today)
        stdout.write(f"等级评价演示数据：今日动态等级 {run.counts.get('employers', 0)} 家")
    _review(year, stdout)
    _exemplary(year, stdout)
