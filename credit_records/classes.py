"""The information class of a record (seed 004 第五、六条; SPEC §3).

基础信息 / 良好(增信)信息 / 失信信息—一般 / 失信信息—严重. The class decides what is pushed to the
shared credit platform as dishonesty information and which repair rules apply (SPEC §7).

**Interpretation** (SPEC §3 [decision]): seed 004 第五条 lists what is 失信信息 and says 严重 must
rest on law or central policy. Serious: the wage-arrears blacklist (人社部令第45号), the serious
dishonesty list, fund fraud, criminal liability, major violations, and revocation of the HR
service licence (the gravest administrative penalty, graded D by seed 003 beside fund fraud).
Not dishonesty (第五条(二) 但书): penalties by simplified procedure and minor violations that
were rectified. A record's class is a property of its content, not of today's date.
"""

from .choices import EntryType, InfoClass, Procedure, RecordKind, Rectification, Severity

K = RecordKind

SERIOUS_KINDS = {
    K.WAGE_ARREARS_BLACKLIST,
    K.SERIOUS_DISHONESTY_LIST,
    K.FUND_FRAUD,
    K.CRIMINAL_LIABILITY,
    K.LICENSE_REVOKED,
}
# 第五条(三) false materials, (四) broken commitments, (五) other dishonesty in law:
# obstruction of inspection (劳动保障监察条例 第三十条), judgment debtors who defy a court.
GENERAL_KINDS = {
    K.FALSE_MATERIALS,
    K.COMMITMENT_BREACH,
    K.OBSTRUCTION,
    K.DISHONEST_JUDGMENT_DEBTOR,
}
# 第六条: commendations and harmonious-labour-relations designations.
GOOD_KINDS = {K.HARMONIOUS_ENTERPRISE, K.COMMENDATION}


def info_class(record) -> InfoClass:
    """The class of any object with the record fields (a CreditRecord, a form's cleaned data
    wrapped in a SimpleNamespace…). A void entry is 基础信息: it cancels, it asserts nothing."""
    if getattr(record, "entry_type", EntryType.ORIGINAL) == EntryType.VOID:
        return InfoClass.BASIC
    kind = record.kind
    if kind in SERIOUS_KINDS:
        return InfoClass.DISHONEST_SERIOUS
    if kind == K.VIOLATION:
        if record.severity == Severity.MAJOR:
            return InfoClass.DISHONEST_SERIOUS
        if record.severity == Severity.MINOR and record.rectification == Rectification.RECTIFIED:
            return InfoClass.BASIC  # 第五条(二): 违法行为轻微 and corrected
        return InfoClass.DISHONEST_GENERAL
    if kind == K.ADMINISTRATIVE_PENALTY:
        if record.procedure == Procedure.SIMPLIFIED:
            return InfoClass.BASIC  # 第五条(二): only 一般程序 penalties are dishonesty
        return InfoClass.DISHONEST_GENERAL
    if kind == K.ADMINISTRATIVE_DECISION:
        # Interpretation: the violation record carries the dishonesty; the order to correct is
        # dishonesty of its own only when the employer refuses to perform it.
        return InfoClass.DISHONEST_GENERAL if record.performance == "refused" else InfoClass.BASIC
    if kind in GENERAL_KINDS:
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
