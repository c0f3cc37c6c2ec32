"""郏县《用人单位劳动保障守法信用分级分类监管办法（试行）》— version 2 (SPEC §5.1 [r2]).

The same regulation (seed ``000_07c09dfd8a427630.txt``) and the same dates as version 1
(``jiaxian.py``); only its reading is corrected, so version 2 grades every run from SPEC revision 2
on and version 1 stays to explain the grades it made (SPEC §5.5 [r2]). Changes:

- 第十一条 C.1 widened: obstruction of an inspection or criminal liability found in the year is a
  violation found in the year as well;
- 第十条/第十一条 C.2 new: a violation still not corrected keeps the employer at C;
- 第十条 B.1 redefined: B only when none of the C and D situations holds (not merely “no case”);
- 第九条 A.1 also barred by obstruction or criminal liability in the last 60 months;
- 第十二条（二） D.2 reads the blacklist's three-year expiry (the facts carry it, SPEC §4 [r2]).
"""

import dataclasses

from credit_records.choices import RecordKind, Rectification

from ..facts import Facts
from . import jiaxian as v1
from .base import keep, rule

RULES: list = []


def _c_or_d(f: Facts) -> bool:
    """Whether a C or D situation of 第十一条、第十二条 holds (C.1, C.2, D.1, D.2)."""
    return (
        article_11_found_in_window(f)
        or violation_not_corrected(f)
        or administrative_penalty(f)
        or listed_on_wage_arrears_blacklist(f)
    )


# 第九条 用人单位同时具备以下条件，并被确定为县级劳动关系和谐企业且未被撤销的，评价为A级（优秀）：
# （一）依法保障职工权益，近60个月无劳动保障违法违规行为或劳动人事争议仲裁败诉案件；
# （二）严格执行劳动合同办法，注重人文关怀，企业凝聚力较强。
@rule(
    RULES,
    "jiaxian.A.1",
    "A",
    "第九条",
    v1.RULESET.rule("jiaxian.A.1").text,
    interpretation=(
        "SPEC §5.1 [r2] [decision]: none of C.1, C.2, D.1, D.2 holds; a harmonious-enterprise "
        "designation (county level or higher) is in force at as_of and attests 第九条（二）; and "
        "“近60个月无劳动保障违法违规行为或仲裁败诉” = in L60 no case, no arbitration loss, no "
        "obstruction of an inspection, no criminal liability and no wage-arrears blacklisting "
        "(a listing counts until removed or three years after its date)."
    ),
)
def meets_article_9(f: Facts) -> bool:
    return (
        not _c_or_d(f)
        and f.harmonious_in_force
        and f.cases_in_l60 == 0
        and not f.in_l60(
            RecordKind.ARBITRATION_LOSS, RecordKind.OBSTRUCTION, RecordKind.CRIMINAL_LIABILITY
        )
        and not f.listed_l60(RecordKind.WAGE_ARREARS_BLACKLIST)
    )


# 第十条 用人单位在近一年内未被发现有违反人社法律法规行为的，评价为B级（良好）。
@rule(
    RULES,
    "jiaxian.B.1",
    "B",
    "第十条",
    v1.RULESET.rule("jiaxian.B.1").text,
    interpretation=(
        "SPEC §5.1 [r2] [decision]: “未被发现有违反人社法律法规行为” = none of C.1, C.2, D.1, "
        "D.2 holds (an outstanding penalty, a blacklisting or an uncorrected violation is a "
        "violation found, whatever its date); an employer that meets 第九条 is A, not B."
    ),
)
def no_violation_found(f: Facts) -> bool:
    return not _c_or_d(f) and not meets_article_9(f)


# 第十一条 用人单位在近一年内因违反人社法律法规行为被查处，但能及时纠正，未受到行政处罚的，
# 评价为C级（一般）。
@rule(
    RULES,
    "jiaxian.C.1",
    "C",
    "第十一条",
    v1.RULESET.rule("jiaxian.C.1").text,
    interpretation=(
        "SPEC §5.1 [r2] [decision]: a case in the window, or an obstruction of an inspection "
        "(劳动保障监察条例 第三十条) or a criminal liability dated in the window: both are "
        "违反人社法律法规行为 found in the year, so 第十条 cannot hold."
    ),
)
def article_11_found_in_window(f: Facts) -> bool:
    return f.cases_in_window >= 1 or f.in_window(
        RecordKind.OBSTRUCTION, RecordKind.CRIMINAL_LIABILITY
    )


@rule(
    RULES,
    "jiaxian.C.2",
    "C",
    "第十条、第十一条",
    "因违反人社法律法规行为被查处，责令改正后逾期未整改的",
    interpretation=(
        "SPEC §5.1 [r2] [decision]: a violation of any date on or before as_of still not "
        "rectified is still “found” in the year (第十条 cannot hold), and 第十一条 grants C only "
        "to one that 能及时纠正: the employer stays at C until it corrects."
    ),
)
def violation_not_corrected(f: Facts) -> bool:
    return f.is_outstanding(RecordKind.VIOLATION, Rectification.NOT_RECTIFIED)


# 第十二条 用人单位在近一年内存在以下情形之一的，评价为D级（较差）：
# （一）因违反人社法律法规受到行政处罚的；
administrative_penalty = keep(RULES, v1.RULESET, "jiaxian.D.1").predicate


# （二）被列入拖欠农民工工资“黑名单”的。
@rule(
    RULES,
    "jiaxian.D.2",
    "D",
    "第十二条第（二）项",
    v1.RULESET.rule("jiaxian.D.2").text,
    interpretation=(
        "A listing overlapping the window counts, even one decided before it (SPEC §5.6); "
        "[r2] it lasts until its removal or three years after its date, whichever is earlier "
        "(人社部令第45号 第十一条; SPEC §4): listed 2021-08-01 without removal, it no longer "
        "counts in 2025."
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
)
