"""The employer page's section listing this employer's objections and repair applications."""

from django.utils import timezone
from django.utils.translation import gettext as _

from employers.choices import Role

from . import selectors, services


def employer_panel(request, employer):
    user = request.user
    objections = selectors.visible_objections(user).filter(employer=employer)
    repairs = selectors.visible_repairs(user).filter(employer=employer)
    cases = []
    for case in list(objections[:20]) + list(repairs[:20]):
        case.url = services.case_url(case)
        case.type_label = case.get_kind_display() if hasattr(case, "kind") else _("信用修复申请")
        cases.append(case)
    can_file = user.role == Role.EMPLOYER and user.employer_id == employer.pk
    if not cases and not can_file and user.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        return None
    cases.sort(key=lambda c: c.created_at, reverse=True)
    return {"cases": cases, "can_file": can_file, "today": timezone.localdate()}
