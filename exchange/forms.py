from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from employers.choices import JurisdictionLevel
from employers.models import Jurisdiction

from .tokens import MAX_DAYS


class _Styled:
    """Bootstrap classes on every widget (as the other pages' forms have them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", f"{css} {css}-sm")


class TokenForm(_Styled, forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=64,
        help_text=_("便于识别的名称，例如“郏县市场监管局-信用查询”"),
    )
    department = forms.CharField(label=_("协同部门"), max_length=100, required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("可查询辖区"),
        queryset=Jurisdiction.objects.exclude(level=JurisdictionLevel.STREET).order_by("path"),
        help_text=_("令牌可查询该辖区及其下级辖区公布的等级"),
    )
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=MAX_DAYS, initial=365)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.EXCHANGE_TOKEN_DEFAULT_DAYS


class ApiCallFilterForm(_Styled, forms.Form):
    token = forms.CharField(label=_("令牌名称"), required=False, max_length=64)
    uscc = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=40)
    status = forms.IntegerField(label=_("状态码"), required=False, min_value=100, max_value=599)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ConsultationForm(forms.Form):
    reply_by = forms.DateField(label=_("答复期限"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        label=_("征求意见函"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ListSearchForm(_Styled, forms.Form):
    q = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)
    grade = forms.ChoiceField(
        label=_("拟评等级"),
        required=False,
        choices=[("", _("全部")), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
    )


class ObjectionForm(forms.Form):
    grade = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("意见和理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplyForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("答复"),
        choices=[("no_objection", _("无异议")), ("objections", _("提交已提出的意见"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("总体意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("核验码"), max_length=64)
