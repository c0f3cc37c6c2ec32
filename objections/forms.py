import datetime
import re

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credit_records.choices import Mitigation, Performance, Procedure, Rectification, Severity
from credit_records.models import CreditRecord

from .choices import ObjectionGround, ObjectionKind, Outcome, RecordRemedy, RepairOutcome

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


# The years a working-day calendar can be entered for (and looked at).
CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR = 2004, 2100


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("年份"), min_value=CALENDAR_FIRST_YEAR, max_value=CALENDAR_LAST_YEAR
    )
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ObjectionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("异议类型"), choices=ObjectionKind.choices)
    record = forms.ModelChoiceField(
        label=gettext_lazy("信用记录"), queryset=CreditRecord.objects.none(), required=False
    )
    grade = forms.TypedChoiceField(
        label=gettext_lazy("等级"), coerce=int, choices=(), required=False, empty_value=None
    )
    ground = forms.ChoiceField(label=gettext_lazy("异议事由"), choices=ObjectionGround.choices)
    reasons = forms.CharField(
        label=gettext_lazy("异议理由"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    attachments = MultipleFileField(
        label=gettext_lazy("证明材料"),
        help_text=gettext_lazy("可上传多个 PDF、图片、Word/Excel 或 OFD 文件"),
    )

    def __init__(self, *args, records=None, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        if records is not None:
            self.fields["record"].queryset = records
        self.fields["record"].label_from_instance = record_label
        self.fields["grade"].choices = [("", "—")] + [(g.grade_id, g.label) for g in grades]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ObjectionKind.RECORD and not data.get("record"):
            self.add_error("record", _("请选择有异议的信用记录。"))
        if kind in (ObjectionKind.GRADE, ObjectionKind.RE_EVALUATION) and not data.get("grade"):
            self.add_error("grade", _("请选择有异议的等级。"))
        return data


def record_label(record) -> str:
    parts = [date_format(record.date, "DATE_FORMAT"), str(record.get_kind_display())]
    if record.document_no:
        parts.append(record.document_no)
    return " · ".join(parts)


class RepairForm(forms.Form):
    record = forms.ModelChoiceField(
        label=gettext_lazy("失信记录"), queryset=CreditRecord.objects.none()
    )
    corrected_on = forms.DateField(
        label=gettext_lazy("纠正失信行为、履行义务的日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    commitment_signed = forms.BooleanField(
        label=gettext_lazy("本单位已签署信用承诺书，承诺依法诚信经营（请上传签章的承诺书）"),
        required=False,
    )
    reasons = forms.CharField(
        label=gettext_lazy("纠正和履行情况说明"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    attachments = MultipleFileField(
        label=gettext_lazy("证明材料"),
        help_text=gettext_lazy("整改、履行证明和签章的信用承诺书"),
    )

    def __init__(self, *args, records=None, **kwargs):
        super().__init__(*args, **kwargs)
        if records is not None:
            self.fields["record"].queryset = records
        self.fields["record"].label_from_instance = record_label


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# No risky preselection (issue 11 item 4): a decision's result starts empty; the handler picks it.
CHOOSE = ("", gettext_lazy("请选择"))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("处理结果"), choices=[CHOOSE, *Outcome.choices])
    reasons = forms.CharField(
        label=gettext_lazy("处理意见及理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    remedy = forms.ChoiceField(
        label=gettext_lazy("记录处理方式"), choices=[CHOOSE, *RecordRemedy.choices], required=False
    )
    new_grade = forms.ChoiceField(
        label=gettext_lazy("调整后的等级"),
        required=False,
        choices=[("", "—")],
        help_text=gettext_lazy("异议成立时必填，部分成立时可填；审批通过后变更公示中的等级。"),
    )
    date = forms.DateField(
        label=gettext_lazy("更正后的日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=gettext_lazy("更正后的截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    document_no = forms.CharField(
        label=gettext_lazy("更正后的文书号"), required=False, max_length=100
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("更正后的情节"), required=False, choices=[("", "—"), *Severity.choices]
    )
    rectification = forms.ChoiceField(
        label=gettext_lazy("更正后的整改情况"),
        required=False,
        choices=[("", "—"), *Rectification.choices],
    )
    performance = forms.ChoiceField(
        label=gettext_lazy("更正后的履行情况"),
        required=False,
        choices=[("", "—"), *Performance.choices],
    )
    procedure = forms.ChoiceField(
        label=gettext_lazy("更正后的处罚程序"),
        required=False,
        choices=[("", "—"), *Procedure.choices],
    )
    mitigation = forms.ChoiceField(
        label=gettext_lazy("更正后的从轻情节"),
        required=False,
        choices=[("", "—"), *Mitigation.choices],
        help_text=gettext_lazy("行政处罚：违法行为轻微或主动消除、减轻危害后果的，不作为失信信息"),
    )
    summary = forms.CharField(
        label=gettext_lazy("更正后的摘要"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, objection=None, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        if objection is not None and objection.kind == ObjectionKind.RECORD:
            del self.fields["new_grade"]
        else:
            self.fields["new_grade"].choices = [("", "—"), *((g, g) for g in grades)]
            del self.fields["remedy"]
            for name in self.CORRECTION_FIELDS:
                del self.fields[name]

    CORRECTION_FIELDS = (
        "date",
        "end_date",
        "document_no",
        "severity",
        "rectification",
        "performance",
        "procedure",
        "mitigation",
        "summary",
    )

    def corrections(self) -> dict:
        data = self.cleaned_data
        out = {}
        for name in self.CORRECTION_FIELDS:
            value = data.get(name)
            if value not in (None, ""):
                out[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return out


class RepairDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("处理结果"), choices=[CHOOSE, *RepairOutcome.choices]
    )
    reasons = forms.CharField(
        label=gettext_lazy("处理意见及理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
