"""The information class of a record (seed 004 第五、六条; SPEC §3 [r2]).

基础信息 / 良好(增信)信息 / 失信信息—一般 / 失信信息—严重. The class decides what is pushed to the
shared credit platform as dishonesty information and which repair rules apply (SPEC §7). It is
not a grading input (SPEC §5.5). A record's class is a property of its content, not of today's
date.

**Interpretation** (SPEC §3 [r2] [decision]), read as seed 004 第五条 lists it:

- 失信—严重: 第五条 ends “严重失信行为的认定，应当以法律、法规或者党中央、国务院政策文件为依据”, so only
  kinds resting on such a basis: the wage-arrears blacklist (第五条（一）, 人社部令第45号), the serious
  dishonesty list, fraud of social-insurance and employment funds, criminal liability, and a
  *major* violation (重大劳动保障违法行为, published under 人社部令第29号).
- 失信—一般: a penalty decided by general procedure (第五条（二）) **unless** the violation was minor
  **or** its harm was actively removed or reduced (the 但书 says “或者”, and it belongs to
  penalties); the revocation of an HR service licence (a penalty by general procedure); false
  materials (第五条（三）); a broken commitment (第五条（四）); obstruction of an inspection
  (第五条（五）“法律、法规…规定的其他”: 劳动保障监察条例 第三十条).
- 良好(增信): commendations and harmonious-enterprise designations (第六条).
- 基础: everything else. In particular a violation that is not major and an administrative
  decision: seed 004 does not list a finding or an order to correct as 失信信息 — the penalty that
  may follow carries it; and ``dishonest_judgment_debtor``, a court's list that the bureau shows
  but never pushes and never repairs (第九条（二） names it only as a ground of 联合惩戒).
"""

from .choices import (
    EntryType,
    InfoClass,
    Mitigation,
    Procedure,
    RecordKind,
    Rectification,
    Severity,
)

K = RecordKind

# 第五条（一） and kinds whose gravity rests on law or central policy.
SERIOUS_KINDS = frozenset(
    {
        K.WAGE_ARREARS_BLACKLIST,
        K.SERIOUS_DISHONESTY_LIST,
        K.FUND_FRAUD,
        K.CRIMINAL_LIABILITY,
    }
)
# 第五条（二） (licence revocation is a general-procedure penalty), （三）, （四）, （五）.
GENERAL_KINDS = frozenset(
    {
        K.LICENSE_REVOKED,
        K.FALSE_MATERIALS,
        K.COMMITMENT_BREACH,
        K.OBSTRUCTION,
    }
)
# 第六条: commendations and harmonious-labour-relations designations.
GOOD_KINDS = frozenset({K.HARMONIOUS_ENTERPRISE, K.COMMENDATION})
# 第五条（二）但书: “违法行为轻微或者主动消除、减轻违法行为危害后果的除外”.
MITIGATIONS = frozenset({Mitigation.MINOR, Mitigation.REMEDIED})
# Kinds that can ever be dishonesty information (the nightly end of publicity looks at these).
DISHONESTY_KINDS = SERIOUS_KINDS | GENERAL_KINDS | {K.VIOLATION, K.ADMINISTRATIVE_PENALTY}
DISHONEST = frozenset({InfoClass.DISHONEST_GENERAL, InfoClass.DISHONEST_SERIOUS})


def info_class(record) -> InfoClass:
    """The class of any object with the record fields (a CreditRecord, a form's cleaned data
    wrapped in a SimpleNamespace…). A void entry is 基础信息: it cancels, it asserts nothing."""
    if getattr(record, "entry_type", EntryType.ORIGINAL) == EntryType.VOID:
        return InfoClass.BASIC
    kind = record.kind
    if kind in SERIOUS_KINDS:
        return InfoClass.DISHONEST_SERIOUS
    if kind == K.VIOLATION:
        # 重大劳动保障违法行为 only; a finding of a lesser violation is basic information.
        if record.severity == Severity.MAJOR:
            return InfoClass.DISHONEST_SERIOUS
        return InfoClass.BASIC
    if kind == K.ADMINISTRATIVE_PENALTY:
        if record.procedure != Procedure.GENERAL:
            return InfoClass.BASIC  # 第五条（二）: only 一般程序 penalties are dishonesty
        if getattr(record, "mitigation", "") in MITIGATIONS:
            return InfoClass.BASIC  # 第五条（二）但书
        return InfoClass.DISHONEST_GENERAL
    if kind in GENERAL_KINDS:
        return InfoClass.DISHONEST_GENERAL
    if kind in GOOD_KINDS:
        return InfoClass.GOOD
    return InfoClass.BASIC


def is_dishonest(record) -> bool:
    """Whether the record is pushed to the platform as dishonesty information (SPEC §3 [r2])."""
    return info_class(record) in DISHONEST


def info_class_r1(record) -> InfoClass:
    """The reading of SPEC revision 1, superseded by ``info_class``. Kept only to find the
    records whose class the new reading changes, so their corrected class is pushed to the
    platform once (``publication.dishonesty.push_class_corrections``). Never used to classify."""
    if getattr(record, "entry_type", EntryType.ORIGINAL) == EntryType.VOID:
        return InfoClass.BASIC
    kind = record.kind
    if kind in SERIOUS_KINDS or kind == K.LICENSE_REVOKED:
        return InfoClass.DISHONEST_SERIOUS
    if kind == K.VIOLATION:
        if record.severity == Severity.MAJOR:
            return InfoClass.DISHONEST_SERIOUS
        if record.severity == Severity.MINOR and record.rectification == Rectification.RECTIFIED:
            return InfoClass.BASIC
        return InfoClass.DISHONEST_GENERAL
    if kind == K.ADMINISTRATIVE_PENALTY:
        if record.procedure == Procedure.SIMPLIFIED:
            return InfoClass.BASIC
        return InfoClass.DISHONEST_GENERAL
    if kind == K.ADMINISTRATIVE_DECISION:
        return InfoClass.DISHONEST_GENERAL if record.performance == "refused" else InfoClass.BASIC
    if kind in (K.FALSE_MATERIALS, K.COMMITMENT_BREACH, K.OBSTRUCTION, K.DISHONEST_JUDGMENT_DEBTOR):
        return InfoClass.DISHONEST_GENERAL
    if kind in GOOD_KINDS:
        return InfoClass.GOOD
    return InfoClass.BASIC


BADGE_CSS = {
    InfoClass.BASIC: "text-bg-secondary",
    InfoClass.GOOD: "text-bg-success",
    InfoClass.DISHONEST_GENERAL: "text-bg-warning",
    InfoClass.DISHONEST_SERIOUS: "text-bg-danger",
}
