"""Shared steps of the written-review tests, all through the services."""

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from written_review import selectors, services

D = datetime.date
DATA = Path(__file__).resolve().parent.parent / "data"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOOD_ROSTER = DATA / "roster_good_utf8.csv"  # 7 workers: more than 5, so 5 are drawn


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def plan_with(employers, *, actor, jurisdiction, year=2025, seed=7, **values):
    """A drawn plan whose sample is exactly ``employers`` (added by hand; nothing else in the
    jurisdiction is a candidate unless the test made it)."""
    plan = services.create_plan(actor=actor, jurisdiction=jurisdiction, year=year, **values)
    for employer in employers:
        services.add_manual(actor=actor, plan=plan, employer=employer, reason="测试增加")
    services.start_draw(actor=actor, plan=plan, seed=seed, run_now=True)
    services.run_draw(plan.pk)
    plan.refresh_from_db()
    assert plan.status == "drawn", plan.draw_error
    return plan


DECLARATION = {
    "contact_name": "李会计",
    "contact_phone": "0375-5123456",
    "address": "郏县城关镇",
    "headcount": 7,
    "contracts_signed": 7,
    "dispatched_workers": 0,
    "hours_systems": ["standard"],
    "pension_insured": 7,
    "medical_insured": 7,
    "injury_insured": 7,
    "unemployment_insured": 7,
    "payroll_concealed": False,
    "wage_violation": False,
    "hours_violation": False,
    "sanctioned": False,
    "payday": 15,
}


def declare(review, owner, *, documents=True):
    services.save_declaration(actor=owner, review=review, data=dict(DECLARATION))
    result = services.upload_roster(
        actor=owner, review=review, data=GOOD_ROSTER.read_bytes(), filename="花名册.csv"
    )
    assert result.ok, result.problems
    if documents:
        items = [
            (item["doc_type"], item["worker"], [pdf(f"{item['doc_type']}.pdf")])
            for item in selectors.checklist(review)
        ]
        services.upload_documents(actor=owner, review=review, items=items)


NOTICE_DAY, SUBMIT_DAY = D(2026, 3, 2), D(2026, 3, 6)


def submitted(review, *, inspector, owner, notice=NOTICE_DAY, on=SUBMIT_DAY):
    services.notify_review(actor=inspector, review=review, today=notice)
    declare(review, owner)
    return services.submit(actor=owner, review=review, today=on)


def proposed(review, *, inspector, problems=(), result=None):
    findings = {a: "no_problem" for a in ("labor_contract", "wages", "working_hours",
                                          "social_insurance")}  # fmt: skip
    for p in problems:
        findings[p["area"]] = "problem"
    services.save_findings(actor=inspector, review=review, findings=findings, opinion="已审查")
    for p in problems:
        services.add_problem(actor=inspector, review=review, **p)
    result = result or ("basically_qualified" if problems else "qualified")
    return services.propose(actor=inspector, review=review, result=result)


PROBLEM_CONTRACT = {
    "area": "labor_contract",
    "description": "2名职工的劳动合同未约定工作时间",
    "legal_basis": "《劳动合同法》第十七条",
    "severity": "minor",
    "handling": "suggestion",
}
PROBLEM_HOURS = {
    "area": "working_hours",
    "description": "5月延长工作时间超过36小时",
    "legal_basis": "《劳动法》第四十一条",
    "severity": "general",
    "handling": "case",
}
PROBLEM_NOT_VIOLATION = {
    "area": "social_insurance",
    "description": "社会保险缴纳凭证复印件不清晰",
    "legal_basis": "《社会保险法》第六十条",
    "is_violation": False,
}
