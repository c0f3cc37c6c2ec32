"""How a rule set is named on screen: after its jurisdiction's regulation, never by its code
(issue 11 item 3: ``jiaxian`` or ``v2`` mean nothing to a Chinese user)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RULESET_NAMES = {
    "jiaxian": _("郏县评价办法"),
    "xiqing": _("西青区评价办法"),
    "jiangjin": _("江津区评价办法"),
    "xuchang": _("许昌市人力资源服务机构诚信评价办法"),
}


def ruleset_name(code: str, version: str | int | None = None) -> str:
    """``郏县评价办法`` or, with a version, ``郏县评价办法（第2版）``; an unknown code reads as
    the regulation's title when the registry knows it, otherwise as "评价办法"."""
    name = RULESET_NAMES.get(code)
    if name is None:
        try:
            from . import rulesets

            name = gettext(rulesets.get(code).title)
        except KeyError:
            name = gettext("评价办法")
    if version in (None, ""):
        return str(name)
    return gettext("%(name)s（第%(version)s版）") % {"name": name, "version": version}
