from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import GradeLetter, RunKind


class RunStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=RunKind.choices)
    year = forms.IntegerField(label=_("评价年度"), required=False, min_value=1994)
    jurisdiction = forms.ModelChoiceField(label=_("评价辖区"), queryset=None)

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        self.fields["year"].max_value = timezone.localdate().year
        self.fields["year"].initial = timezone.localdate().year - 1

    def clean(self):
        data = super().clean()
        if data.get("kind") == RunKind.CYCLE and not data.get("year"):
            self.add_error("year", _("年度评价必须指定评价年度"))
        year = data.get("year")
        if year and year > timezone.localdate().year:
            self.add_error("year", _("评价年度不能晚于今年"))
        return data


# Grades whose employers get a written notice (SPEC §8 [r2]): the override must state its basis.
NOTICE_GRADES = ("C", "D")


class OverrideProposeForm(forms.Form):
    proposed_grade = forms.ChoiceField(label=_("建议等级"), choices=())
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
    cited_rules = forms.MultipleChoiceField(label=_("依据条款"), required=False, choices=())

    def __init__(self, *args, grades=(), rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(g, g) for g in grades] + [("", str(GradeLetter.UNGRADED.label))]
        self.fields["proposed_grade"].choices = choices
        self.fields["proposed_grade"].required = False
        self.fields["cited_rules"].choices = [(r.code, r.article) for r in rules if r.grade]

    def clean(self):
        data = super().clean()
        if data.get("proposed_grade") in NOTICE_GRADES and not data.get("cited_rules"):
            self.add_error(
                "cited_rules",
                _("拟评为C级或D级的，请选择所依据的条款（将写入书面告知书）"),
            )
        return data


class OverrideDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("批准")), ("reject", _("驳回"))]
    )
    note = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExemplaryForm(forms.Form):
    employer = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("选树原因"), widget=forms.Textarea(attrs={"rows": 2}))
