"""The allowed transitions, declared once (STYLE.md: django-oscar's order status pipeline).

Objections (and re-evaluations) and repair applications share one pipeline (SPEC §7):

    submitted ──accept──▶ accepted ──needs_verification──▶ verifying
        │                    │  └──────────decide───────────┐    │
        │                    └──────────decide──────────▶ decided ◀──decide──┘
        │                                                  │  │
        └──withdraw (also from accepted/verifying)         │  └──return──▶ accepted / verifying
                      ▼                              approve
                  withdrawn                              ▼
                                                      closed

``apply_transition`` is the only code that changes a case's status: it locks the row
(``select_for_update``), re-checks the status inside the transaction (so a double submit or two
inspectors acting at once see the first one's result and are refused), checks the role and the
jurisdiction, writes the status history (``CaseTransition``) and the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from employers.choices import Role
from employers.models import Employer
from employers.selectors import scope_by_employer

from .choices import Action, CaseStatus
from .models import CaseTransition, Objection, RepairApplication

S = CaseStatus
HANDLERS = frozenset({Role.INSPECTOR, Role.SUPERVISOR})
APPROVERS = frozenset({Role.SUPERVISOR})
APPLICANTS = frozenset({Role.EMPLOYER})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: decided by the case (``return`` goes back where it came from)
    roles: frozenset


_COMMON = (
    Transition(Action.ACCEPT, (S.SUBMITTED,), S.ACCEPTED, HANDLERS),
    Transition(Action.DECIDE, (S.ACCEPTED, S.VERIFYING), S.DECIDED, HANDLERS),
    Transition(Action.APPROVE, (S.DECIDED,), S.CLOSED, APPROVERS),
    Transition(Action.RETURN, (S.DECIDED,), None, APPROVERS),
    Transition(Action.WITHDRAW, (S.SUBMITTED, S.ACCEPTED, S.VERIFYING), S.WITHDRAWN, APPLICANTS),
)

PIPELINES: dict[type, dict[str, Transition]] = {
    Objection: {
        t.action: t
        for t in _COMMON
        + (Transition(Action.NEEDS_VERIFICATION, (S.ACCEPTED,), S.VERIFYING, HANDLERS),)
    },
    # Interpretation: a repair is checked by the handling office itself (no 10-day
    # verification step of seed 000 第二十条, which is about objections).
    RepairApplication: {t.action: t for t in _COMMON},
}


class TransitionRefused(ValidationError):
    """The action is not allowed from the case's current status."""


def allowed_actions(case, user) -> list[str]:
    """The actions ``user`` may take on ``case`` now (for showing buttons)."""
    pipeline = PIPELINES[type(case)]
    return [
        action
        for action, t in pipeline.items()
        if case.status in t.sources and _may_act(user, case, t)
    ]


def _may_act(user, case, transition: Transition) -> bool:
    if user is None or not user.is_active or user.role not in transition.roles:
        return False
    if transition.action == Action.APPROVE and case.decided_by_id == user.pk:
        # Interpretation (SPEC §1: the supervisor approves decisions): approval is a second
        # person's; a supervisor who decided a case does not approve it, as for overrides.
        return False
    if user.role == Role.EMPLOYER:
        return user.employer_id == case.employer_id
    return scope_by_employer(Employer.objects.filter(pk=case.employer_id), user).exists()


def lock(model, pk):
    """Re-read a case under a row lock inside the caller's transaction."""
    return model.objects.select_for_update().select_related("employer__jurisdiction").get(pk=pk)


def apply_transition(case, action: str, *, actor, note: str = "", **fields):
    """Move ``case`` (re-read under lock) along ``action``; set ``fields`` on it; log and audit.

    Must run inside a transaction (the services are ``@transaction.atomic``). Returns the
    locked, updated case.
    """
    model = type(case)
    transition = PIPELINES[model].get(action)
    if transition is None:
        raise TransitionRefused(_("该类申请不能执行“%(a)s”操作") % {"a": Action(action).label})
    current = lock(model, case.pk)
    if current.status not in transition.sources:
        raise TransitionRefused(
            _("当前状态为“%(s)s”，不能执行“%(a)s”操作（可能已被他人处理，请刷新页面）")
            % {"s": current.get_status_display(), "a": Action(action).label}
        )
    if not _may_act(actor, current, transition):
        raise PermissionDenied(_("您无权对该申请执行“%(a)s”操作") % {"a": Action(action).label})
    before = current.status
    target = transition.target
    if target is None:  # return: back to where the decision was made
        target = S.VERIFYING if getattr(current, "needs_verification", False) else S.ACCEPTED
    current.status = target
    for name, value in fields.items():
        setattr(current, name, value)
    current.save()
    link = {"objection": current} if model is Objection else {"repair": current}
    CaseTransition.objects.create(
        action=action, from_status=before, to_status=target, actor=actor, note=note, **link
    )
    write_audit(
        actor=actor,
        action=f"{model._meta.model_name}.{action}",
        obj=current,
        jurisdiction_path=current.employer.jurisdiction.path,
        before={"status": before},
        after={"status": target, **{k: _jsonable(v) for k, v in fields.items()}},
        note=note,
    )
    return current


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(getattr(value, "pk", value))
