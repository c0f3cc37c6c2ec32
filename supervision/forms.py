"""Forms of the supervision pages. Rules live in the services; the forms show their messages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from credit_records.choices import PatrolResult
from credit_records.forms import MultipleFileField

from .services import MAX_SEED, RATIO_FIELDS


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def add_service_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _ratio_field(label):
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "100"}),
    )


class PlanForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        label=_("辖区"), queryset=None, to_field_name="code", empty_label=None
    )
    period_from = forms.DateField(
        label=_("计划期间起"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_to = forms.DateField(
        label=_("计划期间止"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ratio_a = _ratio_field(_("A级（%）"))
    ratio_b = _ratio_field(_("B级（%）"))
    ratio_c = _ratio_field(_("C级（%）"))
    ratio_d = _ratio_field(_("D级（%）"))
    ratio_ungraded = _ratio_field(_("未评级（%）"))
    seed = forms.IntegerField(
        label=_("随机种子"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("留空则由系统随机生成；种子与计划一同保存，任何人可据此重新抽取核对"),
    )

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("计划期间止不能早于计划期间起"))
        return data

    def ratios(self) -> dict:
        return {grade: self.cleaned_data[field] for grade, field in RATIO_FIELDS.items()}


class TaskCloseForm(forms.Form):
    """The patrol_inspection record of a task, pre-filled (kind and source are fixed)."""

    date = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    result = forms.ChoiceField(
        label=_("检查结果"), choices=PatrolResult.choices, widget=forms.RadioSelect
    )
    case_no = forms.CharField(label=_("监察案件编号"), max_length=64, required=False)
    document_no = forms.CharField(label=_("文书号"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("检查情况"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    department = forms.CharField(label=_("记录部门"), max_length=100, required=False)
    attachments = MultipleFileField(
        label=_("检查记录附件"),
        required=False,
        help_text=_("PDF、图片、OFD、Word 或 Excel，单个不超过 20 MB，一次最多 10 个"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class SignForm(forms.Form):
    legal_rep_name = forms.CharField(
        label=_("承诺人（法定代表人）姓名"),
        max_length=50,
        help_text=_("由法定代表人本人填写姓名，视为签字"),
    )
    agreed = forms.BooleanField(label=_("本人已阅读并作出上述承诺"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
