from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Role

STAFF = {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR}
WRITERS = {Role.INSPECTOR, Role.SUPERVISOR}

# Menu groups: (group label, [(label, url name, roles that see it)]). An entry whose URL is not
# defined is left out; a group with a single visible entry shows as a plain link.
NAV_GROUPS = [
    (
        pgettext_lazy("plural", "用人单位"),
        [
            (
                pgettext_lazy("plural", "用人单位"),
                "employers:list",
                {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.SYSADMIN},
            ),
            (_("导入用人单位"), "employers:import", WRITERS),
            (_("导入信用记录"), "credit_records:import", WRITERS),
            (_("本单位信息"), "employers:mine", {Role.EMPLOYER}),
        ],
    ),
    (
        _("等级评价"),
        [
            (_("等级概览"), "grading:overview", STAFF),
            (_("评价运行"), "grading:runs", STAFF),
            (_("人工复核"), "grading:overrides", WRITERS),
            (_("筛查报告"), "grading:screening", WRITERS | {Role.PUBLISHER}),
            (_("授牌与典型"), "grading:honours", WRITERS | {Role.PUBLISHER}),
        ],
    ),
    (
        _("异议与修复"),
        [
            (_("异议处理"), "objections:queue", WRITERS),
            (_("信用修复"), "objections:repair_queue", WRITERS),
            (_("我的异议与修复"), "objections:mine", {Role.EMPLOYER}),
        ],
    ),
    (
        _("公示与发布"),
        [
            (_("年度评价周期"), "publication:cycles", STAFF),
            (_("平台推送"), "publication:outbox", {Role.PUBLISHER, Role.AUDITOR}),
            (_("公布名单"), "publication:public_index", set(Role)),
        ],
    ),
    (
        _("系统管理"),
        [
            (_("审计日志"), "credit_records:audit", {Role.AUDITOR}),
            (_("账号管理"), "accounts:users", {Role.SYSADMIN}),
            (_("账号审批"), "accounts:requests", {Role.SUPERVISOR, Role.AUDITOR}),
            (_("工作日历"), "objections:calendar", {Role.SYSADMIN}),
            (_("用户与辖区"), "admin:index", {Role.SYSADMIN}),
        ],
    ),
]


_EXTRA_GROUPS: list[tuple[int, object, list]] = []


def register_nav_group(*, order: int, label, entries: list) -> None:
    """A menu group contributed by another app (in its AppConfig.ready()), placed among the
    groups above by ``order`` (the built-in groups are 10, 20, 30, … in the order listed);
    ``entries`` as in NAV_GROUPS: (label, url name, roles)."""
    if any(existing_label == label for _, existing_label, _ in _EXTRA_GROUPS):
        return
    _EXTRA_GROUPS.append((order, label, entries))


def _groups():
    ordered = [((i + 1) * 10, label, entries) for i, (label, entries) in enumerate(NAV_GROUPS)]
    ordered += _EXTRA_GROUPS
    return [(label, entries) for _, label, entries in sorted(ordered, key=lambda g: g[0])]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": []}
    groups = []
    for group_label, entries in _groups():
        items = []
        for label, name, roles in entries:
            if user.role not in roles:
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
        if items:
            groups.append(
                {"label": group_label, "items": items, "active": any(i["active"] for i in items)}
            )
    return {"nav_groups": groups}
