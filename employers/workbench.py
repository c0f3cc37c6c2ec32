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
