"""What this app plugs into the lower apps (registered in ``apps.SupervisionConfig.ready``): the
employer-page panel, the menu group and the workbench queues."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credit_records.periods import cn_date
from employers.choices import STAFF_ROLES, Role
from employers.workbench import WorkItem

from . import selectors
from .models import PatrolTask

QUEUE_LIMIT = 20
STAFF = set(STAFF_ROLES)
WRITERS = {Role.INSPECTOR, Role.SUPERVISOR}

NAV_LABEL = gettext_lazy("分类监管")
NAV_ENTRIES = [
    (gettext_lazy("巡查计划"), "supervision:plans", STAFF),
    (gettext_lazy("我的巡查任务"), "supervision:my_tasks", {Role.INSPECTOR}),
    (gettext_lazy("登记信息更新"), "supervision:freshness", STAFF),
    (gettext_lazy("诚信承诺书"), "supervision:commitments", STAFF),
    (gettext_lazy("约谈与培训"), "supervision:interviews", STAFF),
]


# --- employer page -------------------------------------------------------------------------------


def employer_panel(request, employer):
    """分类监管 on the employer page: the registry check (staff), the commitment letter (HR
    agencies: staff and the agency itself) and the employer's patrol tasks (staff)."""
    user = request.user
    today = timezone.localdate()
    is_staff = user.role in STAFF_ROLES
    is_owner = user.role == Role.EMPLOYER and user.employer_id == employer.pk
    agency = selectors.is_agency(employer)
    if not is_staff and not (is_owner and agency):
        return None
    context = {
        "employer": employer,
        "is_staff": is_staff,
        "is_owner": is_owner,
        "agency": agency,
        "year": today.year,
        "today": today,
    }
    if agency:
        context["letter"] = selectors.letter_for(employer, today.year)
        context["past_letters"] = list(
            employer.commitment_letters.exclude(year=today.year).order_by("-year")[:5]
        )
    if is_staff:
        context["can_confirm"] = user.has_role(*WRITERS)
        context["last_touched"] = selectors.registry_last_touched(employer)
        context["fresh"] = selectors.is_fresh(employer, today)
        context["tasks"] = list(
            PatrolTask.objects.filter(employer=employer)
            .select_related("plan", "plan__jurisdiction", "inspector_1", "inspector_2", "record")
            .order_by("-plan__period_from")[:10]
        )
        for task in context["tasks"]:
            task.state = selectors.task_state(task, today)
            task.can_close = task.state != "done" and user.pk in task.inspector_ids()
    return context


# --- workbench queues ----------------------------------------------------------------------------


def _open_tasks(user):
    return selectors.my_tasks(user).filter(record__isnull=True)


def my_task_items(user):
    today = timezone.localdate()
    items = []
    for task in _open_tasks(user)[:QUEUE_LIMIT]:
        items.append(
            WorkItem(
                title=_("日常巡查（双随机）：%(name)s") % {"name": task.employer.name},
                url=reverse("supervision:task_close", args=[task.pk]),
                due=task.due_on,
                subject=task.employer.name,
                note=_("已逾期") if task.due_on < today else "",
            )
        )
    return items


def my_task_count(user) -> int:
    return _open_tasks(user).count()


def unsigned_items(user):
    year = timezone.localdate().year
    items = []
    for employer in selectors.unsigned_agencies(user, year)[:QUEUE_LIMIT]:
        note = ""
        if employer.last_reminded:
            note = _("已提醒 %(n)d 次，最近 %(date)s") % {
                "n": employer.reminders,
                "date": cn_date(employer.last_reminded),
            }
        items.append(
            WorkItem(
                title=_("提醒签署诚信承诺书：%(name)s") % {"name": employer.name},
                url=reverse("supervision:commitments") + f"?year={year}",
                subject=employer.name,
                note=note,
            )
        )
    return items


def unsigned_count(user) -> int:
    return selectors.unsigned_agencies(user, timezone.localdate().year).count()


def _interviews(user):
    jurisdiction = selectors.default_jurisdiction(user)
    if jurisdiction is None:
        return None
    return selectors.interview_list(user, jurisdiction)


def interview_items(user):
    rows = _interviews(user)
    if rows is None:
        return []
    add = "credit_records:add"
    return [
        WorkItem(
            title=_("约谈主要负责人：%(name)s（%(grade)s级）")
            % {"name": g.employer.name, "grade": g.final_grade},
            url=reverse(add, args=[g.employer_id]) + "?kind=interview",
            subject=g.employer.name,
        )
        for g in rows[:QUEUE_LIMIT]
    ]


def interview_count(user) -> int:
    rows = _interviews(user)
    return 0 if rows is None else rows.count()


def sign_items(user):
    employer = getattr(user, "employer", None)
    if employer is None or not selectors.is_agency(employer):
        return []
    year = timezone.localdate().year
    if selectors.letter_for(employer, year) is not None:
        return []
    return [
        WorkItem(
            title=_("签署%(year)s年度人力资源服务机构诚信承诺书") % {"year": year},
            url=reverse("supervision:commitment_sign"),
            subject=employer.name,
        )
    ]


def register_all() -> None:
    from employers.context_processors import register_nav_group
    from employers.panels import register_panel
    from employers.workbench import register_queue

    register_panel(order=50, template="supervision/_employer_panel.html", context=employer_panel)
    register_nav_group(order=35, label=NAV_LABEL, entries=NAV_ENTRIES)
    register_queue(
        key="supervision.my_patrol_tasks",
        label=gettext_lazy("我的巡查任务"),
        roles={Role.INSPECTOR},
        items=my_task_items,
        count=my_task_count,
        order=20,
        url=lambda user: reverse("supervision:my_tasks"),
    )
    register_queue(
        key="supervision.commitments_unsigned",
        label=gettext_lazy("未签署诚信承诺书的人力资源服务机构"),
        roles=WRITERS,
        items=unsigned_items,
        count=unsigned_count,
        order=60,
        url=lambda user: reverse("supervision:commitments"),
    )
    register_queue(
        key="supervision.interviews_due",
        label=gettext_lazy("待约谈的C、D级用人单位"),
        roles=WRITERS,
        items=interview_items,
        count=interview_count,
        order=61,
        url=lambda user: reverse("supervision:interviews"),
    )
    register_queue(
        key="supervision.sign_commitment",
        label=gettext_lazy("待签署的诚信承诺书"),
        roles={Role.EMPLOYER},
        items=sign_items,
        order=20,
        url=lambda user: reverse("supervision:commitment_sign"),
    )
