"""天津市西青区 西青人社发〔2018〕25号 — version 2 (SPEC §5.2 [r2]).

The same notice (seed ``001_dd21bc9efb295875.txt``) and dates as version 1 (``xiqing.py``); one
reading corrected: C.3 “被劳动监察机构行政处理，未履行完毕” covers an administrative penalty not
performed as well as an administrative decision. Every other clause is carried over unchanged.
"""

import dataclasses

from credit_records.choices import Performance, RecordKind

from ..facts import Facts
from . import xiqing as v1
from .base import keep, rule

RULES: list = []
ARTICLE = v1.ARTICLE

# 三（一）: A, then B, then the C situations in the notice's order.
keep(RULES, v1.RULESET, "xiqing.A.1")
keep(RULES, v1.RULESET, "xiqing.B.1")
keep(RULES, v1.RULESET, "xiqing.C.1")
keep(RULES, v1.RULESET, "xiqing.C.2")


@rule(
    RULES,
    "xiqing.C.3",
    "C",
    ARTICLE,
    v1.RULESET.rule("xiqing.C.3").text,
    interpretation=(
        "SPEC §5.2 [r2] [decision]: an administrative decision or an administrative penalty "
        "of any date still pending or refused as of as_of — a penalty not performed is "
        "“处理未履行完毕” as well."
    ),
)
def handling_not_performed(f: Facts) -> bool:
    return f.is_outstanding(
        RecordKind.ADMINISTRATIVE_DECISION, Performance.PENDING, Performance.REFUSED
    ) or f.is_outstanding(
        RecordKind.ADMINISTRATIVE_PENALTY, Performance.PENDING, Performance.REFUSED
    )


keep(RULES, v1.RULESET, "xiqing.C.4")
keep(RULES, v1.RULESET, "xiqing.C.5")
keep(RULES, v1.RULESET, "xiqing.C.6")
keep(RULES, v1.RULESET, "xiqing.C.7")

# SPEC §5.5 [r2]: the law did not change, only its reading: version 1's document, dates,
# grades and measures, with the rules of this version.
RULESET = dataclasses.replace(
    v1.RULESET,
    version="2",
    rules=tuple(RULES),
)
