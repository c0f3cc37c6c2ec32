from django import forms
from django.utils.translation import gettext_lazy as _


class NoticeStartForm(forms.Form):
    """SPEC §8 [r2]: the public notice page shows what the publisher enters here."""

    start = forms.DateField(
        label=_("公示开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    title = forms.CharField(label=_("公示标题"), max_length=200)
    document_no = forms.CharField(
        label=_("文号"), max_length=100, help_text=_("例如：郏人社〔2025〕12号")
    )
    how_to_object = forms.CharField(
        label=_("异议方式"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    contact = forms.CharField(
        label=_("联系方式"), max_length=300, help_text=_("联系人、电话、地址")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class ProposalConfirmForm(forms.Form):
    public_note = forms.CharField(
        label=_("公告说明"),
        max_length=200,
        help_text=_("随调整公告公开，不得含个人信息"),
    )


class ProposalDismissForm(forms.Form):
    note = forms.CharField(label=_("不予调整的理由"), max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)


class AdjustmentForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    new_grade = forms.ChoiceField(label=_("调整后等级"))
    effective_date = forms.DateField(
        label=_("调整日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    public_note = forms.CharField(
        label=_("公告说明"),
        max_length=200,
        help_text=_("随调整公告公开，例如“经复评调整”，不得含个人信息"),
    )
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label=_("依据文书或案件"), max_length=100, required=False)

    def __init__(self, *args, grades=("A", "B", "C", "D"), **kwargs):
        super().__init__(*args, **kwargs)
        # No risky preselection (issue 11 item 4): the new grade starts empty.
        self.fields["new_grade"].choices = [("", _("请选择"))] + [
            (g, _("%(grade)s级") % {"grade": g}) for g in grades
        ]

    def clean_uscc(self):
        return self.cleaned_data["uscc"].strip().upper()


class PublicFilterForm(forms.Form):
    """The public search across jurisdictions and years (issue 11 item 7)."""

    q = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)
    jurisdiction = forms.ModelChoiceField(
        label=_("评价单位所在地"), queryset=None, required=False, empty_label=_("全部地区")
    )
    year = forms.TypedChoiceField(
        label=_("评价年度"), coerce=int, required=False, empty_value=None, choices=()
    )
    grade = forms.ChoiceField(label=_("等级"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        from .selectors import published_jurisdictions, published_years

        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = published_jurisdictions()
        self.fields["year"].choices = [("", _("全部年度"))] + [
            (y, str(y)) for y in published_years()
        ]
        self.fields["grade"].choices = [("", _("全部等级"))] + [
            (g, _("%(g)s级") % {"g": g}) for g in "ABCD"
        ]

    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return bool(
            (data.get("q") or "").strip()
            or data.get("jurisdiction")
            or data.get("year")
            or data.get("grade")
        )
