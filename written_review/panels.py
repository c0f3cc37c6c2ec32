"""The employer page's section: this employer's written reviews (its own user and the staff of
its jurisdiction)."""

from django.utils import timezone

from employers.choices import Role

from . import selectors


def employer_panel(request, employer):
    user = request.user
    if user.role not in (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR) and not (
        user.role == Role.EMPLOYER and user.employer_id == employer.pk
    ):
        return None
    reviews = list(
        selectors.visible_reviews(user).filter(employer=employer).order_by("-plan__year")[:10]
    )
    if not reviews:
        return None
    return {"reviews": reviews, "today": timezone.localdate()}
