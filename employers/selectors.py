"""Reads that every view uses, so scoping lives in the queryset and not in templates.

Staff (inspector, supervisor, publisher, auditor) see their jurisdiction's subtree; an employer
user sees only the employer it is bound to; the sysadmin sees the registry read-only; anyone else
sees nothing.
"""

from django.db.models import Q, QuerySet

from .choices import STAFF_ROLES, Role
from .models import Employer, Jurisdiction


def jurisdiction_subtree_ids(user) -> list[int]:
    if not user.jurisdiction_id:
        return []
    return list(user.jurisdiction.subtree().values_list("pk", flat=True))


def visible_jurisdictions(user) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return Jurisdiction.objects.none()
    if user.role == Role.SYSADMIN:
        return Jurisdiction.objects.all()
    if user.role in STAFF_ROLES and user.jurisdiction_id:
        return user.jurisdiction.subtree()
    return Jurisdiction.objects.none()


def scope_by_employer(queryset: QuerySet, user, employer_field: str = "") -> QuerySet:
    """Restrict any queryset that reaches an employer (``employer_field`` is the lookup path to
    it, "" for Employer itself) to what ``user`` may see."""
    prefix = f"{employer_field}__" if employer_field else ""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.EMPLOYER:
        if not user.employer_id:
            return queryset.none()
        key = f"{employer_field}_id" if employer_field else "pk"
        return queryset.filter(**{key: user.employer_id})
    if user.role in STAFF_ROLES:
        ids = jurisdiction_subtree_ids(user)
        return queryset.filter(
            Q(**{f"{prefix}jurisdiction_id__in": ids}) | Q(**{f"{prefix}street_id__in": ids})
        )
    # The sysadmin (三员分立) sees no credit data, grades or objections.
    return queryset.none()


def visible_employers(user) -> QuerySet:
    employers = Employer.objects.select_related("jurisdiction", "street")
    if user.is_authenticated and user.is_active and user.role == Role.SYSADMIN:
        return employers  # the registry only, to bind employer accounts
    return scope_by_employer(employers, user)
