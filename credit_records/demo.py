"""Demo credit records for ``manage.py seed_demo``: a realistic spread over the last three years.

Most employers are clean (patrols, written reviews, commitments); some have violations, a few
penalties (one still pending, one refused), one wage-arrears blacklisting from an earlier year,
harmonious-enterprise designations (one revoked), HR agencies with reporting failures, missing
annual reports, lost contact, public credit ratings; interviews of penalised employers; and a
few corrections and voids so the history is visible. Written through the ledger's own bulk path
(hash chain, one audit entry), corrections and voids through the services. Idempotent: does
nothing when the ledger already has entries.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from employers.choices import EmployerKind, Role
from employers.models import Employer, User

from . import ledger, services
from .audit import write_audit
from .choices import EntryType
from .kinds import clean_record

CATEGORIES = [
    "wages",
    "wages",
    "wages",
    "labor_contract",
    "social_insurance",
    "working_hours",
    "minimum_wage",
    "female_minor_protection",
    "internal_rules",
    "labor_dispatch",
]
SUMMARIES = {
    "wages": "拖欠{n}名职工工资共计{m}万元，已责令限期支付",
    "labor_contract": "未与{n}名劳动者订立书面劳动合同",
    "social_insurance": "未依法为{n}名职工缴纳社会保险费",
    "working_hours": "安排职工延长工作时间超过法定标准",
    "minimum_wage": "支付{n}名职工工资低于当地最低工资标准",
    "female_minor_protection": "安排孕期女职工从事禁忌劳动",
    "internal_rules": "直接涉及劳动者切身利益的规章制度未经民主程序制定",
    "labor_dispatch": "超比例使用被派遣劳动者",
    "child_labor": "非法使用未满十六周岁的未成年人",
    "hr_market": "发布虚假招聘信息",
}


class _Builder:
    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        self.start = today - datetime.timedelta(days=3 * 365)
        self.rows: list[tuple[Employer, dict]] = []
        self.case_serial = 0

    def day(self, lo=None, hi=None):
        lo = lo or self.start
        hi = hi or self.today
        return lo + datetime.timedelta(days=self.rng.randrange(0, max(1, (hi - lo).days)))

    def add(self, employer, kind, date, **fields):
        self.rows.append((employer, {"kind": kind, "date": date, **fields}))

    def case(
        self,
        employer,
        date,
        *,
        severity=None,
        category=None,
        rectification=None,
        decision=True,
        penalty=None,
        incident=False,
        source=None,
    ):
        self.case_serial += 1
        rng = self.rng
        prefix = employer.jurisdiction.name[:2]
        case_no = f"{prefix}人社监案〔{date.year}〕{self.case_serial:03d}号"
        category = category or rng.choice(CATEGORIES)
        severity = severity or rng.choice(["minor", "general", "general", "general", "serious"])
        source = source or rng.choice(["complaint", "complaint", "patrol", "special_inspection"])
        summary = SUMMARIES.get(category, "劳动保障违法行为").format(
            n=rng.randint(2, 40), m=round(rng.uniform(1, 60), 1)
        )
        self.add(
            employer,
            "violation",
            date,
            severity=severity,
            category=category,
            rectification=rectification or rng.choice(["rectified"] * 4 + ["in_progress"]),
            incident=incident,
            case_no=case_no,
            source=source,
            summary=summary,
            document_no=f"{prefix}人社监责改字〔{date.year}〕{self.case_serial:03d}号",
        )
        if decision:
            self.add(
                employer,
                "administrative_decision",
                min(self.today, date + datetime.timedelta(days=rng.randint(5, 20))),
                performance="performed",
                case_no=case_no,
                source=source,
                document_no=f"{prefix}人社监理字〔{date.year}〕{self.case_serial:03d}号",
                summary="责令改正违法行为、支付拖欠款项",
            )
        if penalty:
            self.add(
                employer,
                "administrative_penalty",
                min(self.today, date + datetime.timedelta(days=rng.randint(20, 45))),
                performance=penalty,
                procedure="general",
                case_no=case_no,
                source=source,
                document_no=f"{prefix}人社监罚字〔{date.year}〕{self.case_serial:03d}号",
                summary=f"罚款{rng.randint(1, 10)}万元",
            )
        return case_no


def _plan(b: _Builder, employers: list[Employer]) -> None:
    rng, today = b.rng, b.today
    years_back = [today.year - 3, today.year - 2, today.year - 1]
    # One employer each for the rare cases, drawn up front so every demo database has them.
    ordinary = [e for e in employers if e.kind != EmployerKind.HR_AGENCY]
    names = [
        "blacklist",
        "pending",
        "refused",
        "incident",
        "child_labor",
        "criminal",
        "obstruction",
        "revoked",
        # SPEC [r2]: a blacklisting that has expired (listed more than three years ago, never
        # removed) and a penalty that is not dishonesty information (违法行为轻微, 第五条 但书).
        "expired_blacklist",
        "mitigated",
    ]
    chosen = rng.sample(ordinary, min(len(names), len(ordinary)))
    special = {employer.pk: name for name, employer in zip(names, chosen, strict=False)}
    for index, employer in enumerate(employers):
        hr = employer.kind == EmployerKind.HR_AGENCY
        roll = rng.random()
        what = special.get(employer.pk)
        # Everyone: patrols and written reviews over the years, most of them clean.
        for _ in range(rng.randint(0, 2)):
            b.add(
                employer,
                "patrol_inspection",
                b.day(),
                source="patrol",
                result="no_issue" if rng.random() < 0.85 else "issue_found",
                summary="日常巡视检查",
            )
        if rng.random() < 0.5:
            year = rng.choice(years_back)
            review_day = datetime.date(year + 1, 5, rng.randint(10, 30))
            result = rng.choices(["qualified", "basically_qualified", "unqualified"], [80, 15, 5])[
                0
            ]
            b.add(
                employer,
                "written_review",
                min(review_day, today),
                result=result,
                source="written_review",
                summary=f"{year}年度劳动保障书面审查",
            )
        if rng.random() < 0.3:
            b.add(
                employer,
                "credit_commitment",
                b.day(),
                source="written_review",
                summary="签署劳动保障守法诚信承诺书",
            )
        if rng.random() < 0.12:
            b.add(
                employer,
                "complaint",
                b.day(),
                source="complaint",
                result=rng.choice(["verified", "unfounded", "unfounded"]),
                summary="职工投诉举报，已核查",
            )

        if what in ("pending", "refused") or (what is None and 0.90 <= roll < 0.95):
            date = b.day(hi=today - datetime.timedelta(days=60))
            performance = what or "performed"
            b.case(
                employer,
                date,
                severity="serious",
                penalty=performance,
                rectification="not_rectified" if performance == "refused" else "rectified",
            )
            b.add(
                employer,
                "interview",
                min(today, date + datetime.timedelta(days=50)),
                source="patrol",
                result="warning",
                summary="对主要负责人、直接责任人进行警示约谈",
            )
        elif what == "blacklist":
            date = datetime.date(today.year - 2, 6, 15)
            case_no = b.case(
                employer,
                date - datetime.timedelta(days=90),
                severity="major",
                category="wages",
                rectification="rectified",
            )
            b.add(
                employer,
                "wage_arrears_blacklist",
                date,
                case_no=case_no,
                source="transfer",
                document_no=f"人社黑〔{date.year}〕1号",
                summary="拒不支付农民工工资，列入失信联合惩戒对象名单",
            )
        elif what == "expired_blacklist":
            date = datetime.date(today.year - 4, 3, 10)
            b.add(
                employer,
                "wage_arrears_blacklist",
                date,
                source="transfer",
                document_no=f"人社黑〔{date.year}〕7号",
                summary="列入拖欠农民工工资失信联合惩戒对象名单（三年期满，未申请提前移出）",
            )
        elif what == "mitigated":
            date = b.day(hi=today - datetime.timedelta(days=60))
            b.add(
                employer,
                "administrative_penalty",
                date,
                performance="performed",
                procedure="general",
                mitigation="minor",
                source="patrol",
                document_no=f"人社监罚字〔{date.year}〕901号",
                summary="违法行为轻微，已当场改正，警告",
            )
        elif what == "incident":
            b.case(
                employer,
                b.day(today - datetime.timedelta(days=300)),
                severity="serious",
                incident=True,
                category="wages",
            )
        elif what == "child_labor":
            b.case(
                employer,
                b.day(today - datetime.timedelta(days=300)),
                severity="major",
                category="child_labor",
                penalty="performed",
            )
        elif what == "criminal":
            date = b.day(today - datetime.timedelta(days=500), today - datetime.timedelta(days=100))
            case_no = b.case(employer, date, severity="major", category="wages")
            b.add(
                employer,
                "criminal_liability",
                date + datetime.timedelta(days=90),
                case_no=case_no,
                source="transfer",
                summary="因拒不支付劳动报酬罪被追究刑事责任",
            )
        elif what == "obstruction":
            b.add(
                employer,
                "obstruction",
                b.day(),
                source="patrol",
                summary="拒绝监察员进入用工场所检查",
            )
        elif roll < 0.60 or what == "revoked":
            pass  # clean
        elif roll < 0.85:
            b.case(employer, b.day())
        else:
            for _ in range(rng.randint(2, 3)):
                b.case(employer, b.day(today - datetime.timedelta(days=360)))

        if rng.random() < 0.04:
            b.add(
                employer, "arbitration_loss", b.day(), source="external", summary="劳动争议仲裁败诉"
            )
        if what == "revoked" or (not hr and what is None and roll < 0.6 and rng.random() < 0.12):
            date = b.day(hi=today - datetime.timedelta(days=200))
            end = b.day(date + datetime.timedelta(days=30)) if what == "revoked" else None
            b.add(
                employer,
                "harmonious_enterprise",
                date,
                end_date=end,
                level=rng.choice(["county", "county", "city", "province"]),
                source="external",
                document_no=f"劳动关系和谐企业命名〔{date.year}〕{index % 50 + 1}号",
            )
        if roll < 0.6 and rng.random() < 0.05:
            b.add(
                employer,
                "commendation",
                b.day(),
                source="external",
                summary="获评劳动保障工作先进单位",
            )
        if hr:
            _hr_agency(b, employer, index)


def _hr_agency(b: _Builder, employer: Employer, index: int) -> None:
    rng, today = b.rng, b.today
    b.add(
        employer,
        "public_credit_rating",
        b.day(today - datetime.timedelta(days=300)),
        source="external",
        value=rng.choices(["A", "B", "C", "D"], [50, 35, 12, 3])[0],
        summary="公共信用综合评价结果",
    )
    pick = index % 9
    if pick == 0:
        b.add(
            employer,
            "reporting_failure",
            b.day(),
            source="written_review",
            summary="未按规定报送年度统计报表",
        )
    elif pick == 1:
        for year in (today.year - 3, today.year - 2, today.year - 1):
            b.add(
                employer,
                "annual_report_missing",
                min(datetime.date(year + 1, 4, 1), today),
                value=str(year),
                source="external",
                summary=f"未报送{year}年度人力资源服务年度报告",
            )
    elif pick == 2:
        b.add(
            employer,
            "lost_contact",
            today - datetime.timedelta(days=420),
            source="patrol",
            summary="经营场所无人，登记电话无法接通",
        )
    elif pick == 3:
        date = b.day()
        b.add(
            employer,
            "business_abnormal_list",
            date,
            source="external",
            summary="通过登记的住所无法联系",
        )
    elif pick == 4:
        b.add(
            employer,
            "commitment_breach",
            b.day(),
            source="written_review",
            summary="告知承诺事项核查不实",
        )
    elif pick == 5:
        b.case(employer, b.day(), category="hr_market", severity="general")
    elif pick == 6 and index % 27 == 6:
        b.add(
            employer,
            "fund_fraud",
            b.day(),
            source="transfer",
            summary="虚报培训人数骗取职业技能培训补贴",
        )
    elif pick == 7:
        b.add(
            employer,
            "false_materials",
            b.day(),
            source="written_review",
            summary="年度报告中提供虚假从业人员信息",
        )


def seed(*, rng, stdout, today=None) -> None:
    from .models import CreditRecord

    if CreditRecord.objects.exists():
        stdout.write("信用记录：已有记录，跳过")
        return
    today = today or timezone.localdate()
    employers = list(Employer.objects.select_related("jurisdiction").order_by("pk"))
    if not employers:
        return
    builder = _Builder(rng, today)
    _plan(builder, employers)
    inspectors = {
        u.jurisdiction.code: u
        for u in User.objects.filter(role=Role.INSPECTOR).select_related("jurisdiction")
    }
    rows = []
    for employer, values in sorted(builder.rows, key=lambda r: (r[1]["date"], r[0].pk)):
        content = clean_record(values, today=today)  # demo data obeys the same rules
        creator = inspectors.get(employer.jurisdiction.code)
        entry = {
            **content,
            "employer_id": employer.pk,
            "entry_type": EntryType.ORIGINAL.value,
            "supersedes_id": None,
            "reason": "",
            "department": f"{employer.jurisdiction.name}劳动保障监察大队",
            "created_by_id": creator.pk if creator else None,
            "created_at": timezone.now(),
            "repaired_on": None,
        }
        rows.append(entry)
    with transaction.atomic():
        appended = ledger.append_rows(rows)
        write_audit(
            actor=None,
            action="credit_records.demo",
            object_type="credit_records.CreditRecord",
            object_repr="演示信用记录",
            after={"created": appended.count},
        )
        # A few fixes so histories show: a rectification completed late, an upheld objection.
        violations = list(
            CreditRecord.objects.effective()
            .filter(kind="violation", rectification="in_progress")
            .select_related("employer__jurisdiction")
            .order_by("pk")[:3]
        )
        for record in violations:
            services.correct_record(
                actor=inspectors.get(record.employer.jurisdiction.code),
                record=record,
                rectification="rectified",
                reason="复查确认已按期整改完毕",
            )
        complaints = list(
            CreditRecord.objects.effective()
            .filter(kind="complaint", result="verified")
            .select_related("employer__jurisdiction")
            .order_by("pk")[:2]
        )
        for record in complaints:
            services.void_record(
                actor=inspectors.get(record.employer.jurisdiction.code),
                record=record,
                reason="用人单位异议成立：投诉所涉为其他单位，记录作废",
            )
    stdout.write(
        f"信用记录：新增 {appended.count} 条（另有 {len(violations)} 条更正、{len(complaints)} 条作废）"
    )
