from django import forms
from django.utils.translation import gettext_lazy as _

from credit_records.choices import Severity, WrittenReviewResult
from employers.choices import JurisdictionLevel
from employers.selectors import visible_jurisdictions

from .choices import Area, AreaFinding, Handling, HoursSystem
from .models import Declaration, ReviewPlan
from .services import DECLARATION_FIELDS, PLAN_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.ModelForm):
    class Meta:
        model = ReviewPlan
        fields = PLAN_FIELDS
        help_texts = {
            "ratio_a": _("不高于 3%（按比例计算后向下取整）"),
            "ratio_b": _("不高于 50%（向下取整）"),
            "ratio_c": _("不低于 95%（向上取整）"),
            "ratio_d": _("不低于 95%（向上取整）"),
            "ratio_ungraded": _("没有已公布等级的单位（向上取整）"),
            "workers_base": _("职工人数不超过此数时全部抽查"),
        }


class NewPlanForm(PlanForm):
    jurisdiction = forms.ModelChoiceField(label=_("辖区"), queryset=None)
    year = forms.IntegerField(label=_("审查年度"), min_value=2000, max_value=2100)

    class Meta(PlanForm.Meta):
        # enterprises_only follows the jurisdiction's rule set (jiangjin: enterprises only) and
        # can be changed on the plan's edit page before the draw.
        fields = ["jurisdiction", "year", *(f for f in PLAN_FIELDS if f != "enterprises_only")]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = visible_jurisdictions(user).exclude(
            level=JurisdictionLevel.STREET
        )
        self.fields["jurisdiction"].label_from_instance = lambda j: j.full_name
        self.order_fields(["jurisdiction", "year"])


class ManualAdditionForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    reason = forms.CharField(label=_("增加理由"), max_length=300)


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("随机种子"),
        required=False,
        min_value=0,
        max_value=10**15,
        help_text=_("留空由系统随机生成；抽取后种子与候选名单一并保存，任何人可据此重新演算"),
    )


def _yes_no(label, yes=None, no=None):
    yes, no = yes or _("有"), no or _("无")
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[("", _("请选择")), ("1", yes), ("0", no)],
        coerce=lambda v: v == "1",
        empty_value=None,
    )


class DeclarationForm(forms.ModelForm):
    hours_systems = forms.MultipleChoiceField(
        label=_("工时制度"),
        required=False,
        choices=HoursSystem.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    payroll_concealed = _yes_no(_("有无瞒报工资总额和人数情况"))
    wage_violation = _yes_no(_("有无违反工资支付规定的情况"))
    hours_violation = _yes_no(_("有无违反工作时间规定的情况"))
    sanctioned = _yes_no(_("是否受到过劳动保障监察行政处理或行政处罚"), _("是"), _("否"))
    payday = forms.IntegerField(
        label=_("每月支付工资日"), required=False, min_value=1, max_value=31
    )

    class Meta:
        model = Declaration
        fields = list(DECLARATION_FIELDS)  # one list, the services' (they save the same fields)
        widgets = {"self_check_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("payroll_concealed", "wage_violation", "hours_violation", "sanctioned"):
            value = getattr(self.instance, name, None)
            if value is not None and not self.is_bound:
                self.initial[name] = "1" if value else "0"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("职工花名册（CSV 或 XLSX）"))


class ReturnForm(forms.Form):
    reasons = forms.CharField(
        label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class FindingsForm(forms.Form):
    opinion = forms.CharField(
        label=_("审查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in Area:
            self.fields[area.value] = forms.ChoiceField(
                label=area.label,
                required=False,
                choices=[("", _("请选择")), *AreaFinding.choices],
            )
        self.order_fields([*Area.values, "opinion"])


class ProblemForm(forms.Form):
    area = forms.ChoiceField(label=_("审查事项"), choices=Area.choices)
    description = forms.CharField(
        label=_("问题"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    legal_basis = forms.CharField(label=_("法律依据"), max_length=300)
    is_violation = forms.BooleanField(
        label=_("认定为劳动保障违法行为（审批后记入信用记录）"), required=False, initial=True
    )
    severity = forms.ChoiceField(label=_("情节"), choices=Severity.choices, initial="minor")
    handling = forms.ChoiceField(label=_("处理方式"), choices=Handling.choices)


class ProposeForm(forms.Form):
    result = forms.ChoiceField(
        label=_("建议审查结论"), choices=[("", _("请选择")), *WrittenReviewResult.choices]
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("同意")), ("reject", _("退回重审"))]
    )
    note = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseForm(forms.Form):
    case_no = forms.CharField(label=_("立案编号"), max_length=64)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class ReportDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核验结果"), choices=[("accept", _("通过")), ("reject", _("不予通过"))]
    )
    note = forms.CharField(label=_("核验意见"), required=False, max_length=2000)


class LateOrderForm(forms.Form):
    new_due_date = forms.DateField(label=_("限期申报日期"), widget=DateInput)
    document_no = forms.CharField(label=_("文书号"), required=False, max_length=100)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)


class ObstructionForm(forms.Form):
    date = forms.DateField(label=_("发生日期"), widget=DateInput)
    summary = forms.CharField(
        label=_("拒不申报的情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
