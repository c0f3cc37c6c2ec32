from django import forms
from django.utils.translation import gettext_lazy as _


class NoticeStartForm(forms.Form):
    start = forms.DateField(label=_("公示开始日期"), widget=forms.DateInput(attrs={"type": "date"}))


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
        self.fields["new_grade"].choices = [(g, _("%(grade)s级") % {"grade": g}) for g in grades]

    def clean_uscc(self):
        return self.cleaned_data["uscc"].strip().upper()
