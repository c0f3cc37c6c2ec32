"""Hooks through which a higher app (exchange) plugs into publication without publication importing
it (STYLE.md: apps depend downwards only; a lower app learns of a higher one through a signal or a
registered hook).

- ``results_published``: sent by the publishing job's last step (``publishing._finish``) inside
  its transaction, after every ``PublishedResult`` row is written (``cycle``, ``results``: a
  queryset of the cycle's results in the order written — iterate it, never list a million). A
  receiver that writes must do it in that transaction, so a rolled-back last step leaves nothing.
- Notice blockers: ``register_notice_blocker(fn)``; ``fn(cycle, today)`` returns ``None`` or a Chinese
  message saying why the public notice may not start yet. ``services.start_public_notice`` refuses
  while any blocker answers (e.g. sister units not consulted yet, seed 002 四(二)).
- Cycle panels: ``register_cycle_panel(order=, template=, context=)``; ``context(request, cycle)``
  returns a dict or ``None`` (hidden); the cycle page renders each with ``panel`` in its context.
- Public list links: ``register_public_list_link(fn)``; ``fn(jurisdiction, year)`` returns a list of
  ``(label, url)`` shown on the public list page (e.g. the open-data files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal

results_published = Signal()

_NOTICE_BLOCKERS: dict[str, Callable] = {}


def register_notice_blocker(key: str, blocker: Callable) -> None:
    _NOTICE_BLOCKERS[key] = blocker


def notice_blockers(cycle, today) -> list[str]:
    """Why the public notice of ``cycle`` may not start on ``today`` (empty: nothing holds it)."""
    reasons = []
    for blocker in _NOTICE_BLOCKERS.values():
        reason = blocker(cycle, today)
        if reason:
            reasons.append(str(reason))
    return reasons


@dataclass(frozen=True)
class CyclePanel:
    order: int
    template: str
    context: Callable


_CYCLE_PANELS: dict[str, CyclePanel] = {}


def register_cycle_panel(*, order: int, template: str, context: Callable) -> None:
    _CYCLE_PANELS[template] = CyclePanel(order, template, context)


def cycle_panels(request, cycle) -> list[dict]:
    rendered = []
    for panel in sorted(_CYCLE_PANELS.values(), key=lambda p: p.order):
        context = panel.context(request, cycle)
        if context is not None:
            rendered.append({"template": panel.template, "context": context})
    return rendered


_PUBLIC_LIST_LINKS: dict[str, Callable] = {}


def register_public_list_link(key: str, links: Callable) -> None:
    _PUBLIC_LIST_LINKS[key] = links


def public_list_links(jurisdiction, year) -> list[tuple[str, str]]:
    out = []
    for links in _PUBLIC_LIST_LINKS.values():
        out.extend(links(jurisdiction, year))
    return out
