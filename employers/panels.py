"""Sections of the employer page contributed by other apps (credit file, grade, objections…).

An app registers a panel in its AppConfig.ready(); the employer page renders every panel the
viewing user may see, in order. The employer app needs to know nothing about them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    # (request, employer) -> context dict, or None to hide the panel for this user.
    context: Callable


_PANELS: list[Panel] = []


def register_panel(*, order: int, template: str, context: Callable) -> None:
    if any(p.template == template for p in _PANELS):
        return
    _PANELS.append(Panel(order, template, context))
    _PANELS.sort(key=lambda p: p.order)


def panels_for(request, employer) -> list[dict]:
    rendered = []
    for panel in _PANELS:
        context = panel.context(request, employer)
        if context is not None:
            rendered.append({"template": panel.template, "context": context})
    return rendered
