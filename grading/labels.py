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


# Where each staff page's rule comes from, per jurisdiction (issue 11 item 6: a page cites only
# the regulation of the user's own jurisdiction). Keys are pages; values (rule-set code, text).
CITATIONS = {
    "overrides": [
        ("jiangjin", _("江津区通知 四（一）：变更评价等级须经劳动保障监察机构负责人审批")),
    ],
    "honours": [
        (
            "jiangjin",
            _("江津区通知 四（四）2：对连续3年评为A级的企业，可授予“劳动保障守法诚信企业”铭牌"),
        ),
    ],
    "screening": [
        (
            "jiangjin",
            _(
                "江津区通知 四（一）：对初评结果进行筛查，避免出现同一主体不同等级、非企业性质参加评级"
                "和未实施劳动保障监察却产生评级结果等情况"
            ),
        ),
    ],
    "interviews": [
        ("jiaxian", _("郏县办法 第十七条（三）：约谈情况应当记入用人单位信用记录")),
        ("jiangjin", _("江津区通知 四（四）3")),
        ("xuchang", _("许昌市通知 四（五）")),
    ],
    "training": [
        ("xiqing", _("西青人社发〔2018〕25号 三（二）")),
        ("jiangjin", _("江津区通知 四（四）3：重点监管和培训对象")),
    ],
    "patrol_plans": [
        ("jiaxian", _("郏县办法 第十四条至第十七条")),
        ("jiangjin", _("江津区通知 四（四）3")),
        ("xuchang", _("许昌市通知 四（五）")),
    ],
}


def user_ruleset_codes(user) -> set[str]:
    """The rule-set codes of the jurisdictions a staff user works in: their own jurisdiction's
    (郏县 → jiaxian) or, for a user above several, every one below."""
    if not getattr(user, "jurisdiction_id", None):
        return set(RULESET_NAMES)
    path = user.jurisdiction.path
    segments = set(path.split("/"))
    from employers.models import Jurisdiction

    below = set(
        Jurisdiction.objects.filter(
            code__in=RULESET_NAMES, path__startswith=path + "/"
        ).values_list("code", flat=True)
    )
    return {code for code in RULESET_NAMES if code in segments} | below


def citations_for(page: str, user) -> list[str]:
    codes = user_ruleset_codes(user)
    return [str(text) for code, text in CITATIONS.get(page, []) if code in codes]
