import datetime
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_RANGE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:至|~|～|\.\.|—|－)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s*(?P<name>.*)$"
)


def parse_day_lines(text: str) -> list[tuple[datetime.date, str]]:
    """Parse lines like ``2027-02-06 至 2027-02-14 春节`` or ``2027-02-15 春节`` into days."""
    days: list[tuple[datetime.date, str]] = []
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _RANGE.match(line)
        try:
            if not match:
                raise ValueError
            start = _iso(match["start"])
            end = _iso(match["end"]) if match["end"] else start
        except ValueError:
            errors.append(_("第%(n)s行无法识别：“%(line)s”") % {"n": number, "line": line})
            continue
        if end < start or (end - start).days > 31:
            errors.append(_("第%(n)s行的日期区间不正确：“%(line)s”") % {"n": number, "line": line})
            continue
        day = start
        while day <= end:
            days.append((day, match["name"].strip()))
            day += datetime.timedelta(days=1)
    if errors:
        raise forms.ValidationError(errors)
    return days


def _iso(text: str) -> datetime.date:
    y, m, d = (int(p) for p in text.split("-"))
    return datetime.date(y, m, d)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2004, max_value=2100)
    notice_reference = forms.CharField(
        label=gettext_lazy("通知文号"),
        max_length=200,
        help_text=gettext_lazy(
            "国务院办公厅关于某年部分节假日安排的通知，例如：国办发明电〔2024〕12号"
        ),
    )
    holidays = forms.CharField(
        label=gettext_lazy("放假日期"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "每行一项：日期或日期区间，后跟节日名称，例如“2027-02-06 至 2027-02-14 春节”。周末放假日也可一并列入。"
        ),
    )
    makeup_workdays = forms.CharField(
        label=gettext_lazy("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("每行一个周六或周日，例如“2027-02-20 春节”。"),
    )

    def clean_holidays(self):
        return parse_day_lines(self.cleaned_data["holidays"])

    def clean_makeup_workdays(self):
        return parse_day_lines(self.cleaned_data.get("makeup_workdays") or "")


def format_day_lines(days) -> str:
    """The inverse of ``parse_day_lines`` for prefilling the form (one day per line)."""
    return "\n".join(f"{d.date.isoformat()} {d.name}".strip() for d in days)
