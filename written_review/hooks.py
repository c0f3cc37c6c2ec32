"""What the written review plugs into the rest of the site: its menu group, its workbench
queues (employers.workbench) and its reaction to a newly loaded calendar year."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.choices import Role

from .choices import AWAITING_DECLARATION, ReviewStatus
from .choices import RectificationStatus as R

STAFF = {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR}
WRITERS = {Role.INSPECTOR, Role.SUPERVISOR}

NAV_ENTRIES = [
    (gettext_lazy("审查计划"), "written_review:plans", STAFF),
    (gettext_lazy("审查工作台"), "written_review:queue", WRITERS),
    (gettext_lazy("逾期清单"), "written_review:overdue", STAFF),
    (gettext_lazy("本单位书面审查"), "written_review:mine", {Role.EMPLOYER}),
]

LIMIT = 10


def _item(review, title, *, due=None, note=""):
    from employers.workbench import WorkItem

    return WorkItem(
        title=title,
        url=reverse("written_review:review", args=[review.pk]),
        due=due,
        subject=review.employer.name,
        note=note,
    )


def _to_review(user):
    from . import selectors

    return selectors.visible_reviews(user).filter(status="submitted").order_by("submitted_on", "pk")


def _to_approve(user):
    from . import selectors

    return (
        selectors.visible_reviews(user)
        .filter(status="proposed")
        .exclude(proposed_by=user)
        .order_by("proposed_at", "pk")
    )


def _overdue(user):
    from . import selectors

    return selectors.overdue_declarations(selectors.visible_reviews(user), timezone.localdate())


def _declare(user):
    from . import selectors

    return selectors.visible_reviews(user).filter(status__in=AWAITING_DECLARATION)


def _rectify(user):
    from . import selectors

    return selectors.visible_problems(user).filter(
        review__status=ReviewStatus.APPROVED,
        rectification__in=(R.PENDING, R.REJECTED, R.OVERDUE),
    )


def register_queues():
    from employers.workbench import WorkItem, register_queue

    from . import selectors

    register_queue(
        key="written_review.to_review",
        label=gettext_lazy("待审查的书面审查申报"),
        roles=WRITERS,
        items=lambda user: [
            _item(r, _("审查 %(name)s 的申报") % {"name": r.employer.name})
            for r in _to_review(user)[:LIMIT]
        ],
        count=lambda user: _to_review(user).count(),
        order=50,
        url=lambda user: reverse("written_review:queue") + "?tab=submitted",
    )
    register_queue(
        key="written_review.to_approve",
        label=gettext_lazy("待审批的书面审查意见"),
        roles={Role.SUPERVISOR},
        items=lambda user: [
            _item(r, _("审批 %(name)s 的审查意见") % {"name": r.employer.name})
            for r in _to_approve(user)[:LIMIT]
        ],
        count=lambda user: _to_approve(user).count(),
        order=51,
        url=lambda user: reverse("written_review:queue") + "?tab=proposed",
    )
    register_queue(
        key="written_review.reports",
        label=gettext_lazy("待核验的整改报告"),
        roles=WRITERS,
        items=lambda user: [
            WorkItem(
                title=_("核验问题 %(n)d 的整改情况") % {"n": r.problem.number},
                url=reverse("written_review:review", args=[r.problem.review_id]),
                subject=r.problem.review.employer.name,
                due=r.problem.review.rectification_due,
            )
            for r in selectors.reports_to_check(user)[:LIMIT]
        ],
        count=lambda user: selectors.reports_to_check(user).count(),
        order=52,
        url=lambda user: reverse("written_review:queue") + "?tab=reports",
    )
    register_queue(
        key="written_review.overdue",
        label=gettext_lazy("逾期未申报书面审查的单位"),
        roles=WRITERS,
        items=lambda user: [
            _item(
                r,
                _("督促 %(name)s 申报") % {"name": r.employer.name},
                due=r.due_date,
                note=_("已逾期"),
            )
            for r in _overdue(user)[:LIMIT]
        ],  # fmt: skip
        count=lambda user: _overdue(user).count(),
        order=53,
        url=lambda user: reverse("written_review:overdue"),
    )
    register_queue(
        key="written_review.declare",
        label=gettext_lazy("书面审查待申报"),
        roles={Role.EMPLOYER},
        items=lambda user: [
            _item(
                r,
                _("在线申报书面审查材料") if r.status == "notified" else _("补正后重新提交申报"),
                due=r.due_date,
            )
            for r in _declare(user).order_by("due_date")[:LIMIT]
        ],  # fmt: skip
        count=lambda user: _declare(user).count(),
        order=50,
        url=lambda user: reverse("written_review:mine"),
    )
    register_queue(
        key="written_review.rectify",
        label=gettext_lazy("书面审查发现问题待整改"),
        roles={Role.EMPLOYER},
        items=lambda user: [
            WorkItem(
                title=_("报告问题 %(n)d 的整改情况") % {"n": p.number},
                url=reverse("written_review:review", args=[p.review_id]),
                due=p.review.rectification_due,
                subject=p.get_area_display(),
            )
            for p in _rectify(user).order_by("review__rectification_due", "number")[:LIMIT]
        ],
        count=lambda user: _rectify(user).count(),
        order=51,
        url=lambda user: reverse("written_review:mine"),
    )


def on_calendar_year_loaded(sender, year=None, **kwargs):
    from . import services

    services.recompute_pending_deadlines()
