"""许昌市《关于做好2023年度人力资源服务机构诚信建设工作的通知》— version 2 (SPEC §5.4 [r2]).

The same notice (seed ``003_7f1d6dd7294dffa2.txt``) and dates as version 1 (``xuchang.py``);
readings corrected:

- U.1: 职业中介机构 (``job_agency``) are human-resources service agencies too;
- B.3: a missing annual report is a reporting failure of its own (二（二）2（3）“年度报告”);
- C.4: “失联1年以上” counted by 民法典 第二百零二条 (credit_records.periods): lost since
  2024-02-29 → C from 2025-02-28;
- D.4: of two ratings on the same date, the one written to the ledger last counts.
"""

import dataclasses

from credit_records.choices import RecordKind
from credit_records.periods import add_years
from employers.choices import EmployerKind

from ..facts import Facts
from . import xuchang as v1
from .base import keep, rule

RULES: list = []
# Interpretation (SPEC §5.4 [r2]): 职业介绍 is human-resources service work under
# 人力资源市场暂行条例; labour dispatch has a licence of its own and is not covered.
AGENCY_KINDS = frozenset({EmployerKind.HR_AGENCY, EmployerKind.JOB_AGENCY})


# --- who is graded -----------------------------------------------------------------------------
@rule(
    RULES,
    "xuchang.U.1",
    "",
    "二（二）",
    v1.RULESET.rule("xuchang.U.1").text,
    interpretation=(
        "SPEC §5.4 [r2]: the notice grades 人力资源服务机构: 人力资源服务机构 and 职业介绍机构 "
        "(职业中介 is HR service work under 人力资源市场暂行条例). Other employers — labour "
        "dispatch included, which has a licence of its own — are recorded as not graded."
    ),
)
def not_an_hr_service_agency(f: Facts) -> bool:
    return f.employer_kind not in AGENCY_KINDS


# --- 1. 符合以下条件的，评为A级 ------------------------------------------------------------------
@rule(
    RULES,
    "xuchang.A.1",
    "A",
    "二（二）1",
    v1.RULESET.rule("xuchang.A.1").text,
    interpretation="A is “none of the above”: no B, C or D rule of this version fires.",
)
def none_of_the_above(f: Facts) -> bool:
    return not any(r.predicate(f) for r in RULES if r.grade in ("B", "C", "D"))


# --- 2. 存在以下情形之一的，评为B级 -------------------------------------------------------------
keep(RULES, v1.RULESET, "xuchang.B.1")
keep(RULES, v1.RULESET, "xuchang.B.2")


@rule(
    RULES,
    "xuchang.B.3",
    "B",
    "二（二）2（3）",
    v1.RULESET.rule("xuchang.B.3").text,
    interpretation=(
        "SPEC §5.4 [r2]: a reporting failure, or a missing annual report (未进行年度报告), "
        "recorded in the window — the clause names 年度报告 itself."
    ),
)
def reporting_failure(f: Facts) -> bool:
    return f.in_window(RecordKind.REPORTING_FAILURE, RecordKind.ANNUAL_REPORT_MISSING)


for _code in ("xuchang.B.4", "xuchang.B.5", "xuchang.B.6"):
    keep(RULES, v1.RULESET, _code)

# --- 3. 存在以下情形之一的，评为C级 -------------------------------------------------------------
for _code in ("xuchang.C.1", "xuchang.C.2", "xuchang.C.3"):
    keep(RULES, v1.RULESET, _code)


@rule(
    RULES,
    "xuchang.C.4",
    "C",
    "二（二）3（4）",
    v1.RULESET.rule("xuchang.C.4").text,
    interpretation=(
        "SPEC §5.4 [r2]: lost contact on D and not restored by as_of, and the year counted from "
        "D (民法典 第二百零一、二百零二条) has ended: D + 1 year ≤ as_of — lost since 2024-02-29, "
        "C from 2025-02-28."
    ),
)
def lost_contact_one_year(f: Facts) -> bool:
    since = f.lost_contact_since
    return since is not None and add_years(since, 1) <= f.as_of


for _code in ("xuchang.C.5", "xuchang.C.6", "xuchang.D.1", "xuchang.D.2", "xuchang.D.3"):
    keep(RULES, v1.RULESET, _code)


@rule(
    RULES,
    "xuchang.D.4",
    "D",
    "二（二）4（4）",
    v1.RULESET.rule("xuchang.D.4").text,
    interpretation=(
        "SPEC §5.4 [r2]: the latest public credit rating dated on or before as_of is D; of two "
        "on the same date, the one whose effective entry was written to the ledger last (the "
        "rows of one import file are written in file order)."
    ),
)
def public_credit_rating_d(f: Facts) -> bool:
    return f.latest_public_credit_rating == "D"


keep(RULES, v1.RULESET, "xuchang.D.5")

# SPEC §5.5 [r2]: the law did not change, only its reading: version 1's document, dates,
# grades and measures, with the rules of this version.
RULESET = dataclasses.replace(
    v1.RULESET,
    version="2",
    rules=tuple(RULES),
    employer_kinds=AGENCY_KINDS,
)
