"""What waits for a user: queues contributed by every app (STYLE.md: a lower app learns of a higher
one only through a registered hook).

An app registers its queues in its AppConfig.ready():

    from employers.workbench import WorkItem, register_queue

    register_queue(
        key="objections.to_decide",
        label=_("待处理的异议"),
        roles={Role.INSPECTOR},
        items=lambda user: [...],   # WorkItem objects this user should act on, any order
        order=10,
    )

The home page (the workbench) shows, for the user's role, each queue with its count and its items
sorted by due date. ``items`` must be cheap: a scoped, indexed query with a LIMIT; when a queue can
be long, give ``count`` too (a COUNT query) and let ``items`` return the first ones only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkItem:
    title: str  # what to do, in Chinese, e.g. "审查 某某公司 的异议"
    url: str  # where to do it
    due: dt.date | None = None  # the legal or planned due date, if any
    subject: str = ""  # the employer (or cycle) it concerns, shown beside the title
    note: str = ""  # a short status line, e.g. "已逾期"


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    roles: frozenset
    items: Callable[[object], Iterable[WorkItem]]
    count: Callable[[object], int] | None = None
    order: int = 100
    url: str | Callable[[object], str] = ""  # the full list, when it has a page of its own
    extra: dict = field(default_factory=dict)


_QUEUES: dict[str, Queue] = {}


def register_queue(
    *,
    key: str,
    label,
    roles,
    items: Callable,
    count: Callable | None = None,
    order: int = 100,
    url: str | Callable = "",
) -> None:
    """Register (or replace, on a second ready()) the queue ``key``."""
    _QUEUES[key] = Queue(key, label, frozenset(roles), items, count, order, url)


def queues_for(user) -> list[Queue]:
    role = getattr(user, "role", None)
    return sorted((q for q in _QUEUES.values() if role in q.roles), key=lambda q: q.order)


def registered_queues() -> list[Queue]:
    return sorted(_QUEUES.values(), key=lambda q: q.order)


# --- working days left ---------------------------------------------------------------------------
# The working-day calendar belongs to a higher app (objections); it registers the counter.
_WORKDAYS_COUNTER: list[Callable] = []


def register_workdays_counter(fn: Callable[[dt.date, dt.date], int | None]) -> None:
    """``fn(today, due)`` → working days left (negative when overdue, None when unknown)."""
    _WORKDAYS_COUNTER[:] = [fn]


def workdays_left(today: dt.date, due: dt.date | None) -> int | None:
    if due is None:
        return None
    if _WORKDAYS_COUNTER:
        return _WORKDAYS_COUNTER[0](today, due)
    return None


@dataclass
class QueueView:
    """One queue as the workbench shows it to one user."""

    key: str
    label: str
    count: int
    items: list
    url: str


def _row(item: WorkItem, today: dt.date) -> dict:
    left = workdays_left(today, item.due)
    return {"item": item, "left": left, "overdue": left is not None and left < 0}


def workbench_for(user, today: dt.date) -> list[QueueView]:
    """Every queue of the user's role with its count and its items, soonest due first (items
    without a due date last); queues with work first, in their registered order."""
    views = []
    for queue in queues_for(user):
        items = list(queue.items(user))
        count = queue.count(user) if queue.count else len(items)
        items.sort(key=lambda i: (i.due is None, i.due or dt.date.max))
        url = queue.url(user) if callable(queue.url) else str(queue.url or "")
        views.append(
            QueueView(
                key=queue.key,
                label=str(queue.label),
                count=count,
                items=[_row(i, today) for i in items],
                url=url,
            )
        )
    return sorted(views, key=lambda v: v.count == 0)
