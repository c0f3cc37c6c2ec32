"""Forms of the ledger pages. Validation of a record's content is not here: the services
(``kinds.clean_record``) do it, and the form shows their messages beside the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import (
    Category,
    ComplaintResult,
    CreditRating,
    HarmoniousLevel,
    InterviewResult,
    Mitigation,
    PatrolResult,
    Performance,
    Procedure,
    RecordKind,
    Rectification,
    Severity,
    Source,
    WrittenReviewResult,
)
from .evidence import ALLOWED_TYPES
from .kinds import CONTENT_FIELDS, KIND_SPECS, fields_for

K = RecordKind
BLANK = [("", "---------")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "class": "form-control",
                    "accept": ",".join(ALLOWED_TYPES),
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# ``value`` and ``result`` mean different things per kind: one form field per meaning.
PER_KIND_FIELDS = {
    "result_patrol": ("result", K.PATROL_INSPECTION, PatrolResult, _("检查结果")),
    "result_written_review": ("result", K.WRITTEN_REVIEW, WrittenReviewResult, _("审查结论")),
    "result_complaint": ("result", K.COMPLAINT, ComplaintResult, _("核查结果")),
    "result_interview": ("result", K.INTERVIEW, InterviewResult, _("约谈类型")),
    "value_rating": ("value", K.PUBLIC_CREDIT_RATING, CreditRating, _("公共信用综合评价等级")),
    "value_report_year": ("value", K.ANNUAL_REPORT_MISSING, None, _("未报告年度")),
}


def _kinds_using(field):
    return ",".join(k for k, spec in KIND_SPECS.items() if field in spec.extras)


class RecordForm(forms.Form):
    """Add or correct a record; ``show_when`` tells the template which kinds use a field
    (``data-show-when`` in static/js/app.js hides the rest)."""

    kind = forms.ChoiceField(label=_("记录类型"), choices=BLANK + K.choices)
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("决定、列入、命名或事件发生的日期（评价期间按此日期计算）"),
    )
    end_date = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("移出名单、撤销称号或恢复联系的日期；尚未结束的留空"),
    )
    case_no = forms.CharField(
        label=_("监察案件编号"),
        max_length=64,
        required=False,
        help_text=_("同一案件的记录填写相同编号"),
    )
    document_no = forms.CharField(label=_("文书号"), max_length=100, required=False)
    source = forms.ChoiceField(label=_("信息来源"), choices=BLANK + Source.choices, required=False)
    severity = forms.ChoiceField(label=_("情节"), choices=BLANK + Severity.choices, required=False)
    category = forms.ChoiceField(
        label=_("违法类别"), choices=BLANK + Category.choices, required=False
    )
    rectification = forms.ChoiceField(
        label=_("整改情况"), choices=BLANK + Rectification.choices, required=False
    )
    incident = forms.BooleanField(
        label=_("引发群体性事件、极端事件或严重不良社会影响"), required=False
    )
    performance = forms.ChoiceField(
        label=_("履行情况"), choices=BLANK + Performance.choices, required=False
    )
    procedure = forms.ChoiceField(
        label=_("处罚程序"), choices=BLANK + Procedure.choices, required=False
    )
    mitigation = forms.ChoiceField(
        label=_("从轻情节"),
        choices=Mitigation.choices,
        required=False,
        initial=Mitigation.NONE,
        help_text=_(
            "违法行为轻微，或者主动消除、减轻违法行为危害后果的，该处罚不作为失信信息"
            "（沪人社规〔2023〕26号 第五条第（二）项）"
        ),
    )
    level = forms.ChoiceField(
        label=_("和谐企业级别"), choices=BLANK + HarmoniousLevel.choices, required=False
    )
    value_rating = forms.ChoiceField(
        label=_("公共信用综合评价等级"), choices=BLANK + CreditRating.choices, required=False
    )
    value_report_year = forms.CharField(
        label=_("未报告年度"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    result_patrol = forms.ChoiceField(
        label=_("检查结果"), choices=BLANK + PatrolResult.choices, required=False
    )
    result_written_review = forms.ChoiceField(
        label=_("审查结论"), choices=BLANK + WrittenReviewResult.choices, required=False
    )
    result_complaint = forms.ChoiceField(
        label=_("核查结果"), choices=BLANK + ComplaintResult.choices, required=False
    )
    result_interview = forms.ChoiceField(
        label=_("约谈类型"), choices=BLANK + InterviewResult.choices, required=False
    )
    summary = forms.CharField(
        label=_("摘要"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.CharField(label=_("记录部门"), max_length=100, required=False)
    attachments = MultipleFileField(
        label=_("证据附件"),
        required=False,
        help_text=_("PDF、图片、OFD、Word 或 Excel，单个不超过 20 MB，一次最多 10 个"),
    )

    SHOW_WHEN = {
        "end_date": ",".join(k for k, s in KIND_SPECS.items() if s.end_date),
        **{
            f: _kinds_using(f)
            for f in (
                "severity",
                "category",
                "rectification",
                "incident",
                "performance",
                "procedure",
                "mitigation",
                "level",
            )
        },
        **{name: str(kind) for name, (_f, kind, _c, _l) in PER_KIND_FIELDS.items()},
    }

    def __init__(self, *args, record=None, with_attachments=True, **kwargs):
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(record)
        super().__init__(*args, **kwargs)
        if not with_attachments:
            del self.fields["attachments"]
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            field.show_when = self.SHOW_WHEN.get(name, "")

    @staticmethod
    def initial_from(record) -> dict:
        initial = {f: getattr(record, f) for f in CONTENT_FIELDS}
        initial["incident"] = bool(record.incident)
        initial["mitigation"] = record.mitigation or Mitigation.NONE
        for name, (field, kind, _c, _l) in PER_KIND_FIELDS.items():
            initial[name] = getattr(record, field) if record.kind == kind else ""
        return initial

    def content(self) -> dict:
        """The cleaned data as record fields; fields the chosen kind does not use are blank
        (hidden inputs may still carry a value from an earlier choice)."""
        data = self.cleaned_data
        kind = data["kind"]
        used = set(fields_for(kind))
        content = {"kind": kind}
        for field in CONTENT_FIELDS:
            if field in ("kind", "value", "result"):
                continue
            value = data.get(field)
            if field not in used:
                value = None if field in ("end_date", "incident") else ""
            elif field == "incident":
                value = bool(value)
            content[field] = value
        content["value"] = content["result"] = ""
        for name, (field, for_kind, _c, _l) in PER_KIND_FIELDS.items():
            if for_kind == kind:
                content[field] = data.get(name) or ""
        return content

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        kind = self.cleaned_data.get("kind")
        for field, errors in exc.error_dict.items():
            target = field
            if field in ("value", "result"):
                target = next(
                    (
                        n
                        for n, (f, k, _c, _l) in PER_KIND_FIELDS.items()
                        if f == field and k == kind
                    ),
                    None,
                )
            if target not in self.fields:
                target = None
            for error in errors:
                self.add_error(target, error)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("必填：说明为什么更正或作废（如：异议成立，编号 …）；将记入审计日志"),
    )


class CorrectionForm(RecordForm, ReasonForm):
    pass


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("补充证据附件"))


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False)
    # The Chinese action names of the entries this auditor can read (the view fills them).
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部"))])
    employer = forms.CharField(
        label=_("用人单位（名称或统一社会信用代码）"),
        required=False,
        help_text=_("找出与该单位有关的全部记录：单位本身、其信用记录、异议、告知书等。"),
    )
    object = forms.CharField(label=_("对象（名称或编号）"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        from audit.presentation import action_choices

        self.fields["action"].choices = [("", _("全部"))] + action_choices(actions)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["action"].widget.attrs["class"] = "form-select form-select-sm"
