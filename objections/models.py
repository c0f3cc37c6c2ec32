"""Working-day calendar (SPEC §6), objections, re-evaluation and credit repair (SPEC §7)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CalendarSource, DayKind


class CalendarYear(models.Model):
    """A year whose State Council holiday notice is in the database.

    A year that is not loaded is never guessed (SPEC §6): a computation that reaches it raises
    ``objections.calendar.CalendarNotLoaded``.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    loaded = models.BooleanField(_("已载入"), default=True)
    source = models.CharField(
        _("来源"),
        max_length=32,
        choices=CalendarSource.choices,
        default=CalendarSource.STATE_COUNCIL_NOTICE,
    )
    notice_reference = models.CharField(
        _("通知文号"),
        max_length=200,
        blank=True,
        help_text=_("例如：国办发明电〔2024〕12号"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A date that differs from the Monday–Friday rule: a holiday or a make-up workday (调休上班).

    Ordinary weekdays and weekends are not stored.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    kind = models.CharField(_("类型"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"
