from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role

# (label, url name, roles that see it); an entry whose URL is not defined yet is left out.
NAV_ITEMS = [
    (
        _("用人单位"),
        "employers:list",
        {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.SYSADMIN},
    ),
    (_("导入用人单位"), "employers:import", {Role.INSPECTOR, Role.SUPERVISOR}),
    (_("本单位信息"), "employers:mine", {Role.EMPLOYER}),
    (_("导入信用记录"), "credit_records:import", {Role.INSPECTOR, Role.SUPERVISOR}),
    (_("审计日志"), "credit_records:audit", {Role.AUDITOR}),
    (
        _("年度评价周期"),
        "publication:cycles",
        {Role.PUBLISHER, Role.SUPERVISOR, Role.INSPECTOR, Role.AUDITOR},
    ),
    (_("平台推送"), "publication:outbox", {Role.PUBLISHER, Role.AUDITOR}),
    (_("公布名单"), "publication:public_index", set(Role)),
    (_("异议处理"), "objections:queue", {Role.INSPECTOR, Role.SUPERVISOR}),
    (_("信用修复"), "objections:repair_queue", {Role.INSPECTOR, Role.SUPERVISOR}),
    (_("我的异议与修复"), "objections:mine", {Role.EMPLOYER}),
    (_("工作日历"), "objections:calendar", {Role.SYSADMIN}),
    (_("等级概览"), "grading:overview", set(Role) - {Role.EMPLOYER, Role.SYSADMIN}),
    (_("评价运行"), "grading:runs", set(Role) - {Role.EMPLOYER, Role.SYSADMIN}),
    (_("人工复核"), "grading:overrides", {Role.INSPECTOR, Role.SUPERVISOR}),
    (_("筛查报告"), "grading:screening", {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER}),
    (_("授牌与典型"), "grading:honours", {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAV_ITEMS:
        if user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
