"""Grading's queue on the staff workbench: overrides waiting for the supervisor."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.choices import Role


def _pending(user):
    from .choices import OverrideStatus
    from .selectors import pending_overrides

    return pending_overrides(user).filter(status=OverrideStatus.PENDING).order_by("pk")


def _items(user):
    from employers.workbench import WorkItem

    from .labels import ruleset_name

    return [
        WorkItem(
            title=_("审批等级调整：%(old)s级 → %(new)s级")
            % {"old": o.grade.grade or "—", "new": o.proposed_grade or "—"},
            url=reverse("grading:overrides") + f"#override-{o.pk}",
            subject=o.grade.employer.name,
            note=_("%(year)s年度 · %(ruleset)s")
            % {"year": o.grade.cycle_year, "ruleset": ruleset_name(o.grade.ruleset_code)},
        )
        for o in _pending(user)[:20]
    ]


def register() -> None:
    from employers.workbench import register_queue

    register_queue(
        key="grading.overrides_to_approve",
        label=gettext_lazy("待审批的人工复核调整"),
        roles={Role.SUPERVISOR},
        items=_items,
        count=lambda user: _pending(user).count(),
        order=6,
        url=lambda user: reverse("grading:overrides"),
    )
