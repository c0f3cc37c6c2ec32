"""The credit-file panel of the employer page (registered in CreditRecordsConfig.ready)."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from employers.choices import Role
from employers.models import mask_name

from .choices import RecordKind
from .classes import BADGE_CSS
from .kinds import choices_for, label_for
from .selectors import RECORD_READERS, RECORD_WRITERS, credit_file, mask_personal_data

# Fields shown in the timeline besides kind/date/class/source/case (in this order).
DETAIL_FIELDS = (
    "end_date",
    "document_no",
    "severity",
    "category",
    "rectification",
    "incident",
    "performance",
    "procedure",
    "mitigation",
    "level",
    "value",
    "result",
    "department",
)


def entry_view(entry, *, masked: bool, names=()) -> dict:
    """What a page shows of one ledger entry; personal data masked for employer users."""
    details = []
    for field in DETAIL_FIELDS:
        value = getattr(entry, field)
        if value in ("", None) or (field == "incident" and entry.kind != RecordKind.VIOLATION):
            continue
        if field == "incident":
            value = _("是") if value else _("否")
        elif field == "end_date":
            value = date_format(value)
        else:
            choices = choices_for(entry.kind, field)
            if choices is not None and value in choices.values:
                value = choices(value).label
        details.append((label_for(entry.kind, field), value))
    if entry.expires_on is not None:
        # SPEC §4 [r2]: the blacklisting counts through its effective end (removal or expiry).
        details.insert(
            0,
            (
                _("列入期限届满日"),
                _("%(day)s（列入之日起三年，人社部令第45号 第十一条）")
                % {"day": date_format(entry.expires_on)},
            ),
        )
    if entry.repaired_on is not None:
        details.insert(0, (_("信用修复日期"), date_format(entry.repaired_on)))
    recorder = str(entry.created_by) if entry.created_by_id else _("系统")
    info = entry.info_class
    return {
        "entry": entry,
        "details": details,
        "date_label": label_for(entry.kind, "date"),
        "summary": mask_personal_data(entry.summary, names=names) if masked else entry.summary,
        "recorder": mask_name(recorder) if masked and entry.created_by_id else recorder,
        "info_class": info,
        "info_css": BADGE_CSS[info],
        "effective_end": entry.effective_end,
        "reason": mask_personal_data(entry.reason, names=names) if masked else entry.reason,
    }


def history_view(history, *, masked: bool, names=()) -> dict:
    return {
        "history": history,
        "shown": entry_view(history.shown, masked=masked, names=names),
        "entries": [entry_view(e, masked=masked, names=names) for e in history.entries],
    }


def _interview_allowed(employer) -> bool:
    """约谈 of the principal persons of a C or D employer (seed 000 第十七条(三); seed 002 C 级措施),
    by its live grade under any rule set."""
    from grading.selectors import current_grades

    return any(g.grade in ("C", "D") for g in current_grades(employer))


def credit_file_context(request, employer):
    user = request.user
    if not user.has_role(*RECORD_READERS):
        return None
    if user.role == Role.EMPLOYER and user.employer_id != employer.pk:
        return None
    masked = user.role == Role.EMPLOYER
    names = [employer.legal_rep] if masked else []
    histories = [history_view(h, masked=masked, names=names) for h in credit_file(employer)]
    can_write = user.has_role(*RECORD_WRITERS)
    return {
        "employer": employer,
        "histories": histories,
        "effective_count": sum(1 for h in histories if not h["history"].voided),
        "can_write": can_write,
        "show_interview": can_write and _interview_allowed(employer),
        "masked": masked,
    }
