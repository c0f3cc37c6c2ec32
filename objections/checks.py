"""Warn the sysadmin, from 1 December, while next year's holiday notice is still missing (SPEC §6).

``calendar_warnings(today)`` takes the date as an argument so tests never depend on the clock;
the registered system check and the dashboard tag pass ``timezone.localdate()``.
"""

import datetime

from django.core import checks
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

WARN_FROM = (12, 1)  # month, day


def calendar_warnings(today: datetime.date) -> list[checks.Warning]:
    from .calendar import loaded_years

    loaded = loaded_years()
    warnings = []
    if today.year not in loaded:
        warnings.append(
            checks.Warning(
                _("工作日历缺少本年度（%(year)s年）的节假日安排，所有期限均无法计算。")
                % {"year": today.year},
                hint=_("请系统管理员在“工作日历”页面录入国务院办公厅的节假日安排通知。"),
                id="objections.W001",
            )
        )
    if (today.month, today.day) >= WARN_FROM and today.year + 1 not in loaded:
        warnings.append(
            checks.Warning(
                _(
                    "工作日历尚未录入%(year)s年的节假日安排；跨年期限将标记为“期限待国务院公布节假日安排后复核”。"
                )
                % {"year": today.year + 1},
                hint=_("国务院办公厅发布通知后，请系统管理员在“工作日历”页面录入。"),
                id="objections.W002",
            )
        )
    return warnings


@checks.register()
def calendar_check(app_configs=None, **kwargs):
    try:
        return calendar_warnings(timezone.localdate())
    except DatabaseError:
        return []  # tables not migrated yet: nothing to say
