"""Rule sets from the ledger up: credit records → facts (the aggregate SQL) → grade + fired rules.

The engine grades with the version in force (SPEC §5.5 [r2]: version 2), so this is the table of
version 2 from the ledger up; rows marked [r2] are the revision's changes and their boundaries.

Table-driven, one row per clause (each rule firing on its own) plus the boundaries of SPEC §4 and
§5.6: window edges (1 January, 31 December), 2 versus 3 cases, “以上” inclusive, the L60 edge,
lost contact exactly one year, consecutive annual-report years, a blacklist that started before
the window, a harmonious designation revoked on as_of, an old outstanding penalty, a voided
record, a corrected record, a record after as_of. Expected values are read off the regulations,
not produced by the code under test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from grading import rulesets
from grading.assignments import Assignments
from grading.engine import evaluate
from grading.facts import EmployerSelection
from grading.windows import Span
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add, correct, void


@dataclass
class R:
    """A record to add: kind, date, fields; ``void`` voids it; ``corrected`` corrects it."""

    kind: str
    date: str
    fields: dict = field(default_factory=dict)
    void: bool = False
    corrected: dict | None = None

    def __init__(self, kind, date, *, void=False, corrected=None, **fields):
        self.kind, self.date, self.fields = kind, date, fields
        self.void, self.corrected = void, corrected


@dataclass
class Case:
    ruleset: str
    name: str
    records: list
    grade: str
    rules: list
    kind: str = "enterprise"
    cycle: int | None = 2024
    as_of: str | None = None


JURISDICTION = {
    "jiaxian": "jiaxian",
    "xiqing": "xiqing",
    "jiangjin": "jiangjin",
    "xuchang": "xuchang",
}
PATROL = R("patrol_inspection", "2024-05-01")  # jiangjin grades only supervised enterprises
HR = "hr_agency"

# fmt: off
CASES = [
    # --- jiaxian (seed 000) -------------------------------------------------------------------
    Case("jiaxian", "B: nothing found", [], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "A: harmonious designation, clean 60 months",
         [R("harmonious_enterprise", "2019-05-01")], "A", ["jiaxian.A.1"]),
    Case("jiaxian", "A: any level counts (national)",
         [R("harmonious_enterprise", "2022-05-01", level="national")], "A", ["jiaxian.A.1"]),
    Case("jiaxian", "harmonious revoked on as_of no longer counts",
         [R("harmonious_enterprise", "2019-05-01", end_date="2024-12-31")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "harmonious revoked after as_of still counts",
         [R("harmonious_enterprise", "2019-05-01", end_date="2025-01-01")], "A", ["jiaxian.A.1"]),
    Case("jiaxian", "harmonious designated after as_of does not count",
         [R("harmonious_enterprise", "2025-01-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "L60 edge: a case on the first day of L60 bars A",
         [R("harmonious_enterprise", "2019-05-01"), R("violation", "2020-01-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "L60 edge: a case the day before L60 does not",
         [R("harmonious_enterprise", "2019-05-01"), R("violation", "2019-12-31")], "A", ["jiaxian.A.1"]),
    Case("jiaxian", "L60: an arbitration loss bars A",
         [R("harmonious_enterprise", "2019-05-01"), R("arbitration_loss", "2020-01-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "L60: a blacklist listing that ended inside L60 bars A",
         [R("harmonious_enterprise", "2019-05-01"),
          R("wage_arrears_blacklist", "2018-01-01", end_date="2020-01-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "L60: a listing that ended before L60 does not",
         [R("harmonious_enterprise", "2019-05-01"),
          R("wage_arrears_blacklist", "2018-01-01", end_date="2019-12-31")], "A", ["jiaxian.A.1"]),
    Case("jiaxian", "C: a violation dealt with in the window",
         [R("violation", "2024-06-01")], "C", ["jiaxian.C.1"]),
    Case("jiaxian", "window edge: 1 January is inside",
         [R("violation", "2024-01-01")], "C", ["jiaxian.C.1"]),
    Case("jiaxian", "window edge: 31 December is inside",
         [R("violation", "2024-12-31")], "C", ["jiaxian.C.1"]),
    Case("jiaxian", "window edge: 31 December of the year before is outside",
         [R("violation", "2023-12-31")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "a record after as_of never counts",
         [R("violation", "2025-01-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "a voided record never counts",
         [R("violation", "2024-06-01", void=True)], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "a correction moving the date out of the window",
         [R("violation", "2024-01-02", corrected={"date": dt.date(2023, 12, 30)})], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "an administrative decision is a case too",
         [R("administrative_decision", "2024-06-01")], "C", ["jiaxian.C.1"]),
    Case("jiaxian", "D.1: a penalty in the window",
         [R("violation", "2024-03-01", case_no="C1"),
          R("administrative_penalty", "2024-04-01", case_no="C1")], "D", ["jiaxian.D.1"]),
    Case("jiaxian", "D.1: an old penalty still not performed",
         [R("administrative_penalty", "2021-04-01", performance="pending")], "D", ["jiaxian.D.1"]),
    Case("jiaxian", "an old penalty performed no longer counts",
         [R("administrative_penalty", "2021-04-01", performance="performed")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "an old penalty corrected to performed no longer counts",
         [R("administrative_penalty", "2021-04-01", performance="refused",
            corrected={"performance": "performed"})], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "D.2: a blacklist listing from before the window still in force",
         [R("wage_arrears_blacklist", "2022-03-01")], "D", ["jiaxian.D.2"]),
    Case("jiaxian", "a blacklist listing removed before the window",
         [R("wage_arrears_blacklist", "2021-03-01", end_date="2023-12-31")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "a blacklist listing removed on 1 January overlaps the window",
         [R("wage_arrears_blacklist", "2021-03-01", end_date="2024-01-01")], "D", ["jiaxian.D.2"]),
    Case("jiaxian", "both D rules are kept",
         [R("administrative_penalty", "2024-04-01"), R("wage_arrears_blacklist", "2024-02-01")],
         "D", ["jiaxian.D.1", "jiaxian.D.2"]),
    Case("jiaxian", "live: the window is the year ending on as_of (first day inside)",
         [R("violation", "2023-07-01")], "C", ["jiaxian.C.1"], cycle=None, as_of="2024-06-30"),
    Case("jiaxian", "live: the day before the window is outside",
         [R("violation", "2023-06-30")], "B", ["jiaxian.B.1"], cycle=None, as_of="2024-06-30"),
    Case("jiaxian", "live: a record the day after as_of never counts",
         [R("violation", "2024-07-01")], "B", ["jiaxian.B.1"], cycle=None, as_of="2024-06-30"),
    Case("jiaxian", "every kind of employer is graded",
         [], "B", ["jiaxian.B.1"], kind="individual_business"),

    # --- jiaxian [r2] ----------------------------------------------------------------------------
    # SPEC §4 [r2]: a blacklisting without removal counts through date + 3 years (民法典 第二百零二条).
    Case("jiaxian", "[r2] blacklist expired the day before W.start",
         [R("wage_arrears_blacklist", "2020-12-31")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] blacklist expiring on W.start still counts",
         [R("wage_arrears_blacklist", "2021-01-01")], "D", ["jiaxian.D.2"]),
    Case("jiaxian", "[r2] blacklist expiring inside the window counts",
         [R("wage_arrears_blacklist", "2021-08-01")], "D", ["jiaxian.D.2"]),
    Case("jiaxian", "[r2] SPEC §5.6: listed 2021-08-01 no longer counts in 2025",
         [R("wage_arrears_blacklist", "2021-08-01")], "B", ["jiaxian.B.1"], cycle=2025),
    Case("jiaxian", "[r2] live: expiry 2024-08-01 is W.start of as_of 2025-07-31",
         [R("wage_arrears_blacklist", "2021-08-01")], "D", ["jiaxian.D.2"], cycle=None, as_of="2025-07-31"),
    Case("jiaxian", "[r2] live: one day later it has expired",
         [R("wage_arrears_blacklist", "2021-08-01")], "B", ["jiaxian.B.1"], cycle=None, as_of="2025-08-01"),
    Case("jiaxian", "[r2] from 29 February: listed through 2023-02-28, W.start 2023-02-28",
         [R("wage_arrears_blacklist", "2020-02-29")], "D", ["jiaxian.D.2"], cycle=None, as_of="2024-02-27"),
    Case("jiaxian", "[r2] from 29 February: W.start 2023-03-01 is after the expiry",
         [R("wage_arrears_blacklist", "2020-02-29")], "B", ["jiaxian.B.1"], cycle=None, as_of="2024-02-28"),
    Case("jiaxian", "[r2] from 1 March 2020: listed through 2023-03-01 = W.start",
         [R("wage_arrears_blacklist", "2020-03-01")], "D", ["jiaxian.D.2"], cycle=None, as_of="2024-02-29"),
    Case("jiaxian", "[r2] a removal after the expiry: the expiry is the end",
         [R("wage_arrears_blacklist", "2020-06-01", end_date="2024-03-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] an expired blacklisting no longer bars A in L60",
         [R("harmonious_enterprise", "2019-05-01"), R("wage_arrears_blacklist", "2016-06-01")],
         "A", ["jiaxian.A.1"]),
    Case("jiaxian", "[r2] a blacklisting expiring on the first day of L60 bars A",
         [R("harmonious_enterprise", "2019-05-01"), R("wage_arrears_blacklist", "2017-01-01")],
         "B", ["jiaxian.B.1"]),
    # C.1 widened, C.2 new, B.1 redefined, A.1 barred by obstruction / criminal liability in L60.
    Case("jiaxian", "[r2] C.1: obstruction in the window",
         [R("obstruction", "2024-05-01")], "C", ["jiaxian.C.1"]),
    Case("jiaxian", "[r2] C.1: criminal liability in the window",
         [R("criminal_liability", "2024-05-01")], "C", ["jiaxian.C.1"]),
    Case("jiaxian", "[r2] obstruction before the window is not C.1",
         [R("obstruction", "2023-12-31")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] C.2: an old violation not rectified (zero cases in W)",
         [R("violation", "2022-05-01", rectification="not_rectified")], "C", ["jiaxian.C.2"]),
    Case("jiaxian", "[r2] C.2 ends when corrected to rectified",
         [R("violation", "2022-05-01", rectification="not_rectified",
            corrected={"rectification": "rectified"})], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] still being rectified is not C.2",
         [R("violation", "2022-05-01", rectification="in_progress")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] C.1 and C.2 together",
         [R("violation", "2024-05-01", rectification="not_rectified")], "C", ["jiaxian.C.1", "jiaxian.C.2"]),
    Case("jiaxian", "[r2] C.2 never outranks D",
         [R("violation", "2022-05-01", rectification="not_rectified"),
          R("administrative_penalty", "2024-04-01")], "D", ["jiaxian.D.1"]),
    Case("jiaxian", "[r2] A.1 barred by obstruction in L60",
         [R("harmonious_enterprise", "2019-05-01"), R("obstruction", "2021-05-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] A.1 barred by criminal liability in L60",
         [R("harmonious_enterprise", "2019-05-01"), R("criminal_liability", "2020-01-01")], "B", ["jiaxian.B.1"]),
    Case("jiaxian", "[r2] criminal liability before L60 does not bar A",
         [R("harmonious_enterprise", "2019-05-01"), R("criminal_liability", "2019-12-31")], "A", ["jiaxian.A.1"]),
    Case("jiaxian", "[r2] an uncorrected violation bars A (and is C)",
         [R("harmonious_enterprise", "2019-05-01"), R("violation", "2019-05-01", rectification="not_rectified")],
         "C", ["jiaxian.C.2"]),

    # --- xiqing (seed 001) --------------------------------------------------------------------
    Case("xiqing", "A: not dealt with", [], "A", ["xiqing.A.1"]),
    Case("xiqing", "B: dealt with once", [R("violation", "2024-02-01")], "B", ["xiqing.B.1"]),
    Case("xiqing", "2 cases is still B",
         [R("violation", "2024-02-01", case_no="X1"), R("violation", "2024-03-01", case_no="X2")],
         "B", ["xiqing.B.1"]),
    Case("xiqing", "C.1: 3 cases (三次以上含三次)",
         [R("violation", "2024-02-01", case_no="X1"), R("violation", "2024-03-01", case_no="X2"),
          R("administrative_decision", "2024-04-01", case_no="X3")], "C", ["xiqing.C.1"]),
    Case("xiqing", "3 records of one case are one case",
         [R("violation", "2024-02-01", case_no="X1"),
          R("administrative_decision", "2024-03-01", case_no="X1"),
          R("violation", "2024-04-01", case_no="X1")], "B", ["xiqing.B.1"]),
    Case("xiqing", "records without case number are each a case",
         [R("violation", "2024-02-01"), R("violation", "2024-03-01"), R("violation", "2024-04-01")],
         "C", ["xiqing.C.1"]),
    Case("xiqing", "a case counts in the window if any of its records is in it",
         [R("violation", "2023-12-20", case_no="X1"), R("administrative_decision", "2024-01-05", case_no="X1"),
          R("violation", "2024-03-01", case_no="X2"), R("violation", "2024-04-01", case_no="X3")],
         "C", ["xiqing.C.1"]),
    Case("xiqing", "C.2: ordered to correct, not rectified — outstanding-C with zero cases in W",
         [R("violation", "2022-05-01", rectification="not_rectified")], "C", ["xiqing.C.2"]),
    Case("xiqing", "still being rectified is not C.2",
         [R("violation", "2024-05-01", rectification="in_progress")], "B", ["xiqing.B.1"]),
    Case("xiqing", "C.3: a decision not fully performed",
         [R("administrative_decision", "2024-05-01", performance="pending")], "C", ["xiqing.C.3"]),
    Case("xiqing", "C.4: an administrative penalty",
         [R("administrative_penalty", "2024-05-01")], "C", ["xiqing.C.4"]),
    Case("xiqing", "C.5: an incident", [R("violation", "2024-05-01", incident=True)], "C", ["xiqing.C.5"]),
    Case("xiqing", "C.6: a major violation", [R("violation", "2024-05-01", severity="major")], "C", ["xiqing.C.6"]),
    Case("xiqing", "C.6 via a correction to major",
         [R("violation", "2024-05-01", corrected={"severity": "major"})], "C", ["xiqing.C.6"]),
    Case("xiqing", "C.7: criminal liability", [R("criminal_liability", "2024-05-01")], "C", ["xiqing.C.7"]),
    Case("xiqing", "criminal liability before the window",
         [R("criminal_liability", "2023-12-31")], "A", ["xiqing.A.1"]),
    Case("xiqing", "every C rule fired is kept ([r2]: a penalty not performed is C.3 too)",
         [R("administrative_penalty", "2024-05-01", performance="pending"),
          R("criminal_liability", "2024-06-01")], "C", ["xiqing.C.3", "xiqing.C.4", "xiqing.C.7"]),

    Case("xiqing", "[r2] C.3: an old penalty not performed (zero cases in W)",
         [R("administrative_penalty", "2022-05-01", performance="pending")], "C", ["xiqing.C.3"]),
    Case("xiqing", "[r2] C.3: a penalty refused in the window is C.3 and C.4",
         [R("administrative_penalty", "2024-05-01", performance="refused")], "C", ["xiqing.C.3", "xiqing.C.4"]),
    Case("xiqing", "[r2] a penalty performed is not C.3",
         [R("administrative_penalty", "2022-05-01", performance="performed")], "A", ["xiqing.A.1"]),

    # --- jiangjin (seed 002, 渝人社发〔2016〕212号) -----------------------------------------------
    Case("jiangjin", "U.1: not an enterprise", [PATROL], "", ["jiangjin.U.1"], kind="individual_business"),
    Case("jiangjin", "U.2: no inspection in the cycle", [], "", ["jiangjin.U.2"]),
    Case("jiangjin", "U.2: an inspection outside the window does not count",
         [R("patrol_inspection", "2023-12-31")], "", ["jiangjin.U.2"]),
    Case("jiangjin", "a written review is an inspection", [R("written_review", "2024-08-20")], "A", ["jiangjin.A.1"]),
    Case("jiangjin", "A: inspected, not dealt with", [PATROL], "A", ["jiangjin.A.1"]),
    Case("jiangjin", "B: dealt with once", [R("violation", "2024-05-01")], "B", ["jiangjin.B.1"]),
    Case("jiangjin", "2 cases is B",
         [R("violation", "2024-05-01", case_no="J1"), R("violation", "2024-06-01", case_no="J2")],
         "B", ["jiangjin.B.1"]),
    Case("jiangjin", "C.1: 3 cases",
         [R("violation", "2024-05-01", case_no="J1"), R("violation", "2024-06-01", case_no="J2"),
          R("administrative_penalty", "2024-07-01", case_no="J3")], "C", ["jiangjin.C.1"]),
    Case("jiangjin", "C.2: an incident", [R("violation", "2024-05-01", incident=True)], "C", ["jiangjin.C.2"]),
    Case("jiangjin", "C.3: child labour", [R("violation", "2024-05-01", category="child_labor")], "C", ["jiangjin.C.3"]),
    Case("jiangjin", "C.3: forced labour", [R("violation", "2024-05-01", category="forced_labor")], "C", ["jiangjin.C.3"]),
    Case("jiangjin", "C.3: a serious violation", [R("violation", "2024-05-01", severity="serious")], "C", ["jiangjin.C.3"]),
    Case("jiangjin", "C.4: an old order not complied with",
         [PATROL, R("violation", "2022-05-01", rectification="not_rectified")], "C", ["jiangjin.C.4"]),
    Case("jiangjin", "C.4: a penalty refused",
         [R("administrative_penalty", "2024-05-01", performance="refused")], "C", ["jiangjin.C.4"]),
    Case("jiangjin", "a penalty merely pending is not refusal",
         [R("administrative_penalty", "2024-05-01", performance="pending")], "B", ["jiangjin.B.1"]),
    Case("jiangjin", "C.5: obstruction", [PATROL, R("obstruction", "2024-05-02")], "C", ["jiangjin.C.5"]),
    Case("jiangjin", "C.6: criminal liability", [PATROL, R("criminal_liability", "2024-05-02")], "C", ["jiangjin.C.6"]),
    Case("jiangjin", "a voided violation leaves the enterprise unsupervised",
         [R("violation", "2024-05-01", void=True)], "", ["jiangjin.U.2"]),

    Case("jiangjin", "[r2] U.2 narrowed: an obstruction alone is enforcement (C.5)",
         [R("obstruction", "2024-05-02")], "C", ["jiangjin.C.5"]),
    Case("jiangjin", "[r2] U.2 narrowed: criminal liability alone (C.6)",
         [R("criminal_liability", "2024-05-02")], "C", ["jiangjin.C.6"]),
    Case("jiangjin", "[r2] C.7: a blacklisting in force during the window, nothing else",
         [R("wage_arrears_blacklist", "2023-05-01")], "C", ["jiangjin.C.7"]),
    Case("jiangjin", "[r2] C.7 with an inspection",
         [PATROL, R("wage_arrears_blacklist", "2024-05-01")], "C", ["jiangjin.C.7"]),
    Case("jiangjin", "[r2] C.7 with three cases: both kept",
         [R("violation", "2024-05-01", case_no="J1"), R("violation", "2024-06-01", case_no="J2"),
          R("violation", "2024-07-01", case_no="J3"), R("wage_arrears_blacklist", "2022-05-01")],
         "C", ["jiangjin.C.1", "jiangjin.C.7"]),
    Case("jiangjin", "[r2] an expired blacklisting is neither enforcement nor C.7",
         [R("wage_arrears_blacklist", "2020-12-31")], "", ["jiangjin.U.2"]),
    Case("jiangjin", "[r2] a blacklisting expiring on W.start still counts",
         [R("wage_arrears_blacklist", "2021-01-01")], "C", ["jiangjin.C.7"]),
    Case("jiangjin", "[r2] a blacklisting removed before the window",
         [PATROL, R("wage_arrears_blacklist", "2022-05-01", end_date="2023-12-31")], "A", ["jiangjin.A.1"]),

    # --- xuchang (seed 003) -------------------------------------------------------------------
    Case("xuchang", "U.1: not an HR agency", [R("violation", "2024-05-01")], "", ["xuchang.U.1"]),
    Case("xuchang", "A: none of the above", [], "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "B.1: commitment breached", [R("commitment_breach", "2024-05-01")], "B", ["xuchang.B.1"], kind=HR),
    Case("xuchang", "B.2: dealt with once", [R("violation", "2024-05-01")], "B", ["xuchang.B.2"], kind=HR),
    Case("xuchang", "B.3: reporting failure", [R("reporting_failure", "2024-05-01")], "B", ["xuchang.B.3"], kind=HR),
    Case("xuchang", "B.4: false materials", [R("false_materials", "2024-05-01")], "B", ["xuchang.B.4"], kind=HR),
    Case("xuchang", "B.5: establishment conditions unmet",
         [R("establishment_unmet", "2024-05-01")], "B", ["xuchang.B.5"], kind=HR),
    Case("xuchang", "B.6: penalty on the enterprise credit system",
         [R("enterprise_credit_penalty", "2024-05-01")], "B", ["xuchang.B.6"], kind=HR),
    Case("xuchang", "C.1: 2 cases (两次以上 includes two)",
         [R("violation", "2024-05-01", case_no="H1"), R("violation", "2024-06-01", case_no="H2")],
         "C", ["xuchang.C.1"], kind=HR),
    Case("xuchang", "C.2: a serious violation",
         [R("violation", "2024-05-01", severity="serious")], "C", ["xuchang.C.2"], kind=HR),
    Case("xuchang", "C.3: refused to rectify",
         [R("violation", "2023-05-01", rectification="not_rectified")], "C", ["xuchang.C.3"], kind=HR),
    Case("xuchang", "C.4: lost contact exactly one year before as_of",
         [R("lost_contact", "2023-12-31")], "C", ["xuchang.C.4"], kind=HR),
    Case("xuchang", "lost contact one day short of a year",
         [R("lost_contact", "2024-01-01")], "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "lost contact restored on as_of",
         [R("lost_contact", "2022-01-01", end_date="2024-12-31")], "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "lost contact restored only after as_of",
         [R("lost_contact", "2022-01-01", end_date="2025-01-01")], "C", ["xuchang.C.4"], kind=HR),
    Case("xuchang", "C.5: three consecutive report years missing",
         [R("annual_report_missing", "2022-07-01", value="2021"),
          R("annual_report_missing", "2023-07-01", value="2022"),
          R("annual_report_missing", "2024-07-01", value="2023")], "C", ["xuchang.C.5"], kind=HR),
    Case("xuchang", "two consecutive years are not C.5 ([r2]: the one in the window is B.3)",
         [R("annual_report_missing", "2023-07-01", value="2022"),
          R("annual_report_missing", "2024-07-01", value="2023")], "B", ["xuchang.B.3"], kind=HR),
    Case("xuchang", "three years with a gap are not consecutive ([r2]: B.3)",
         [R("annual_report_missing", "2021-07-01", value="2020"),
          R("annual_report_missing", "2022-07-01", value="2021"),
          R("annual_report_missing", "2024-07-01", value="2023")], "B", ["xuchang.B.3"], kind=HR),
    Case("xuchang", "a run of three that ended long ago",
         [R("annual_report_missing", "2019-07-01", value="2018"),
          R("annual_report_missing", "2020-07-01", value="2019"),
          R("annual_report_missing", "2021-07-01", value="2020")], "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "C.6: listed as abnormal", [R("business_abnormal_list", "2023-03-01")], "C", ["xuchang.C.6"], kind=HR),
    Case("xuchang", "D.1: a major violation", [R("violation", "2024-05-01", severity="major")], "D", ["xuchang.D.1"], kind=HR),
    Case("xuchang", "D.2: fund fraud", [R("fund_fraud", "2024-05-01")], "D", ["xuchang.D.2"], kind=HR),
    Case("xuchang", "D.3: licence revoked", [R("license_revoked", "2024-05-01")], "D", ["xuchang.D.3"], kind=HR),
    Case("xuchang", "D.4: latest public credit rating D",
         [R("public_credit_rating", "2023-01-01", value="A"), R("public_credit_rating", "2024-03-01", value="D")],
         "D", ["xuchang.D.4"], kind=HR),
    Case("xuchang", "a later rating replaces an earlier D",
         [R("public_credit_rating", "2023-01-01", value="D"), R("public_credit_rating", "2024-03-01", value="B")],
         "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "a D rating after as_of does not count yet",
         [R("public_credit_rating", "2025-01-02", value="D")], "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "D.5: serious dishonesty list", [R("serious_dishonesty_list", "2024-05-01")], "D", ["xuchang.D.5"], kind=HR),
    Case("xuchang", "[r2] U.1: a job agency (职业介绍机构) is graded", [], "A", ["xuchang.A.1"], kind="job_agency"),
    Case("xuchang", "[r2] a job agency dealt with once",
         [R("violation", "2024-05-01")], "B", ["xuchang.B.2"], kind="job_agency"),
    Case("xuchang", "[r2] U.1: labour dispatch is not covered",
         [R("violation", "2024-05-01")], "", ["xuchang.U.1"], kind="labor_dispatch"),
    Case("xuchang", "[r2] B.3: an annual report missing in the window",
         [R("annual_report_missing", "2024-06-01", value="2023")], "B", ["xuchang.B.3"], kind=HR),
    Case("xuchang", "[r2] B.3: both kinds, one rule",
         [R("annual_report_missing", "2024-06-01", value="2023"), R("reporting_failure", "2024-07-01")],
         "B", ["xuchang.B.3"], kind=HR),
    Case("xuchang", "[r2] a missing report recorded before the window is not B.3",
         [R("annual_report_missing", "2023-12-31", value="2022")], "A", ["xuchang.A.1"], kind=HR),
    Case("xuchang", "[r2] C.4: lost since 29 February, C from 28 February a year later",
         [R("lost_contact", "2024-02-29")], "C", ["xuchang.C.4"], kind=HR, cycle=None, as_of="2025-02-28"),
    Case("xuchang", "[r2] C.4: the day before, not yet",
         [R("lost_contact", "2024-02-29")], "A", ["xuchang.A.1"], kind=HR, cycle=None, as_of="2025-02-27"),
    Case("xuchang", "[r2] C.4 with C.5 and B.3: every C rule kept",
         [R("lost_contact", "2022-01-01"),
          R("annual_report_missing", "2022-07-01", value="2021"),
          R("annual_report_missing", "2023-07-01", value="2022"),
          R("annual_report_missing", "2024-07-01", value="2023")], "C", ["xuchang.C.4", "xuchang.C.5"], kind=HR),
]
# fmt: on


def span_of(case: Case) -> Span:
    if case.cycle is not None:
        return Span.for_cycle(case.cycle)
    return Span.for_as_of(dt.date.fromisoformat(case.as_of))


def grade_case(case: Case):
    employer = EmployerFactory(
        jurisdiction=jurisdiction(JURISDICTION[case.ruleset]), kind=case.kind
    )
    for r in case.records:
        record = add(employer, r.kind, r.date, **r.fields)
        if r.void:
            void(record)
        if r.corrected:
            correct(record, **r.corrected)
    span = span_of(case)
    rows = evaluate(span, EmployerSelection(employer_ids=(employer.pk,)), Assignments(span.as_of))
    return {row.ruleset.code: row.result for row in rows}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[f"{c.ruleset}: {c.name}" for c in CASES])
def test_grade_from_records(case):
    results = grade_case(case)
    assert set(results) == {case.ruleset}
    result = results[case.ruleset]
    assert (result.grade, list(result.rules)) == (case.grade, case.rules)


def test_every_rule_code_is_exercised_by_the_table():
    all_codes = {rule.code for rs in rulesets.all_rulesets() for rule in rs.rules}
    exercised = {code for case in CASES for code in case.rules}
    assert all_codes - exercised == set()
    assert exercised - all_codes == set()


def test_every_rule_code_fires_on_its_own_somewhere():
    alone = {case.rules[0] for case in CASES if len(case.rules) == 1}
    all_codes = {rule.code for rs in rulesets.all_rulesets() for rule in rs.rules}
    assert all_codes - alone == set()
