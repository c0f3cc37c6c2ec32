"""Nightly deadline work (SPEC §7): mark overdue items and remind the inspectors and supervisors
of the jurisdiction about overdue and due-within-one-working-day items. Safe to run twice: each
reminder is keyed by (recipient, case, day) and sent once."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from employers.choices import Role
from employers.models import User

from . import selectors, services
from .choices import OPEN_STATUSES
from .models import Objection, RepairApplication


def _handlers_by_path() -> list[tuple[str, User]]:
    users = User.objects.filter(
        role__in=(Role.INSPECTOR, Role.SUPERVISOR), is_active=True, jurisdiction__isnull=False
    ).select_related("jurisdiction")
    return [(u.jurisdiction.path, u) for u in users]


def _responsible(handlers, employer) -> list[User]:
    paths = [employer.jurisdiction.path]
    if employer.street_id:
        paths.append(employer.street.path)
    return [
        user for path, user in handlers if any(p == path or p.startswith(path + "/") for p in paths)
    ]


def run_deadline_reminders(today: datetime.date) -> dict:
    handlers = _handlers_by_path()
    marked = reminded = 0
    with transaction.atomic():
        services.recompute_pending_deadlines()
        for model in (Objection, RepairApplication):
            newly_overdue = model.objects.select_for_update().filter(
                status__in=OPEN_STATUSES, due_date__lt=today, overdue=False
            )
            for case in newly_overdue.select_related("employer__jurisdiction"):
                case.overdue = True
                case.save(update_fields=["overdue", "updated_at"])
                write_audit(
                    actor=None,
                    action=f"{model._meta.model_name}.overdue",
                    obj=case,
                    jurisdiction_path=case.employer.jurisdiction.path,
                    after={"due_date": str(case.due_date)},
                )
                marked += 1
            base = model.objects.select_related("employer__jurisdiction", "employer__street")
            for label, queryset in (
                ("overdue", selectors.overdue(base, today)),
                ("due_soon", selectors.due_soon(base, today)),
            ):
                for case in queryset:
                    subject = (
                        _("已逾期：%(case)s（期限 %(due)s）")
                        if label == "overdue"
                        else _("即将到期：%(case)s（期限 %(due)s）")
                    ) % {"case": f"{case} · {case.employer.name}", "due": case.due_date}
                    created = services.notify(
                        users=_responsible(handlers, case.employer),
                        key=f"{label}:{model._meta.model_name}:{case.pk}:{today.isoformat()}",
                        subject=subject,
                        body=_("状态：%(s)s") % {"s": case.get_status_display()},
                        url=services.case_url(case),
                    )
                    reminded += len(created)
    return {"marked_overdue": marked, "reminders": reminded}


@shared_task
def send_deadline_reminders(today: str | None = None) -> dict:
    """Beat entry ``objections-deadline-reminders`` runs this every night."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return run_deadline_reminders(day)


@shared_task
def end_expired_publicity() -> int:
    """Nightly (SPEC §7 [r2]): end the publicity of dishonesty records past their maximum
    period and tell the platform once."""
    return services.end_expired_publicity(today=timezone.localdate())
