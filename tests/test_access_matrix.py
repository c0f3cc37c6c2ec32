"""The access matrix: every URL of the project × every kind of user (SPEC §1; 三员分立).

"Nobody sees what is not theirs; nothing lost, nothing silently changed." Two jurisdictions'
worth of data is built once for the module through the real services (records, a cycle regraded
and published, a second cycle under review with an override, an objection, a repair
application), inside one transaction rolled back at the end. Then, for each role, every page
with an object id is requested and the status checked: allowed roles get the page, everyone
else a 403/404 (anonymous users the login page). A view that fetched by ``pk`` without its
scoped queryset would answer 200 to the other jurisdiction's inspector and fail here.

Forged POSTs are sent to every write URL inside a savepoint (rolled back after each request):
a refused role must get 403/404 and write nothing (no audit entry, no state change); an allowed
role must get through (and, for the writes with complete data, leave an audit entry).
``test_every_url_is_in_the_matrix`` walks the resolver so a new URL cannot skip the matrix.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from credit_records.models import Attachment, AuditEntry, CreditRecord
from credit_records.services import add_record
from employers.choices import Role
from employers.models import Employer
from grading.models import Cycle, ExemplaryAgency, Grade, GradeOverride, GradingRun
from grading.services import propose_override, regrade
from objections.choices import ObjectionKind
from objections.models import CaseAttachment, Objection, RepairApplication
from objections.services import apply_for_repair, file_objection
from publication import documents
from publication import services as publication
from publication.choices import DocumentKind
from publication.models import (
    AdjustmentProposal,
    CycleDocument,
    DocumentJob,
    OutboxMessage,
    PublicNotice,
    PublishedResult,
    WrittenNotice,
)
from tests.factories import EmployerFactory, UserFactory, jurisdiction

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOGIN = "/accounts/login/"

# The roles of the matrix. "_in" = jiaxian (where the data is), "_out" = xiqing.
ANON = "anonymous"
OWNER = "owner"  # the employer user of the employer the objects belong to
OTHER_EMPLOYER = "other_employer"  # another employer's user, in the same jurisdiction
INSPECTOR_IN, INSPECTOR_OUT = "inspector_in", "inspector_out"
SUPERVISOR_IN, SUPERVISOR_OUT = "supervisor_in", "supervisor_out"
PUBLISHER_IN, PUBLISHER_OUT = "publisher_in", "publisher_out"
AUDITOR_IN, AUDITOR_OUT = "auditor_in", "auditor_out"
SYSADMIN = "sysadmin"
ROLES = [
    ANON,
    OWNER,
    OTHER_EMPLOYER,
    INSPECTOR_IN,
    INSPECTOR_OUT,
    SUPERVISOR_IN,
    SUPERVISOR_OUT,
    PUBLISHER_IN,
    PUBLISHER_OUT,
    AUDITOR_IN,
    AUDITOR_OUT,
    SYSADMIN,
]
# --- exchange ---
CONSULTEE = "consultee"  # a sister unit of jiaxian answering the consultation (SPEC §12)
ROLES.append(CONSULTEE)
EVERYONE = frozenset(ROLES)
EMPLOYERS = frozenset({OWNER, OTHER_EMPLOYER})
STAFF_IN = frozenset({INSPECTOR_IN, SUPERVISOR_IN, PUBLISHER_IN, AUDITOR_IN})
STAFF_OUT = frozenset({INSPECTOR_OUT, SUPERVISOR_OUT, PUBLISHER_OUT, AUDITOR_OUT})
WRITERS_IN = frozenset({INSPECTOR_IN, SUPERVISOR_IN})
WRITERS = frozenset({INSPECTOR_IN, INSPECTOR_OUT, SUPERVISOR_IN, SUPERVISOR_OUT})
STAFF = STAFF_IN | STAFF_OUT

# Dates at which the 2025 calendar gives a five-working-day notice (see tests/publication).
NOTICE_BEFORE, NOTICE_START, NOTICE_FINAL = D(2025, 9, 26), D(2025, 9, 29), D(2025, 10, 13)


def _pdf(name="证据.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _fake_pdf(html, path):
    """Weasyprint is tested in tests/publication; a stub PDF keeps this module fast."""
    path.write_bytes(PDF)
    return path


@dataclass
class World:
    objects: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _build() -> World:
    from django.core.management.sql import emit_post_migrate_signal

    from employers.models import Jurisdiction
    from objections import calendar

    if not Jurisdiction.objects.exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    calendar.invalidate()
    jx, xq = jurisdiction("jiaxian"), jurisdiction("xiqing")
    w = World()
    o = w.objects
    o["a1"] = EmployerFactory(
        name="矩阵甲一建筑工程有限公司", jurisdiction=jx, legal_rep="王小明", phone="13912345678"
    )
    o["a2"] = EmployerFactory(name="矩阵甲二食品加工有限公司", jurisdiction=jx)
    o["b1"] = EmployerFactory(name="矩阵乙一运输有限公司", jurisdiction=xq)
    staff = {
        INSPECTOR_IN: (Role.INSPECTOR, jx),
        INSPECTOR_OUT: (Role.INSPECTOR, xq),
        SUPERVISOR_IN: (Role.SUPERVISOR, jx),
        SUPERVISOR_OUT: (Role.SUPERVISOR, xq),
        PUBLISHER_IN: (Role.PUBLISHER, jx),
        PUBLISHER_OUT: (Role.PUBLISHER, xq),
        AUDITOR_IN: (Role.AUDITOR, jx),
        AUDITOR_OUT: (Role.AUDITOR, xq),
    }
    u = w.users
    for key, (role, j) in staff.items():
        u[key] = UserFactory(role=role, jurisdiction=j)
    u[OWNER] = UserFactory(role=Role.EMPLOYER, employer=o["a1"], jurisdiction=None)
    u[OTHER_EMPLOYER] = UserFactory(role=Role.EMPLOYER, employer=o["a2"], jurisdiction=None)
    u[SYSADMIN] = UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True)

    with TestCase.captureOnCommitCallbacks(execute=True):
        o["r_2023"] = add_record(
            actor=u[INSPECTOR_IN],
            employer=o["a1"],
            kind="violation",
            date=D(2023, 5, 10),
            severity="general",
            category="wages",
            rectification="rectified",
            case_no="矩阵案〔2023〕1号",
            summary="矩阵记录摘要：职工张大山反映欠薪",
            attachments=[_pdf("询问笔录.pdf")],
        )
        o["penalty_2024"] = add_record(
            actor=u[INSPECTOR_IN],
            employer=o["a1"],
            kind="administrative_penalty",
            date=D(2024, 1, 15),
            performance="performed",
            procedure="general",
            document_no="郏人社罚〔2024〕9号",
        )
        o["r_objected"] = add_record(
            actor=u[SUPERVISOR_IN],
            employer=o["a1"],
            kind="violation",
            date=D(2024, 3, 1),
            severity="minor",
            category="working_hours",
            rectification="in_progress",
        )
        add_record(
            actor=u[INSPECTOR_OUT],
            employer=o["b1"],
            kind="violation",
            date=D(2023, 6, 1),
            severity="general",
            category="wages",
            rectification="rectified",
        )
    o["attachment"] = Attachment.objects.get(record=o["r_2023"])

    # 2023: regraded, reviewed, noticed, finalised and published (documents made at once).
    with TestCase.captureOnCommitCallbacks(execute=True):
        regrade(cycle=2023, jurisdiction=jx, actor=u[PUBLISHER_IN])
        regrade(cycle=2023, jurisdiction=xq, actor=u[PUBLISHER_OUT])
    c2023 = Cycle.objects.get(jurisdiction=jx, year=2023)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.start_review(cycle=c2023, actor=u[PUBLISHER_IN])
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.start_public_notice(
            cycle=c2023, actor=u[PUBLISHER_IN], start=NOTICE_START, today=NOTICE_BEFORE
        )
        publication.finalise(cycle=c2023, actor=u[PUBLISHER_IN], today=NOTICE_FINAL)
        publication.publish(cycle=c2023, actor=u[PUBLISHER_IN])
    o["c2023"] = c2023 = Cycle.objects.get(pk=c2023.pk)
    assert c2023.status == "published"
    o["notice"] = CycleDocument.objects.get(
        cycle=c2023, kind=DocumentKind.WRITTEN_NOTICE, employer=o["a1"]
    )
    o["public_doc"] = CycleDocument.objects.filter(cycle=c2023, is_public=True).first()
    assert o["public_doc"] is not None
    o["job"] = DocumentJob.objects.filter(cycle=c2023).first()
    o["outbox"] = OutboxMessage.objects.filter(key__startswith=o["a1"].uscc).first()
    o["published_a1"] = PublishedResult.objects.get(cycle=c2023, employer=o["a1"])
    # --- law r2 (SPEC §8 [r2]): the written notice issued at 公示, a proposed adjustment, and
    # xiqing's 2023 cycle in public notice (its public notice page).
    o["written_notice"] = WrittenNotice.objects.get(cycle=c2023, employer=o["a1"])
    o["proposal"] = AdjustmentProposal.objects.create(
        source="repair",
        cycle=c2023,
        employer=o["a1"],
        current_grade=o["published_a1"].grade,
        proposed_grade="B" if o["published_a1"].grade != "B" else "A",
        effective_date=timezone.localdate(),
        basis="矩阵调整建议",
        reference="矩阵 1",
    )
    cxq = Cycle.objects.get(jurisdiction=xq, year=2023)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.start_review(cycle=cxq, actor=u[PUBLISHER_OUT])
        publication.start_public_notice(
            cycle=cxq, actor=u[PUBLISHER_OUT], start=NOTICE_START, today=NOTICE_BEFORE,
            document_no="西青人社〔2025〕1号",
        )  # fmt: skip
    o["public_notice"] = PublicNotice.objects.get(cycle=cxq)

    # 2024: regraded and under review, with a pending override of a1's grade.
    with TestCase.captureOnCommitCallbacks(execute=True):
        o["run_2024"] = regrade(cycle=2024, jurisdiction=jx, actor=u[INSPECTOR_IN])
    o["c2024"] = Cycle.objects.get(jurisdiction=jx, year=2024)
    o["grade_a1"] = Grade.objects.get(run=o["run_2024"], employer=o["a1"])
    o["grade_a2"] = Grade.objects.get(run=o["run_2024"], employer=o["a2"])
    o["override"] = propose_override(
        actor=u[INSPECTOR_IN],
        grade=o["grade_a1"],
        proposed_grade="C" if o["grade_a1"].grade != "C" else "B",
        reason="矩阵复核理由",
    )
    # No xuchang agencies here: the chosen row is what the drop URL needs (the choosing rules
    # are tested in tests/grading/test_review.py).
    o["exemplary"] = ExemplaryAgency.objects.create(
        cycle=o["c2024"], employer=o["a1"], reason="矩阵", chosen_by=u[PUBLISHER_IN]
    )

    # The employer's objection (with evidence) and repair application.
    with TestCase.captureOnCommitCallbacks(execute=True):
        o["objection"] = file_objection(
            actor=u[OWNER],
            employer=o["a1"],
            kind=ObjectionKind.RECORD,
            ground="error",
            reasons="矩阵异议理由",
            record=o["r_objected"],
            attachments=[_pdf("证明.pdf")],
            today=D(2024, 9, 27),
        )
        o["repair"] = apply_for_repair(
            actor=u[OWNER],
            employer=o["a1"],
            record=o["penalty_2024"],
            corrected_on=D(2024, 2, 1),
            commitment_signed=True,
            reasons="已履行处罚决定",
            attachments=[_pdf("缴款凭证.pdf")],
            today=D(2024, 6, 1),
        )
    o["case_attachment"] = CaseAttachment.objects.filter(objection=o["objection"]).get()
    o["repair_attachment"] = CaseAttachment.objects.filter(repair=o["repair"]).get()

    # --- supervision ---
    # A patrol plan drawn over jiaxian's published 2023 grades; with a second jiaxian inspector,
    # both inspectors are drawn for every task. An HR agency of jiaxian has signed its letter.
    from employers.choices import EmployerKind
    from supervision import services as supervision

    UserFactory(username="matrix_inspector_2", role=Role.INSPECTOR, jurisdiction=jx)
    plan = supervision.draw_plan(
        actor=None,
        jurisdiction=jx,
        period_from=D(2025, 1, 1),
        period_to=D(2025, 12, 31),
        seed=1,
        ratios={"A": 100, "B": 100, "C": 100, "D": 100, "": 100},
    ).plan
    o["patrol_plan"] = plan
    o["patrol_task"] = plan.tasks.get(employer=o["a1"])
    o["agency"] = EmployerFactory(
        name="矩阵人力资源服务有限公司", kind=EmployerKind.HR_AGENCY, jurisdiction=jx
    )
    EmployerFactory(name="矩阵未签署人力资源公司", kind=EmployerKind.HR_AGENCY, jurisdiction=jx)
    agency_user = UserFactory(role=Role.EMPLOYER, employer=o["agency"], jurisdiction=None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        o["letter"] = supervision.sign_commitment(
            actor=agency_user, employer=o["agency"], legal_rep_name="王大明", agreed=True
        )
    # (after the patrol draw: the new inspector below must not take the drawn tasks)
    # --- trust-b: accounts (三员分立) ---
    from employers.services import request_access_change

    o["account_user"] = UserFactory(role=Role.INSPECTOR, jurisdiction=jx)
    o["account_request"] = request_access_change(
        actor=u[SYSADMIN],
        user=o["account_user"],
        role=Role.PUBLISHER,
        jurisdiction=jx,
        reason="矩阵",
    )

    # --- trust-b: imports as jobs ---
    from employers.import_jobs import run as run_import
    from employers.services import start_import

    csv = f"uscc,kind,date,result\n{o['a2'].uscc},patrol_inspection,2024-05-06,no_issue\n"
    o["import_job"] = start_import(
        kind="records",
        upload=SimpleUploadedFile("矩阵.csv", csv.encode()),
        actor=u[INSPECTOR_IN],
    )
    run_import(o["import_job"].pk, "check")  # READY: waits for the confirm
    bad = f"uscc,kind,date\n{o['a2'].uscc},nonsense,2024-05-06\n"
    o["bad_import_job"] = start_import(
        kind="records", upload=SimpleUploadedFile("错误.csv", bad.encode()), actor=u[INSPECTOR_IN]
    )
    run_import(o["bad_import_job"].pk, "check")  # INVALID, with its problems file
    _build_written_review(w)
    _build_exchange(w)
    _build_exports(w)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from _pytest.monkeypatch import MonkeyPatch

    patch = MonkeyPatch()
    patch.setattr(documents, "_write_pdf", _fake_pdf)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = _build()
            w.clients = {}
            for role in ROLES:
                client = Client()
                if role != ANON:
                    client.force_login(w.users[role])
                w.clients[role] = client
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            patch.undo()


# --- the matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One URL: who may use it and how an allowed request must answer."""

    name: str  # URL name
    args: Callable = lambda w: []  # World -> reverse() args
    allowed: frozenset = frozenset()
    method: str = "get"
    data: Callable | None = None  # World -> POST data
    ok: tuple = (200,)  # statuses of an allowed request
    writes: bool = False  # an allowed POST leaves an audit entry
    query: str = ""
    label: str = ""  # to tell two cases of the same URL apart
    # How a refused signed-in user is answered. A page that redirects instead must still write
    # nothing (checked for every refused POST).
    refused: tuple = (403, 404)

    def url(self, w) -> str:
        return reverse(self.name, args=self.args(w)) + (f"?{self.query}" if self.query else "")

    def __str__(self):
        return f"{self.method.upper()} {self.name}{' ' + self.label if self.label else ''}"


def pk(key):
    return lambda w: [w.objects[key].pk]


GET_CASES = [
    # employers
    Case("home", allowed=EVERYONE - {ANON}, ok=(200, 302)),
    Case("employers:list", allowed=STAFF | {SYSADMIN}),
    Case("employers:create", allowed=WRITERS),
    Case("employers:mine", allowed=EMPLOYERS),
    Case("employers:import", allowed=WRITERS),
    Case("employers:export", args=lambda w: ["csv"], allowed=STAFF | {SYSADMIN}),
    Case("employers:detail", pk("a1"), allowed=STAFF_IN | {OWNER, SYSADMIN}),
    Case("employers:edit", pk("a1"), allowed=WRITERS_IN),
    # credit records
    Case("credit_records:add", pk("a1"), allowed=WRITERS_IN),
    Case(
        "credit_records:export",
        lambda w: [w.a1.pk, "xlsx"],
        allowed=STAFF_IN | {OWNER},
    ),
    Case("credit_records:detail", pk("r_2023"), allowed=STAFF_IN | {OWNER}),
    Case("credit_records:correct", pk("r_2023"), allowed=WRITERS_IN),
    Case("credit_records:void", pk("r_2023"), allowed=WRITERS_IN),
    # Evidence names workers and complainants: staff only, never the employer.
    Case("credit_records:download", pk("attachment"), allowed=STAFF_IN),
    Case("credit_records:import", allowed=WRITERS),
    Case("credit_records:audit", allowed={AUDITOR_IN, AUDITOR_OUT}),
    # grading
    Case("grading:overview", allowed=STAFF),
    Case("grading:runs", allowed=STAFF),
    Case("grading:run_detail", pk("run_2024"), allowed=STAFF_IN),
    Case("grading:run_progress", pk("run_2024"), allowed=STAFF_IN),
    Case("grading:cycle_grades", pk("c2024"), allowed=STAFF_IN),
    Case("grading:overrides", allowed=STAFF),
    Case("grading:screening", allowed=STAFF, query="year=2024"),
    Case("grading:honours", allowed=STAFF, query="year=2024"),
    # objections and repair
    Case("objections:queue", allowed=WRITERS),
    Case("objections:mine", allowed=EMPLOYERS),
    Case("objections:new", allowed=EMPLOYERS),
    Case("objections:detail", pk("objection"), allowed=STAFF_IN | {OWNER}),
    Case("objections:repair_queue", allowed=WRITERS),
    Case("objections:repair_new", allowed=EMPLOYERS),
    Case("objections:repair_detail", pk("repair"), allowed=STAFF_IN | {OWNER}),
    Case("objections:attachment", pk("case_attachment"), allowed=STAFF_IN | {OWNER}),
    Case(
        "objections:attachment",
        pk("repair_attachment"),
        allowed=STAFF_IN | {OWNER},
        label="repair",
    ),
    Case("objections:calendar", allowed=STAFF | {SYSADMIN}),
    Case("objections:calendar_year", lambda w: [2025], allowed=STAFF | {SYSADMIN}),
    # publication
    Case("publication:public_index", allowed=EVERYONE),
    Case("publication:public_list", lambda w: ["jiaxian", 2023], allowed=EVERYONE),
    Case("publication:document", pk("public_doc"), allowed=EVERYONE, label="public list"),
    # The written notice: the employer it is addressed to and the staff of the jurisdiction.
    Case("publication:document", pk("notice"), allowed=STAFF_IN | {OWNER}, label="notice"),
    Case("publication:cycles", allowed=STAFF),
    Case("publication:cycle_detail", pk("c2023"), allowed=STAFF_IN),
    Case("publication:cycle_detail", pk("c2024"), allowed=STAFF_IN, label="under review"),
    Case("publication:cycle_adjust", pk("c2023"), allowed={PUBLISHER_IN, SUPERVISOR_IN}),
    Case("publication:cycle_measures", pk("c2023"), allowed=STAFF_IN),
    Case(
        "publication:cycle_measures",
        pk("c2023"),
        allowed=STAFF_IN,
        query="format=xlsx",
        label="xlsx",
    ),
    Case("publication:job_progress", pk("job"), allowed=STAFF_IN),
    Case("publication:outbox", allowed={PUBLISHER_IN, PUBLISHER_OUT, AUDITOR_IN, AUDITOR_OUT}),
    # --- trust-b: accounts (三员分立) ---
    Case("accounts:users", allowed={SYSADMIN}),
    Case("accounts:create", allowed={SYSADMIN}),
    Case("accounts:change", pk("account_user"), allowed={SYSADMIN}),
    Case("accounts:reset", pk("account_user"), allowed={SYSADMIN}),
    Case(
        "accounts:requests",
        allowed={SYSADMIN, SUPERVISOR_IN, SUPERVISOR_OUT, AUDITOR_IN, AUDITOR_OUT},
    ),
    Case("accounts:request", pk("account_request"), allowed={SYSADMIN, SUPERVISOR_IN, AUDITOR_IN}),
    Case("accounts:activate", allowed=EVERYONE),
    # --- trust-b: imports as jobs (only the user who uploaded the file) ---
    Case("imports:job", pk("import_job"), allowed={INSPECTOR_IN}),
    Case("imports:job", pk("bad_import_job"), allowed={INSPECTOR_IN}, label="invalid"),
    Case("imports:problems", pk("bad_import_job"), allowed={INSPECTOR_IN}),
    # --- law (SPEC §8 [r2] public notice and written notices; §5.1/§7 [r2] adjustments) ---
    Case("publication:public_notice", pk("public_notice"), allowed=EVERYONE),
    Case("publication:notice", pk("written_notice"), allowed=STAFF_IN | {OWNER}),
    Case("publication:adjustments", allowed=STAFF),
    # --- supervision ---
    Case("supervision:plans", allowed=STAFF),
    Case("supervision:plan_new", allowed=WRITERS),
    Case("supervision:plan_detail", pk("patrol_plan"), allowed=STAFF_IN),
    Case(
        "supervision:plan_detail",
        pk("patrol_plan"),
        allowed=STAFF_IN,
        query="format=csv",
        label="csv",
    ),
    Case("supervision:my_tasks", allowed={INSPECTOR_IN, INSPECTOR_OUT}),
    Case("supervision:task_close", pk("patrol_task"), allowed={INSPECTOR_IN, SUPERVISOR_IN}),
    Case("supervision:freshness", allowed=STAFF),
    Case("supervision:stale", allowed=STAFF),
    Case("supervision:commitments", allowed=STAFF),
    Case("supervision:commitment_sign", allowed=EMPLOYERS),
    # The letter: the jurisdiction's staff (and the agency itself, not a role of this matrix).
    Case("supervision:commitment_pdf", pk("letter"), allowed=STAFF_IN),
    Case("supervision:interviews", allowed=STAFF),
    Case("supervision:interviews", allowed=STAFF, query="format=xlsx", label="xlsx"),
    Case("supervision:training", allowed=STAFF),
    Case("supervision:training", allowed=STAFF, query="format=csv", label="csv"),
    # --- private files (trust-a) ---
    # The published cycle's other stored documents: the detail XLSX names the fired rules of
    # every employer, the report is for the bureau — staff of the jurisdiction only.
    Case(
        "publication:document",
        lambda w: [w.c2023.documents.get(kind=DocumentKind.LIST_XLSX).pk],
        allowed=STAFF_IN,
        label="detail xlsx",
    ),
    Case(
        "publication:document",
        lambda w: [w.c2023.documents.get(kind=DocumentKind.REPORT_PDF).pk],
        allowed=STAFF_IN,
        label="report pdf",
    ),
    Case(
        "publication:document",
        lambda w: [w.c2023.documents.get(kind=DocumentKind.REPORT_XLSX).pk],
        allowed=STAFF_IN,
        label="report xlsx",
    ),
    # --- written review ---
    Case("written_review:plans", allowed=STAFF),
    Case("written_review:plan_create", allowed=WRITERS),
    Case("written_review:plan", pk("wr_plan"), allowed=STAFF_IN),
    Case("written_review:plan_edit", pk("wr_draft"), allowed=WRITERS_IN),
    Case("written_review:plan_draw_progress", pk("wr_plan"), allowed=STAFF_IN),
    Case("written_review:plan_sample_csv", pk("wr_plan"), allowed=STAFF_IN),
    Case("written_review:plan_candidates_csv", pk("wr_plan"), allowed=STAFF_IN),
    Case("written_review:plan_progress", pk("wr_plan"), allowed=STAFF_IN),
    Case(
        "written_review:plan_export",
        lambda w: [w.wr_plan.pk, "problems"],
        allowed=STAFF_IN,
    ),
    Case("written_review:queue", allowed=WRITERS),
    Case("written_review:overdue", allowed=STAFF),
    Case("written_review:mine", allowed=EMPLOYERS),
    Case("written_review:roster_template", allowed=EVERYONE - {ANON}),
    Case("written_review:review", pk("wr_declaring"), allowed=STAFF_IN | {OWNER}),
    Case("written_review:declare", pk("wr_declaring"), allowed={OWNER}),
    # The papers name workers: the staff of the jurisdiction and the employer that sent them.
    Case("written_review:document", pk("wr_document"), allowed=STAFF_IN | {OWNER}),
    Case("written_review:suggestion_pdf", pk("wr_approved"), allowed=STAFF_IN | {OWNER}),
    # --- ux-employer (issue 11 items 1, 7): the employer's home, the public landing and legend ---
    Case("publication:employer_home", allowed=EMPLOYERS),
    Case(
        "publication:public_index",
        allowed=EVERYONE,
        query="q=%E9%83%8F&grade=C&year=2023",
        label="search",
    ),
    Case("publication:public_legend", allowed=EVERYONE),
    # ux-staff (issue 11): the employer picker's search, scoped like the employer list.
    Case("employers:search", allowed=STAFF | {SYSADMIN}),
]


def _employer_form(w):
    e = w.a1
    return {
        "uscc": e.uscc,
        "name": e.name + "（改）",
        "kind": e.kind,
        "jurisdiction": e.jurisdiction_id,
        "industry": e.industry,
        "status": e.status,
    }


def _decision(outcome="rejected"):
    return lambda w: {"d-outcome": outcome, "d-reasons": "矩阵处理理由", "note": "矩阵"}


POST_CASES = [
    Case("employers:edit", pk("a1"), WRITERS_IN, "post", _employer_form, (302,), True),
    Case(
        "credit_records:add",
        pk("a1"),
        WRITERS_IN,
        "post",
        lambda w: {
            "kind": "patrol_inspection",
            "date": "2024-05-06",
            "result_patrol": "no_issue",
            "source": "patrol",
        },
        (302,),
        True,
    ),
    Case(
        "credit_records:correct",
        pk("r_2023"),
        WRITERS_IN,
        "post",
        lambda w: {
            "reason": "矩阵更正",
            "kind": "violation",
            "date": "2023-05-11",
            "severity": "general",
            "category": "wages",
            "rectification": "rectified",
            "case_no": "矩阵案〔2023〕1号",
        },
        (302,),
        True,
    ),
    Case(
        "credit_records:void",
        pk("r_2023"),
        WRITERS_IN,
        "post",
        lambda w: {"reason": "矩阵作废"},
        (302,),
        True,
    ),
    Case(
        "credit_records:attach",
        pk("r_2023"),
        WRITERS_IN,
        "post",
        lambda w: {"attachments": [_pdf()]},
        (302,),
        True,
    ),
    Case(
        "grading:override_propose",
        pk("grade_a2"),
        WRITERS_IN,
        "post",
        lambda w: {
            "proposed_grade": "A" if w.grade_a2.grade != "A" else "B",
            "reason": "矩阵",
        },
        (302,),
        True,
    ),
    Case(
        "grading:override_decide",
        pk("override"),
        {SUPERVISOR_IN},
        "post",
        lambda w: {"decision": "approve", "note": "同意"},
        (302,),
        True,
    ),
    Case(
        "grading:exemplary_choose",
        pk("c2024"),
        WRITERS_IN | {PUBLISHER_IN},
        "post",
        lambda w: {"employer": w.a2.pk, "reason": "矩阵"},
        (302,),
    ),
    Case(
        "grading:exemplary_drop",
        pk("exemplary"),
        WRITERS_IN | {PUBLISHER_IN},
        "post",
        lambda w: {"reason": "矩阵"},
        (302,),
        True,
    ),
    Case(
        "objections:act",
        lambda w: [w.objection.pk, "accept"],
        WRITERS_IN,
        "post",
        lambda w: {"note": "受理"},
        (302,),
        True,
        label="accept",
    ),
    Case(
        "objections:act",
        lambda w: [w.objection.pk, "withdraw"],
        {OWNER},
        "post",
        lambda w: {"note": "撤回"},
        (302,),
        True,
        label="withdraw",
    ),
    Case(
        "objections:repair_act",
        lambda w: [w.repair.pk, "accept"],
        WRITERS_IN,
        "post",
        lambda w: {"note": "受理"},
        (302,),
        True,
    ),
    Case(
        "objections:calendar",
        allowed={SYSADMIN},
        method="post",
        data=lambda w: {
            "year": 2030,
            "notice_reference": "国办发明电〔2029〕1号",
            "holidays": "2030-01-01 元旦",
            "makeup_workdays": "",
        },
        ok=(302,),
        writes=True,
        refused=(302, 403),  # staff may read the calendar; their POST is sent back unchanged
    ),
    Case(
        "publication:cycle_review",
        pk("c2024"),
        {PUBLISHER_IN},
        "post",
        lambda w: {},
        (302,),
    ),
    Case(
        "publication:cycle_written_notices",
        pk("c2024"),
        {PUBLISHER_IN},
        "post",
        lambda w: {},
        (302,),
        # SPEC §8 [r2]: notices are issued when the notice starts; under review it is refused
    ),
    Case(
        "publication:cycle_notice",
        pk("c2024"),
        {PUBLISHER_IN},
        "post",
        lambda w: {
            "start": timezone.localdate().isoformat(),
            "title": "矩阵公示",
            "document_no": "矩阵〔2025〕1号",
            "how_to_object": "矩阵",
            "contact": "矩阵",
        },
        (302,),
    ),
    Case("publication:cycle_finalise", pk("c2024"), {PUBLISHER_IN}, "post", lambda w: {}, (302,)),
    Case("publication:cycle_publish", pk("c2024"), {PUBLISHER_IN}, "post", lambda w: {}, (302,)),
    Case(
        "publication:cycle_remake_documents",
        pk("c2023"),
        {PUBLISHER_IN},
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    Case(
        "publication:cycle_adjust",
        pk("c2023"),
        {PUBLISHER_IN, SUPERVISOR_IN},
        "post",
        lambda w: {
            "uscc": w.a1.uscc,
            "new_grade": "B" if w.published_a1.grade != "B" else "A",
            "effective_date": timezone.localdate().isoformat(),
            "public_note": "经复评调整",
            "reason": "矩阵",
            "reference": "",
        },
        (302,),
        True,
    ),
    Case(
        "publication:outbox_retry",
        pk("outbox"),
        {PUBLISHER_IN},
        "post",
        lambda w: {},
        (302,),
    ),
    Case(
        "publication:outbox_retry_failed",
        allowed={PUBLISHER_IN, PUBLISHER_OUT},
        method="post",
        data=lambda w: {},
        ok=(302,),
    ),
    Case(
        "publication:outbox_drain",
        allowed={PUBLISHER_IN, PUBLISHER_OUT},
        method="post",
        data=lambda w: {},
        ok=(302,),
    ),
    Case(
        "grading:run_start",
        allowed={INSPECTOR_IN, SUPERVISOR_IN, PUBLISHER_IN},
        method="post",
        data=lambda w: {"kind": "cycle", "year": 2024, "jurisdiction": w.c2024.jurisdiction_id},
        ok=(302,),
        # The form offers one's own jurisdictions only: a forged id is sent back, nothing runs.
        refused=(302, 403),
    ),
    # --- supervision ---
    Case(
        "supervision:plan_new",
        allowed=WRITERS_IN,
        method="post",
        data=lambda w: {
            "jurisdiction": "jiaxian",
            "period_from": "2031-01-01",
            "period_to": "2031-12-31",
            "ratio_a": "0",
            "ratio_b": "15",
            "ratio_c": "50",
            "ratio_d": "50",
            "ratio_ungraded": "15",
        },
        ok=(302,),
        writes=True,
        # The form offers one's own jurisdictions only: a forged one is sent back, nothing drawn.
        refused=(200, 403),
    ),
    Case(
        "supervision:task_close",
        pk("patrol_task"),
        {INSPECTOR_IN, SUPERVISOR_IN},
        "post",
        lambda w: {"date": timezone.localdate().isoformat(), "result": "no_issue"},
        (302,),
        True,
    ),
    Case("supervision:registry_confirm", pk("a1"), WRITERS_IN, "post", lambda w: {}, (302,), True),
    Case(
        "supervision:commitment_remind",
        allowed=WRITERS,
        method="post",
        data=lambda w: {"year": timezone.localdate().year, "scope": "all"},
        ok=(302,),
    ),
    # An enterprise's account has nothing to sign: sent back with a message, nothing written.
    Case(
        "supervision:commitment_sign",
        allowed=EMPLOYERS,
        method="post",
        data=lambda w: {"legal_rep_name": "王小明", "agreed": "on"},
        ok=(302,),
    ),
    # --- written review ---
    Case(
        "written_review:plan_create",
        allowed=WRITERS_IN,
        method="post",
        data=lambda w: {
            "jurisdiction": w.wr_plan.jurisdiction_id,
            "year": 2030,
            "ratio_a": "3",
            "ratio_b": "50",
            "ratio_c": "95",
            "ratio_d": "95",
            "ratio_ungraded": "10",
            "workers_base": 5,
            "workers_mid": 10,
            "workers_high": 20,
            "mid_above": 100,
            "high_above": 1000,
        },  # fmt: skip
        ok=(302,),
        writes=True,
        refused=(200, 403),  # another jurisdiction is not offered: the form is shown again
    ),
    Case(
        "written_review:plan_edit",
        pk("wr_draft"),
        WRITERS_IN,
        "post",
        lambda w: {
            "title": "矩阵计划",
            "ratio_a": "2",
            "ratio_b": "50",
            "ratio_c": "95",
            "ratio_d": "95",
            "ratio_ungraded": "10",
            "workers_base": 5,
            "workers_mid": 10,
            "workers_high": 20,
            "mid_above": 100,
            "high_above": 1000,
        },  # fmt: skip
        (302,),
        True,
    ),
    Case(
        "written_review:plan_add",
        pk("wr_draft"),
        WRITERS_IN,
        "post",
        lambda w: {"uscc": w.a2.uscc, "reason": "矩阵增加"},
        (302,),
        True,
    ),
    Case(
        "written_review:plan_remove_addition",
        pk("wr_addition"),
        WRITERS_IN,
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    Case(
        "written_review:plan_draw",
        pk("wr_draft"),
        WRITERS_IN,
        "post",
        lambda w: {"seed": "1"},
        (302,),
        True,
    ),
    Case(
        "written_review:plan_notify", pk("wr_plan"), WRITERS_IN, "post", lambda w: {}, (302,), True
    ),
    Case("written_review:notify", pk("wr_sampled"), WRITERS_IN, "post", lambda w: {}, (302,), True),
    Case(
        "written_review:roster_upload",
        pk("wr_declaring"),
        {OWNER},
        "post",
        lambda w: {"file": _roster()},
        (302,),
        True,
    ),
    Case(
        "written_review:documents_upload",
        pk("wr_declaring"),
        {OWNER},
        "post",
        lambda w: {"unit-license": _pdf("营业执照.pdf")},
        (302,),
        True,
    ),
    Case(
        "written_review:document_delete",
        pk("wr_document"),
        {OWNER},
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    Case("written_review:submit", pk("wr_declaring"), {OWNER}, "post", lambda w: {}, (302,), True),
    Case(
        "written_review:return",
        pk("wr_submitted"),
        WRITERS_IN,
        "post",
        lambda w: {"reasons": "矩阵退回"},
        (302,),
        True,
    ),
    Case(
        "written_review:findings",
        pk("wr_submitted"),
        WRITERS_IN,
        "post",
        lambda w: {
            "labor_contract": "problem",
            "wages": "no_problem",
            "working_hours": "no_problem",
            "social_insurance": "no_problem",
        },  # fmt: skip
        (302,),
        True,
    ),
    Case(
        "written_review:problem_add",
        pk("wr_submitted"),
        WRITERS_IN,
        "post",
        lambda w: {
            "area": "labor_contract",
            "description": "矩阵问题",
            "legal_basis": "矩阵依据",
            "is_violation": "on",
            "severity": "minor",
            "handling": "suggestion",
        },  # fmt: skip
        (302,),
        True,
    ),
    Case(
        "written_review:problem_delete",
        pk("wr_draft_problem"),
        WRITERS_IN,
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    Case(
        "written_review:propose",
        pk("wr_submitted"),
        WRITERS_IN,
        "post",
        lambda w: {"result": "basically_qualified"},
        (302,),
        True,
    ),
    Case(
        "written_review:decide",
        pk("wr_proposed"),
        {SUPERVISOR_IN},
        "post",
        lambda w: {"decision": "approve", "note": "同意"},
        (302,),
        True,
    ),
    Case(
        "written_review:problem_case",
        pk("wr_open_problem"),
        WRITERS_IN,
        "post",
        lambda w: {"case_no": "矩阵案〔2026〕9号"},
        (302,),
        True,
    ),
    Case(
        "written_review:problem_report",
        pk("wr_open_problem"),
        {OWNER},
        "post",
        lambda w: {"text": "已整改", "files": [_pdf("整改.pdf")]},
        (302,),
        True,
    ),
    Case(
        "written_review:report_decide",
        pk("wr_report"),
        WRITERS_IN,
        "post",
        lambda w: {"decision": "accept", "note": ""},
        (302,),
        True,
    ),
    # The year-end has not passed: the service refuses, the page says why (nothing written).
    Case(
        "written_review:problem_unrectified",
        pk("wr_open_problem"),
        WRITERS_IN,
        "post",
        lambda w: {},
        (302,),
    ),
    Case(
        "written_review:late_order",
        pk("wr_declaring"),
        WRITERS_IN,
        "post",
        lambda w: {"new_due_date": "2099-01-05", "document_no": "矩阵令1号"},
        (302,),
        True,
    ),
    # No order yet: refused by the service (nothing written).
    Case(
        "written_review:obstruction",
        pk("wr_declaring"),
        WRITERS_IN,
        "post",
        lambda w: {"date": "2024-04-01", "summary": "拒不申报"},
        (302,),
    ),
    # --- law (SPEC §8 [r2] read receipt; §5.1/§7 [r2] adjustments) ---
    Case(
        "publication:notice_open",
        pk("written_notice"),
        {OWNER},
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    Case(
        "publication:adjustment_confirm",
        pk("proposal"),
        {PUBLISHER_IN, SUPERVISOR_IN},
        "post",
        lambda w: {"public_note": "信用修复后调整"},
        (302,),
        True,
    ),
    Case(
        "publication:adjustment_dismiss",
        pk("proposal"),
        {PUBLISHER_IN, SUPERVISOR_IN},
        "post",
        lambda w: {"note": "矩阵"},
        (302,),
        True,
    ),
    # --- trust-b: accounts (三员分立) ---
    Case(
        "accounts:create",
        allowed={SYSADMIN},
        method="post",
        data=lambda w: {
            "username": "matrix_new",
            "role": Role.INSPECTOR,
            "jurisdiction": w.a1.jurisdiction_id,
            "reason": "矩阵",
        },
        ok=(302,),
        writes=True,
    ),
    Case(
        "accounts:change",
        lambda w: [w.users[PUBLISHER_OUT].pk],
        {SYSADMIN},
        "post",
        lambda w: {"role": Role.AUDITOR, "jurisdiction": w.b1.jurisdiction_id, "reason": "矩阵"},
        (302,),
        True,
    ),
    Case(
        "accounts:reset",
        lambda w: [w.users[AUDITOR_OUT].pk],
        {SYSADMIN},
        "post",
        lambda w: {"reason": "矩阵"},
        (302,),
        True,
    ),
    Case(
        "accounts:approve",
        pk("account_request"),
        {SUPERVISOR_IN, AUDITOR_IN},
        "post",
        lambda w: {"note": "同意"},
        (302,),
        True,
    ),
    Case(
        "accounts:reject",
        pk("account_request"),
        {SUPERVISOR_IN, AUDITOR_IN},
        "post",
        lambda w: {"note": "矩阵驳回"},
        (302,),
        True,
    ),
    Case(
        "accounts:withdraw",
        pk("account_request"),
        {SYSADMIN},
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    # --- trust-b: imports as jobs ---
    # Confirming queues the write (after the commit: nothing is written inside this test's
    # savepoint); the write itself is audited by the import (tests/employers/test_import_jobs.py).
    Case("imports:confirm", pk("import_job"), {INSPECTOR_IN}, "post", lambda w: {}, (302,)),
    Case("imports:cancel", pk("import_job"), {INSPECTOR_IN}, "post", lambda w: {}, (302,)),
]


# --- exchange ---
def _build_exchange(w: World) -> None:
    """A sister unit of jiaxian with its consultee, a consultation on the 2024 cycle (under
    review) with one objection on a1, a1's certificate of 2023, a partner token, and the
    distribution files made when 2023 was published."""
    from exchange import services as exchange
    from exchange import tokens
    from exchange.models import DistributionFile, DistributionJob, SisterUnit, UnitMember

    o, u = w.objects, w.users
    unit = SisterUnit.objects.create(
        jurisdiction=jurisdiction("jiaxian"), kind="trade_union", name="郏县总工会"
    )
    u[CONSULTEE] = UserFactory(role=Role.CONSULTEE, jurisdiction=None)
    UnitMember.objects.create(user=u[CONSULTEE], unit=unit)
    o["consultation"] = exchange.send_consultation(
        cycle=o["c2024"], actor=u[PUBLISHER_IN], reply_by=D(2099, 1, 5), today=D(2025, 1, 2)
    )
    o["reply"] = o["consultation"].replies.get()
    o["consultation_objection"] = exchange.add_objection(
        reply=o["reply"], grade=o["grade_a1"], reason="矩阵意见", actor=u[CONSULTEE]
    )
    o["certificate"] = exchange.issue_certificate(result=o["published_a1"], actor=u[OWNER])
    o["token"], _raw = tokens.create_token(name="矩阵令牌", jurisdiction=jurisdiction("jiaxian"))
    o["distribution_job"] = DistributionJob.objects.get(cycle=o["c2023"])
    o["distribution_file"] = DistributionFile.objects.filter(job=o["distribution_job"]).first()
    assert o["distribution_file"] is not None


GET_CASES += [
    Case("exchange:api_docs", allowed=EVERYONE),
    Case("exchange:verify", allowed=EVERYONE),
    Case("exchange:verify_code", lambda w: [w.certificate.code], allowed=EVERYONE),
    Case("exchange:open_data", allowed=EVERYONE),
    Case("exchange:open_data_dictionary", allowed=EVERYONE),
    Case("exchange:open_data_csv", lambda w: ["jiaxian", 2023], allowed=EVERYONE),
    Case("exchange:open_data_json", lambda w: ["jiaxian", 2023], allowed=EVERYONE),
    Case("exchange:tokens", allowed={SYSADMIN}),
    Case("exchange:api_calls", allowed={AUDITOR_IN, AUDITOR_OUT}),
    Case("exchange:consultations", allowed=STAFF | {CONSULTEE}),
    Case("exchange:consultation_detail", pk("consultation"), allowed=STAFF_IN),
    Case("exchange:reply", pk("reply"), allowed={CONSULTEE}),
    Case("exchange:certificates", allowed=EMPLOYERS),
    Case("exchange:certificate_pdf", pk("certificate"), allowed={OWNER}),
    Case("exchange:distribution", pk("c2023"), allowed={PUBLISHER_IN}),
    Case("exchange:distribution_progress", pk("distribution_job"), allowed={PUBLISHER_IN}),
    Case("exchange:distribution_file", pk("distribution_file"), allowed={PUBLISHER_IN}),
]

POST_CASES += [
    Case(
        "exchange:tokens",
        allowed={SYSADMIN},
        method="post",
        data=lambda w: {"name": "矩阵新令牌", "jurisdiction": w.c2023.jurisdiction_id, "days": 30},
        ok=(200,),
        writes=True,
    ),
    Case("exchange:token_revoke", pk("token"), {SYSADMIN}, "post", lambda w: {}, (302,), True),
    # The 2024 cycle has its consultation already: the publisher is sent back with the reason.
    Case(
        "exchange:consultation_send",
        pk("c2024"),
        {PUBLISHER_IN},
        "post",
        lambda w: {"reply_by": "2099-01-05"},
        (302,),
    ),
    Case(
        "exchange:reply_object",
        pk("reply"),
        {CONSULTEE},
        "post",
        lambda w: {"grade": w.grade_a2.pk, "reason": "矩阵"},
        (302,),
        True,
    ),
    Case(
        "exchange:reply_submit",
        pk("reply"),
        {CONSULTEE},
        "post",
        lambda w: {"verdict": "objections"},
        (302,),
        True,
    ),
    Case(
        "exchange:objection_delete",
        pk("consultation_objection"),
        {CONSULTEE},
        "post",
        lambda w: {},
        (302,),
        True,
    ),
    # a1's certificate exists already: the same one is served again (nothing new to audit).
    Case("exchange:certificate_issue", pk("published_a1"), {OWNER}, "post", lambda w: {}, (302,)),
    Case(
        "exchange:distribution_remake",
        pk("c2023"),
        {PUBLISHER_IN},
        "post",
        lambda w: {},
        (302,),
        True,
    ),
]

# URLs not in the matrix above, and where they are covered instead.
ELSEWHERE = {
    "login": "Django's login view (public by nature)",
    "logout": "Django's logout view (POST only in Django 5)",
    "password_change": "the user's own password (login_required by Django)",
    "password_change_done": "Django's page after the user's own change",
    "set_language": "Django's language switch (session only)",
    "publication:stub_receive": "test_platform_stub_* below",
    "publication:stub_message": "test_platform_stub_* below",
    # --- exchange ---
    "api_v1:grades": "tests/exchange/test_api.py (bearer tokens, no session)",
    "api_v1:published": "tests/exchange/test_api.py (bearer tokens, no session)",
    "api_v1:openapi-json": "tests/exchange/test_api.py (public description)",
    "api_v1:api-root": "django-ninja's root of /api/v1/ (no data)",
}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            yield from _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_is_in_the_matrix():
    names = set(_walk(get_resolver().url_patterns))
    covered = {c.name for c in GET_CASES + POST_CASES} | set(ELSEWHERE)
    assert names - covered == set(), "add these URLs to the access matrix"
    assert covered - names == set(), "the matrix names URLs that do not exist"


def _fingerprint():
    """What a GET must never change, and a refused POST must never change."""
    return {
        "audit": AuditEntry.objects.count(),
        "records": CreditRecord.objects.count(),
        "employers": sorted(Employer.objects.values_list("pk", "name", "jurisdiction_id")),
        "objections": sorted(Objection.objects.values_list("pk", "status")),
        "repairs": sorted(RepairApplication.objects.values_list("pk", "status")),
        "cycles": sorted(Cycle.objects.values_list("pk", "status")),
        "overrides": sorted(GradeOverride.objects.values_list("pk", "status")),
        "exemplary": sorted(ExemplaryAgency.objects.values_list("pk", flat=True)),
        "runs": GradingRun.objects.count(),
        "jobs": DocumentJob.objects.count(),
        "outbox": sorted(OutboxMessage.objects.values_list("pk", "status", "attempts")),
        "adjustments": PublishedResult.objects.filter(adjustments__isnull=False).count(),
    }


def _refused(response, case=None) -> bool:
    return response.status_code in (case.refused if case else (403, 404))


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, role):
    client = world.clients[role]
    before = _fingerprint()
    wrong = []
    for case in GET_CASES:
        response = client.get(case.url(world))
        if role in case.allowed:
            good = response.status_code in case.ok
        elif role == ANON:
            good = _sent_to_login(response)
        else:
            good = _refused(response)
        if not good:
            wrong.append(f"{case}: {response.status_code}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    assert _fingerprint() == before, f"a GET by {role} changed something"


def _post(client, url, data):
    """POST inside a savepoint that is rolled back: the request's writes are seen, then undone."""
    with transaction.atomic():
        audit_before = AuditEntry.objects.count()
        before = _fingerprint()
        response = client.post(url, data)
        written = AuditEntry.objects.count() - audit_before
        changed = _fingerprint() != before
        transaction.set_rollback(True)
    return response, written, changed


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(world, role):
    client = world.clients[role]
    wrong = []
    for case in POST_CASES:
        response, written, changed = _post(client, case.url(world), case.data(world))
        if role in case.allowed:
            good = response.status_code in case.ok and (written > 0 or not case.writes)
        else:
            refused = _sent_to_login(response) if role == ANON else _refused(response, case)
            good = refused and written == 0 and not changed
        if not good:
            wrong.append(f"{case}: {response.status_code}, audit +{written}, changed={changed}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_forged_run_start_for_another_jurisdiction_starts_nothing(world):
    """The run form offers only one's own jurisdictions; a forged id is refused, nothing runs."""
    data = {"kind": "cycle", "year": 2024, "jurisdiction": world.c2024.jurisdiction_id}
    for role in (INSPECTOR_OUT, SUPERVISOR_OUT, PUBLISHER_OUT):
        response, written, changed = _post(world.clients[role], reverse("grading:run_start"), data)
        assert (response.status_code, written, changed) == (302, 0, False), role


@pytest.mark.django_db
def test_post_only_urls_refuse_get(world):
    """Every write URL answers GET with 405 to a user allowed to POST to it: no state change
    can hide behind a link."""
    post_only = [c for c in POST_CASES if c.name not in {c.name for c in GET_CASES}]
    wrong = []
    for case in post_only:
        role = sorted(case.allowed)[0]
        response = world.clients[role].get(case.url(world))
        if response.status_code != 405:
            wrong.append(f"{case} by {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(world):
    wrong = []
    for case in POST_CASES:
        role = sorted(case.allowed)[0]
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users[role])
        response, written, changed = _post(client, case.url(world), case.data(world))
        if (response.status_code, written, changed) != (403, 0, False):
            wrong.append(f"{case} by {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


# --- lists: what a page with no id shows ---------------------------------------------------

LIST_LEAKS = [
    # (URL name, query, roles that must see a1, roles that must not[, what marks a1])
    ("employers:list", "", STAFF_IN | {SYSADMIN}, STAFF_OUT),
    ("employers:export", "", STAFF_IN | {SYSADMIN}, STAFF_OUT),
    ("grading:overrides", "", STAFF_IN, STAFF_OUT),
    ("grading:cycle_grades", "", STAFF_IN, set()),
    ("objections:queue", "", WRITERS_IN, WRITERS - WRITERS_IN),
    ("objections:repair_queue", "", WRITERS_IN, WRITERS - WRITERS_IN),
    ("objections:mine", "", {OWNER}, {OTHER_EMPLOYER}, "objection_url"),
    ("publication:outbox", "status=delivered", {PUBLISHER_IN, AUDITOR_IN}, {PUBLISHER_OUT}),
    ("publication:outbox", "status=pending", set(), {PUBLISHER_OUT, AUDITOR_OUT}),
    # --- supervision --- (a1 is C in jiaxian's published 2023 cycle)
    ("supervision:interviews", "", STAFF_IN, STAFF_OUT),
    ("supervision:training", "", STAFF_IN, STAFF_OUT),
    ("supervision:stale", "", set(), STAFF_OUT),
    # --- written review ---
    ("written_review:queue", "tab=submitted", WRITERS_IN, WRITERS - WRITERS_IN),
    ("written_review:overdue", "", STAFF_IN, STAFF_OUT),
]


def _list_url(world, name, query):
    if name == "employers:export":
        url = reverse(name, args=["csv"])
    elif name == "grading:cycle_grades":
        url = reverse(name, args=[world.c2024.pk])
    else:
        url = reverse(name)
    return url + (f"?{query}" if query else "")


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_lists_show_only_what_is_in_scope(world):
    wrong = []
    for name, query, see, not_see, *mark in LIST_LEAKS:
        if mark:
            marks = (reverse("objections:detail", args=[world.objection.pk]),)
        else:
            marks = (world.a1.name, world.a1.uscc)
        url = _list_url(world, name, query)
        for role in see:
            body = _body(world.clients[role].get(url))
            if not any(m in body for m in marks):
                wrong.append(f"{name}?{query}: {role} does not see a1")
        for role in not_see:
            body = _body(world.clients[role].get(url))
            if any(m in body for m in marks):
                wrong.append(f"{name}?{query}: {role} sees a1")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_cycle_lists_and_runs_show_only_own_jurisdiction(world):
    cycle_url = reverse("publication:cycle_detail", args=[world.c2023.pk])
    run_url = reverse("grading:run_detail", args=[world.run_2024.pk])
    for role in STAFF_IN:
        assert cycle_url in _body(world.clients[role].get(reverse("publication:cycles")))
        assert run_url in _body(world.clients[role].get(reverse("grading:runs")))
    for role in STAFF_OUT:
        assert cycle_url not in _body(world.clients[role].get(reverse("publication:cycles")))
        assert run_url not in _body(world.clients[role].get(reverse("grading:runs")))


@pytest.mark.django_db
def test_audit_log_is_scoped_to_the_auditors_jurisdiction(world):
    """Each auditor reads the ledger entries of its own jurisdiction (a1's are dated 2023-05-10,
    2024-01-15 and 2024-03-01; b1's, in xiqing, 2023-06-01)."""
    url = reverse("credit_records:audit") + "?action=credit_records.add"
    inside = _body(world.clients[AUDITOR_IN].get(url))
    outside = _body(world.clients[AUDITOR_OUT].get(url))
    # The audit log shows dates in Chinese (issue 11 item 3) and no object ids.
    assert "2023年5月10日" in inside and "2023年6月1日" not in inside
    assert "2023年6月1日" in outside and "2023年5月10日" not in outside


# --- personal data -------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_show_name_uscc_and_grade_only(world):
    body = _body(
        world.clients[ANON].get(reverse("publication:public_list", args=["jiaxian", 2023]))
    )
    assert world.a1.name in body and world.a1.uscc in body
    for personal in ("王小明", "王**", "13912345678", "139****5678", "张大山", "矩阵记录摘要"):
        assert personal not in body


@pytest.mark.django_db
def test_employer_sees_its_own_record_masked(world):
    body = _body(world.clients[OWNER].get(reverse("credit_records:detail", args=[world.r_2023.pk])))
    assert "矩阵记录摘要" in body and "张大山" not in body and "张**" in body


@pytest.mark.django_db
def test_sysadmin_sees_the_registry_entry_and_no_credit_data(world):
    body = _body(world.clients[SYSADMIN].get(reverse("employers:detail", args=[world.a1.pk])))
    assert world.a1.name in body
    assert "矩阵记录摘要" not in body and "矩阵案" not in body and "矩阵异议理由" not in body


# --- the platform stub: a deliberate machine endpoint --------------------------------------


@pytest.mark.django_db
def test_platform_stub_needs_the_token_when_one_is_set(world, settings):
    settings.CREDIT_PLATFORM_TOKEN = "matrix-token"
    settings.CREDIT_PLATFORM_STUB_ENABLED = True
    body = {
        "message_id": "5f0b7a2e-8a53-4cde-9a35-7f8f4f3f0c11",
        "topic": "t",
        "key": "k",
        "payload": {},
    }
    url = reverse("publication:stub_receive")
    anon = world.clients[ANON]
    assert anon.post(url, body, content_type="application/json").status_code == 401
    ok = anon.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer matrix-token"
    )
    assert ok.status_code == 201
    detail = reverse("publication:stub_message", args=[body["message_id"]])
    assert anon.get(detail).status_code == 401
    assert world.clients[INSPECTOR_IN].get(detail).status_code == 401
    assert world.clients[PUBLISHER_IN].get(detail).status_code == 200


def test_matrix_size():
    """Printed by ``pytest -s``; the figure quoted in the review."""
    size = (len(GET_CASES) + len(POST_CASES)) * len(ROLES)
    assert size > 700
    print(
        f"\naccess matrix: {len(GET_CASES)} GET + {len(POST_CASES)} POST URLs × {len(ROLES)} roles"
    )


# --- written review: the world and helpers ------------------------------------------------


def _roster():
    from tests.written_review.helpers import GOOD_ROSTER

    return SimpleUploadedFile("花名册.csv", GOOD_ROSTER.read_bytes(), content_type="text/csv")


def _build_written_review(w):
    """Plans of 郏县 with a1 in every state that a URL needs: declaring and overdue (with papers),
    submitted (findings and a problem), proposed by the inspector, approved (a reported and an
    open problem); a2 sampled, not notified; a draft plan with a manual addition. Review years
    before the published 2023 cycle, so nobody but the manual additions is drawn."""
    from tests.written_review.helpers import PROBLEM_CONTRACT, PROBLEM_HOURS, declare, proposed
    from written_review import services as wr

    o, u = w.objects, w.users
    jx = o["a1"].jurisdiction
    inspector, supervisor, owner = u[INSPECTOR_IN], u[SUPERVISOR_IN], u[OWNER]

    def plan(year, employers):
        p = wr.create_plan(actor=inspector, jurisdiction=jx, year=year, ratio_ungraded=0)
        for employer in employers:
            wr.add_manual(actor=inspector, plan=p, employer=employer, reason="矩阵")
        wr.start_draw(actor=inspector, plan=p, seed=1, run_now=True)
        wr.run_draw(p.pk)
        return p

    def a1_review(p):
        return p.reviews.get(employer=o["a1"])

    notice, submitted_on = datetime.date(2024, 3, 1), datetime.date(2024, 3, 5)
    with TestCase.captureOnCommitCallbacks(execute=True):
        o["wr_plan"] = plan(2019, [o["a1"], o["a2"]])
        o["wr_declaring"] = r = a1_review(o["wr_plan"])
        wr.notify_review(actor=inspector, review=r, today=notice)  # due 2024-03-15: overdue
        declare(r, owner)
        o["wr_document"] = r.documents.first()
        o["wr_sampled"] = o["wr_plan"].reviews.get(employer=o["a2"])

        o["wr_submitted"] = r = a1_review(plan(2020, [o["a1"]]))
        wr.notify_review(actor=inspector, review=r, today=notice)
        declare(r, owner)
        wr.submit(actor=owner, review=r, today=submitted_on)
        wr.save_findings(actor=inspector, review=r, findings={
            "labor_contract": "problem", "wages": "no_problem", "working_hours": "no_problem",
            "social_insurance": "no_problem"})  # fmt: skip
        o["wr_draft_problem"] = wr.add_problem(actor=inspector, review=r, **PROBLEM_CONTRACT)

        o["wr_proposed"] = r = a1_review(plan(2021, [o["a1"]]))
        wr.notify_review(actor=inspector, review=r, today=notice)
        declare(r, owner)
        wr.submit(actor=owner, review=r, today=submitted_on)
        proposed(r, inspector=inspector, problems=[PROBLEM_CONTRACT])

        o["wr_approved"] = r = a1_review(plan(2022, [o["a1"]]))
        wr.notify_review(actor=inspector, review=r, today=notice)
        declare(r, owner)
        wr.submit(actor=owner, review=r, today=submitted_on)
        proposed(r, inspector=inspector, problems=[PROBLEM_CONTRACT, PROBLEM_HOURS])
        wr.decide(actor=supervisor, review=r, approve=True, today=datetime.date(2024, 4, 1))
    first, second = r.problems.order_by("number")
    o["wr_report"] = wr.report_rectification(
        actor=owner, problem=first, text="矩阵整改", uploads=[_pdf("整改.pdf")]
    )
    o["wr_open_problem"] = second

    o["wr_draft"] = wr.create_plan(actor=inspector, jurisdiction=jx, year=2018)
    o["wr_addition"] = wr.add_manual(
        actor=inspector, plan=o["wr_draft"], employer=o["a1"], reason="矩阵"
    )


# --- exports and publishing as jobs (issue 15) ---------------------------------------------


def _build_exports(w: World) -> None:
    from employers import export_jobs
    from employers.models import ExportJob

    job = ExportJob.objects.create(
        format="csv", params={"query": ""}, requested_by=w.users[INSPECTOR_IN]
    )
    export_jobs.run(job.pk)  # written: its file is one of the stored files
    job.refresh_from_db()
    w.objects["export_job"] = job


GET_CASES += [
    # An export is its requester's alone.
    Case("employers:export_job", pk("export_job"), allowed={INSPECTOR_IN}),
    Case("employers:export_download", pk("export_job"), allowed={INSPECTOR_IN}),
]

POST_CASES += [
    Case(
        "employers:export_start",
        lambda w: ["csv"],
        STAFF | {SYSADMIN},
        "post",
        lambda w: {"query": ""},
        (302,),
        True,
    ),
]
