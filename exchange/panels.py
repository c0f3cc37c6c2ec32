"""Where exchange shows itself on other apps' pages (registered in ``ExchangeConfig.ready``):

- the cycle page (``publication.hooks``): the consultation of the sister units — who answered,
  their objections, what holds the notice — for the publisher and the reviewing inspector, and for
  the publisher the distribution files of a published cycle;
- the employer page (``employers.panels``): for the employer's own user, its grade certificates;
  for the staff of the jurisdiction, the sister units' opinions on the employer in a cycle still
  under review;
- the public list page: the open-data files of the list;
- the menu group 数据交换 and the consultee's queue on the workbench.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.choices import Role
from grading.choices import CycleStatus

from . import selectors, services
from .choices import ReplyStatus
from .models import Consultation, ConsultationObjection, DistributionFile

# Default reply period offered to the publisher (working days); the publisher may change it.
DEFAULT_REPLY_WORKDAYS = 5


def default_reply_by(today: dt.date) -> dt.date:
    from objections.calendar import CalendarNotLoaded, add_workdays

    try:
        return add_workdays(today, DEFAULT_REPLY_WORKDAYS)
    except CalendarNotLoaded:
        return today + dt.timedelta(days=7)


def cycle_panel(request, cycle):
    from publication.services import in_scope

    user = request.user
    is_publisher = user.has_role(Role.PUBLISHER) and in_scope(user, cycle)
    consultation = Consultation.objects.filter(cycle=cycle).select_related("sent_by").first()
    units = list(selectors.units_for(cycle)) if consultation is None else []
    context: dict = {"cycle": cycle, "consultation": consultation, "is_publisher": is_publisher}
    if consultation is not None:
        replies = list(consultation.replies.select_related("unit", "answered_by"))
        context["replies"] = replies
        context["answered"] = sum(1 for r in replies if r.status != ReplyStatus.PENDING)
        context["objections"] = ConsultationObjection.objects.filter(
            reply__consultation=consultation, reply__status=ReplyStatus.OBJECTIONS
        ).count()
    elif cycle.status in services.CONSULTABLE and units:
        context["units"] = units
        context["can_send"] = is_publisher
        context["default_reply_by"] = default_reply_by(timezone.localdate())
    if cycle.status in (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW):
        context["blocker"] = services.consultation_blocker(cycle, timezone.localdate())
    if cycle.status == CycleStatus.PUBLISHED and is_publisher:
        job = cycle.distribution_jobs.order_by("-created_at", "-id").first()
        context["distribution_job"] = job
        context["distribution_files"] = (
            DistributionFile.objects.filter(job=job).count() if job else 0
        )
    if consultation is None and "units" not in context and "distribution_job" not in context:
        return None
    return context


def open_data_links(jurisdiction, year) -> list[tuple[str, str]]:
    return [
        (_("开放数据 CSV"), reverse("exchange:open_data_csv", args=[jurisdiction.code, year])),
        (_("开放数据 JSON"), reverse("exchange:open_data_json", args=[jurisdiction.code, year])),
        (_("数据字典"), reverse("exchange:open_data_dictionary")),
        (_("等级证明核验"), reverse("exchange:verify")),
    ]


def employer_panel(request, employer):
    user = request.user
    context: dict = {"employer": employer}
    if user.has_role(Role.EMPLOYER) and user.employer_id == employer.pk:
        results = list(selectors.employer_results(employer))
        if results:
            certificates = {}
            for c in employer.certificates.order_by("issued_at", "pk"):
                certificates.setdefault(c.result_id, []).append(c)
            context["results"] = [
                {
                    "result": r,
                    "facts": selectors.grade_facts(r),
                    "certificates": certificates.get(r.pk, []),
                }
                for r in results
            ]
    elif user.is_staff_role and user.is_active and user.jurisdiction_id:
        # The sister units' opinions, for the inspector reviewing the grade (seed 002 四(二)).
        opinions = list(
            ConsultationObjection.objects.filter(
                selectors.subtree_q(
                    user.jurisdiction.path, "reply__consultation__cycle__jurisdiction__path"
                ),
                employer=employer,
                reply__status=ReplyStatus.OBJECTIONS,
                reply__consultation__cycle__status__in=(
                    CycleStatus.COMPUTED,
                    CycleStatus.UNDER_REVIEW,
                    CycleStatus.PUBLIC_NOTICE,
                ),
            )
            .select_related("reply__unit", "reply__consultation__cycle__jurisdiction")
            .order_by("-reply__consultation__cycle__year", "reply__unit__name")
        )
        if opinions:
            context["opinions"] = opinions
    if len(context) == 1:
        return None
    return context


# --- menu and workbench ------------------------------------------------------------------------


def register_menu_and_queues() -> None:
    from employers.context_processors import register_nav_group
    from employers.workbench import WorkItem, register_queue

    staff = {Role.PUBLISHER, Role.INSPECTOR, Role.SUPERVISOR, Role.AUDITOR}
    register_nav_group(
        order=55,
        label=gettext_lazy("数据交换"),
        entries=[
            (gettext_lazy("征求意见"), "exchange:consultations", staff | {Role.CONSULTEE}),
            (gettext_lazy("等级证明"), "exchange:certificates", {Role.EMPLOYER}),
            (gettext_lazy("接口令牌"), "exchange:tokens", {Role.SYSADMIN}),
            (gettext_lazy("接口调用记录"), "exchange:api_calls", {Role.AUDITOR}),
            (gettext_lazy("接口说明"), "exchange:api_docs", {Role.SYSADMIN, Role.PUBLISHER}),
            (gettext_lazy("开放数据"), "exchange:open_data", set(Role)),
        ],
    )

    def to_answer(user):
        return [
            WorkItem(
                title=_("答复征求意见：%(name)s%(year)s年度拟评价结果")
                % {
                    "name": reply.consultation.cycle.jurisdiction.name,
                    "year": reply.consultation.cycle.year,
                },
                url=reverse("exchange:reply", args=[reply.pk]),
                due=reply.consultation.reply_by,
                subject=reply.consultation.cycle.jurisdiction.name,
                note=_("已逾期") if reply.consultation.reply_by < timezone.localdate() else "",
            )
            for reply in selectors.replies_to_answer(user)[:20]
        ]

    register_queue(
        key="exchange.consultations_to_answer",
        label=gettext_lazy("待答复的征求意见"),
        roles={Role.CONSULTEE},
        items=to_answer,
        count=lambda user: selectors.replies_to_answer(user).count(),
        order=50,
        url=lambda user: reverse("exchange:consultations"),
    )
