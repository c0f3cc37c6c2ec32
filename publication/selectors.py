"""Reads of the publication app; every staff read is scoped to the user's jurisdiction subtree."""

from django.db.models import Q, QuerySet

from employers.choices import Role

from .models import OutboxMessage

OUTBOX_READERS = (Role.PUBLISHER, Role.AUDITOR)


def visible_outbox(user) -> QuerySet:
    """Outbox messages of the user's jurisdiction subtree, plus messages bound to no jurisdiction."""
    if not (user.is_authenticated and user.has_role(*OUTBOX_READERS) and user.jurisdiction_id):
        return OutboxMessage.objects.none()
    path = user.jurisdiction.path
    return OutboxMessage.objects.filter(
        Q(jurisdiction_path="")
        | Q(jurisdiction_path=path)
        | Q(jurisdiction_path__startswith=path + "/")
    )


CYCLE_READERS = (Role.PUBLISHER, Role.SUPERVISOR, Role.INSPECTOR, Role.AUDITOR)


def visible_cycles(user) -> QuerySet:
    """Cycles of the user's jurisdiction subtree (staff only; 三员分立: not the sysadmin)."""
    from grading.selectors import visible_cycles as grading_visible_cycles

    return grading_visible_cycles(user)


def published_cycles() -> QuerySet:
    """Every published cycle: public."""
    from grading.choices import CycleStatus
    from grading.models import Cycle

    return Cycle.objects.filter(status=CycleStatus.PUBLISHED).select_related("jurisdiction")


def public_results(jurisdiction, year: int) -> QuerySet:
    """The published results of a jurisdiction and year, with the adjustments published since.
    Only name, USCC and grade are ever shown from these rows on public pages."""
    from .models import PublishedResult

    return (
        PublishedResult.objects.filter(
            cycle__jurisdiction=jurisdiction, cycle__status="published", year=year
        )
        .only("id", "name", "uscc", "grade", "cycle_id", "year")
        .prefetch_related("adjustments")
        .order_by("name", "id")
    )


def employer_published_results(employer) -> QuerySet:
    """Every published grade of one employer, newest year first (seed 002 四(三): 企业可通过系统
    查询本次和历年守法诚信评价等级)."""
    from .models import PublishedResult

    return (
        PublishedResult.objects.filter(employer=employer)
        .select_related("cycle__jurisdiction")
        .prefetch_related("adjustments")
        .order_by("-year", "ruleset_code")
    )
