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
