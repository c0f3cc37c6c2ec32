"""Demo data for ``manage.py seed_demo``: 郏县's written review of last year, drawn from the
published grades (publication's demo publishes that cycle first) and carried through the real
services so that the plan has employers in every state — sampled, notified (one with a draft),
overdue (one with an order, one with an obstruction record), submitted, returned, proposed,
approved with problems (one rectification reported), closed — and a newcomer can walk each step:

- ``employer_demo`` sees its result and problem list and reports rectification;
- ``employer_review`` (a sampled enterprise just notified) declares with a roster and papers;
- ``inspector_jiaxian`` reviews, returns, checks rectification, orders late declarations;
- ``supervisor_jiaxian`` approves.

Idempotent: nothing is done when the plan exists. Employers act through stand-in accounts that
are not saved (the services check role and employer only).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

JURISDICTION = "jiaxian"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
]


def id_number(n: int) -> str:
    from stdnum.cn import ric

    birth = dt.date(1989, 1, 1) + dt.timedelta(days=(n * 137) % 5000)
    body = f"410425{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def roster_csv(rng, size: int, start: int) -> bytes:
    lines = ["姓名,身份证号码,岗位,劳动合同起始日期,劳动合同终止日期,月工资"]
    for i in range(size):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 2 else "")
        wage = Decimal(rng.randrange(2400, 9000, 50))
        lines.append(
            f"{name},{id_number(start + i)},{rng.choice(['操作工', '文员', '司机', '技术员', '保洁员'])},"
            f"2023-0{1 + i % 9}-01,{'' if i % 4 == 0 else '2026-12-31'},{wage}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _stand_in(employer):
    from employers.choices import Role
    from employers.models import User

    return User(role=Role.EMPLOYER, employer=employer, is_active=True, display_name="单位填报人")


def _workday_before(day: dt.date, n: int) -> dt.date:
    from objections.calendar import CalendarNotLoaded, is_workday

    counted = 0
    while counted < n:
        day -= dt.timedelta(days=1)
        try:
            counted += is_workday(day)
        except CalendarNotLoaded:
            counted += day.weekday() < 5
    return day


def declare_fully(review, *, rng, start: int, headcount: int | None = None, documents=True):
    """Fill the declaration, upload a roster and every paper of the checklist."""
    from . import selectors, services

    actor = _stand_in(review.employer)
    headcount = headcount or rng.randint(6, 30)
    services.save_declaration(
        actor=actor,
        review=review,
        data={
            "contact_name": "李会计",
            "contact_phone": "0375-5123456",
            "address": review.employer.address or "郏县城关镇",
            "headcount": headcount,
            "contracts_signed": headcount,
            "dispatched_workers": 0,
            "hours_systems": ["standard"],
            "pension_insured": headcount,
            "medical_insured": headcount,
            "injury_insured": headcount,
            "unemployment_insured": headcount,
            "payroll_concealed": False,
            "wage_violation": False,
            "hours_violation": False,
            "sanctioned": False,
            "payday": 15,
        },
    )
    services.upload_roster(
        actor=actor,
        review=review,
        data=roster_csv(rng, headcount, start),
        filename="职工花名册.csv",
    )
    if documents:
        items = [
            (item["doc_type"], item["worker"], [_pdf(f"{item['label']}.pdf")])
            for item in selectors.checklist(review)
        ]
        services.upload_documents(actor=actor, review=review, items=items)


def seed(*, rng, stdout, today: dt.date) -> None:
    with transaction.atomic():  # all of it or nothing, so a second run can start over
        _seed(rng=rng, stdout=stdout, today=today)


def _seed(*, rng, stdout, today: dt.date) -> None:
    from employers.choices import Role
    from employers.management.commands.seed_demo import DEMO_PASSWORD
    from employers.models import Jurisdiction, User

    from . import services
    from .models import ReviewPlan

    jurisdiction = Jurisdiction.objects.filter(code=JURISDICTION).first()
    inspector = User.objects.filter(username=f"inspector_{JURISDICTION}").first()
    supervisor = User.objects.filter(username=f"supervisor_{JURISDICTION}").first()
    if jurisdiction is None or inspector is None or supervisor is None:
        stdout.write("书面审查演示数据：缺少郏县辖区或演示账号，跳过")
        return
    year = today.year - 1
    if ReviewPlan.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        stdout.write(f"书面审查演示数据：郏县{year}年度计划已存在，未改变")
        return
    demo_user = User.objects.filter(username="employer_demo").first()

    with transaction.atomic():
        plan = services.create_plan(
            actor=inspector,
            jurisdiction=jurisdiction,
            year=year,
            contact="郏县劳动保障监察大队 赵监察员 0375-5100000",
            paper_address="郏县人力资源和社会保障局劳动保障监察大队（郏县龙山大道 16 号）",
        )
        if demo_user is not None:
            services.add_manual(
                actor=inspector,
                plan=plan,
                employer=demo_user.employer,
                reason="演示：根据监管需要增加（去年有投诉举报）",
            )
        services.start_draw(actor=inspector, plan=plan, seed=20250801, run_now=True)
    services.run_draw(plan.pk)
    plan.refresh_from_db()
    if plan.status != "drawn":
        stdout.write(f"书面审查演示数据：抽取失败：{plan.draw_error}")
        return
    reviews = list(plan.reviews.select_related("employer").order_by("employer__uscc"))
    own = next((r for r in reviews if demo_user and r.employer_id == demo_user.employer_id), None)
    others = [r for r in reviews if r is not own]
    long_ago = _workday_before(today, 25)
    recently = _workday_before(today, 2)
    review_day = _workday_before(today, 12)
    approval_day = _workday_before(today, 8)
    counter = iter(range(100, 100000, 40))

    def notify(review, day):
        services.notify_review(actor=inspector, review=review, today=day)

    with transaction.atomic():
        # Two stay sampled (not notified yet); the rest are notified.
        states = {}
        pool = list(others)
        states["sampled"] = pool[:2]
        rest = pool[2:]
        states["overdue"] = rest[:3]
        states["submitted"] = rest[3:5]
        states["returned"] = rest[5:6]
        states["proposed"] = rest[6:7]
        states["approved"] = rest[7:8]
        states["closed_clean"] = rest[8:9]
        states["closed_rectified"] = rest[9:10]
        states["notified"] = rest[10:]
        for review in states["overdue"]:
            notify(review, long_ago)
        for review in states["notified"]:
            notify(review, recently)
        for key in ("submitted", "returned", "proposed", "approved", "closed_clean",
                    "closed_rectified"):  # fmt: skip
            for review in states[key]:
                notify(review, long_ago)
                declare_fully(review, rng=rng, start=next(counter))
                services.submit(actor=_stand_in(review.employer), review=review, today=review_day)
        if own is not None:
            notify(own, long_ago)
            declare_fully(own, rng=rng, start=next(counter), headcount=8)
            services.submit(actor=_stand_in(own.employer), review=own, today=review_day)

        # A draft declaration among the just-notified ones.
        if states["notified"]:
            draft = states["notified"][0]
            services.save_declaration(
                actor=_stand_in(draft.employer),
                review=draft,
                data={"contact_name": "王经理", "contact_phone": "13903750000", "headcount": 12},
            )
        # The employer_review account: a just-notified enterprise with nothing declared yet.
        fresh = states["notified"][1] if len(states["notified"]) > 1 else None
        if fresh is not None and not User.objects.filter(username="employer_review").exists():
            user = User(
                username="employer_review",
                role=Role.EMPLOYER,
                employer=fresh.employer,
                display_name=fresh.employer.name,
                must_change_password=False,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()

        # Overdue: one with an order to declare (still running), one whose order was ignored
        # and an obstruction recorded.
        overdue = states["overdue"]
        if len(overdue) >= 1:
            services.issue_late_order(
                actor=inspector,
                review=overdue[0],
                new_due_date=today + dt.timedelta(days=7),
                document_no="郏人社监令〔演示〕1号",
                today=today,
            )
        if len(overdue) >= 2:
            ordered_on = _workday_before(today, 10)
            services.issue_late_order(
                actor=inspector,
                review=overdue[1],
                new_due_date=ordered_on + dt.timedelta(days=5),
                document_no="郏人社监令〔演示〕2号",
                today=ordered_on,
            )
            services.record_obstruction(
                actor=inspector,
                review=overdue[1],
                date=_workday_before(today, 1),
                summary="经责令限期申报，逾期仍未申报书面审查材料",
                today=today,
            )

        for review in states["returned"]:
            services.return_declaration(
                actor=inspector,
                review=review,
                reasons="5月考勤记录不清晰，请重新扫描上传；劳动合同缺少单位盖章页。",
                today=_workday_before(today, 1),
            )

        def judge(review, problems, result):
            findings = {a: "no_problem" for a in ("labor_contract", "wages", "working_hours",
                                                  "social_insurance")}  # fmt: skip
            for area, *_rest in problems:
                findings[area] = "problem"
            services.save_findings(actor=inspector, review=review, findings=findings,
                                   opinion="已核对抽中职工的劳动合同、工资表和考勤记录。")  # fmt: skip
            for area, description, basis, handling in problems:
                services.add_problem(actor=inspector, review=review, area=area,
                                     description=description, legal_basis=basis,
                                     severity="minor", handling=handling)  # fmt: skip
            services.propose(actor=inspector, review=review, result=result)

        problems_two = [
            ("labor_contract", "2名抽中职工的劳动合同未约定工作时间和休息休假",
             "《劳动合同法》第十七条", "suggestion"),
            ("social_insurance", "10月社会保险缴费人数少于在册职工人数2人",
             "《社会保险法》第五十八条", "suggestion"),
        ]  # fmt: skip
        problems_one = [
            ("working_hours", "5月考勤记录显示部分职工每月延长工作时间超过36小时",
             "《劳动法》第四十一条", "suggestion"),
        ]  # fmt: skip
        for review in states["proposed"]:
            judge(review, problems_one, "basically_qualified")
        for review in states["approved"]:
            judge(review, problems_two, "basically_qualified")
            services.decide(actor=supervisor, review=review, approve=True, note="同意",
                            today=approval_day)  # fmt: skip
            first = review.problems.order_by("number").first()
            services.report_rectification(
                actor=_stand_in(review.employer), problem=first,
                text="已与2名职工补签劳动合同变更书，约定标准工时制。",
                uploads=[_pdf("劳动合同变更书.pdf")],
            )  # fmt: skip
        for review in states["closed_clean"]:
            judge(review, [], "qualified")
            services.decide(actor=supervisor, review=review, approve=True, today=approval_day)
        for review in states["closed_rectified"]:
            judge(review, problems_one, "basically_qualified")
            services.decide(actor=supervisor, review=review, approve=True, today=approval_day)
            problem = review.problems.get()
            report = services.report_rectification(
                actor=_stand_in(review.employer), problem=problem,
                text="已调整排班，10月起延长工作时间未超过36小时。",
                uploads=[_pdf("排班表.pdf")],
            )  # fmt: skip
            services.decide_rectification(actor=inspector, report=report, accept=True,
                                          today=today)  # fmt: skip
        if own is not None:
            judge(own, problems_two, "basically_qualified")
            services.decide(actor=supervisor, review=own, approve=True, note="同意",
                            today=approval_day)  # fmt: skip
    from .choices import ReviewStatus

    counts: dict[str, int] = {}
    for status in plan.reviews.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    stdout.write(
        f"书面审查演示数据：{plan}，候选 {plan.candidate_count} 家，抽中 {plan.sample_count} 家，"
        + "，".join(f"{ReviewStatus(k).label} {v} 家" for k, v in sorted(counts.items()))
    )
