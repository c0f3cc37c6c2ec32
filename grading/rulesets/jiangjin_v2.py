"""重庆市江津区 渝人社发〔2016〕212号 as applied by the notice of 2024-08-02 — version 2
(SPEC §5.3 [r2]).

The same regulation (seed ``002_92263434b012a74d.txt``) and dates as version 1 (``jiangjin.py``);
readings corrected:

- U.2 narrowed (“no supervision” is rarer): an obstructed inspection, a criminal transfer and a
  wage-arrears blacklisting in force during the window are labour-inspection enforcement too;
- C.7 new: the blacklisting itself grades C (seed 002 四（一）, 四（四）3).
"""

import dataclasses

from credit_records.choices import RecordKind

from ..facts import Facts
from . import jiangjin as v1
from .base import keep, rule

RULES: list = []

# Seed 002 四（一）: 主动巡查、专项检查、举报投诉、突发事件、行政处理处罚、劳动保障重大违法行为、
# 拖欠农民工工资联合惩戒对象… — [r2] an obstruction and a criminal transfer are enforcement too.
SUPERVISION_KINDS = (
    *v1.SUPERVISION_KINDS,
    RecordKind.OBSTRUCTION,
    RecordKind.CRIMINAL_LIABILITY,
)

# --- who is graded (seed 002 四（一）) --------------------------------------------------------
keep(RULES, v1.RULESET, "jiangjin.U.1")


@rule(
    RULES,
    "jiangjin.U.2",
    "",
    "四（一）",
    v1.RULESET.rule("jiangjin.U.2").text,
    interpretation=(
        "SPEC §5.3 [r2]: not graded when no record of a violation, decision, penalty, patrol "
        "inspection, written review, complaint, interview, obstruction or criminal liability is "
        "dated in the window and no wage-arrears blacklisting is in force during it (an "
        "obstructed inspection, a criminal transfer and a blacklisting are all enforcement; "
        "seed 002 四（一） lists 拖欠农民工工资联合惩戒对象 among the inputs)."
    ),
)
def no_supervision_in_window(f: Facts) -> bool:
    return not f.in_window(*SUPERVISION_KINDS) and not f.listed(RecordKind.WAGE_ARREARS_BLACKLIST)


# --- A级, B级, C级（一）至（六）: unchanged -------------------------------------------------
for _code in (
    "jiangjin.A.1",
    "jiangjin.B.1",
    "jiangjin.C.1",
    "jiangjin.C.2",
    "jiangjin.C.3",
    "jiangjin.C.4",
    "jiangjin.C.5",
    "jiangjin.C.6",
):
    keep(RULES, v1.RULESET, _code)


@rule(
    RULES,
    "jiangjin.C.7",
    "C",
    "四（一）、四（四）3",
    "被列入拖欠农民工工资联合惩戒对象名单的",
    interpretation=(
        "SPEC §5.3 [r2] [decision]: seed 002 四（一） names 拖欠农民工工资联合惩戒对象 as an "
        "input of the grade, and 四（四）3 treats such 严重失信 as C-grade supervision "
        "(“对存在重大劳动保障违法等严重失信行为的企业…实施联合惩戒”): a blacklisting in force "
        "during the window (until removed, at most three years from its date) grades C."
    ),
)
def listed_on_wage_arrears_blacklist(f: Facts) -> bool:
    return f.listed(RecordKind.WAGE_ARREARS_BLACKLIST)


# SPEC §5.5 [r2]: the law did not change, only its reading: version 1's document, dates,
# grades and measures, with the rules of this version.
RULESET = dataclasses.replace(
    v1.RULESET,
    version="2",
    rules=tuple(RULES),
    supervision_kinds=SUPERVISION_KINDS,
    supervision_lists=(RecordKind.WAGE_ARREARS_BLACKLIST,),
)
