from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .choices import EmployerKind, Industry, Role
from .models import Employer, Jurisdiction


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。注意：连续多次输错后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class StrongPasswordChangeForm(PasswordChangeForm):
    """Django's validators apply; the new password must differ from the initial one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-control"})

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError(_("新密码不能与当前密码相同。"))
        return password

    def save(self, commit=True):
        self.user.must_change_password = False
        return super().save(commit=commit)


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或统一社会信用代码"), required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("辖区"), queryset=Jurisdiction.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("单位类型"), choices=[("", _("全部"))] + EmployerKind.choices, required=False
    )
    industry = forms.ChoiceField(
        label=_("行业"), choices=[("", _("全部"))] + Industry.choices, required=False
    )
    street = forms.ModelChoiceField(
        label=_("乡镇街道"), queryset=Jurisdiction.objects.none(), required=False
    )
    # Filled by the grading app through employers.listing (grades are not this app's).
    grade = forms.ChoiceField(
        label=_("当前等级"),
        required=False,
        choices=[
            ("", _("全部")),
            ("A", _("A级")),
            ("B", _("B级")),
            ("C", _("C级")),
            ("D", _("D级")),
            ("U", _("未评级")),
        ],
    )
    ruleset = forms.ChoiceField(label=_("评价办法"), required=False, choices=[("", _("全部"))])


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Employer
        fields = [
            "uscc",
            "name",
            "kind",
            "jurisdiction",
            "street",
            "industry",
            "employees",
            "legal_rep",
            "address",
            "phone",
            "status",
        ]

    def __init__(self, *args, jurisdictions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions.exclude(level="street")
            self.fields["street"].queryset = jurisdictions.filter(level="street")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        if self.instance.pk:
            self.fields["uscc"].disabled = True


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GB18030 编码）或 XLSX，第一行为表头"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("文件过大（最大 50 MB）"))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("请上传 .csv 或 .xlsx 文件"))
        return upload


# --- accounts (三员分立) ------------------------------------------------------------------------


def _style(form):
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class AccessFields(forms.Form):
    """Role and scope of an account: a jurisdiction for staff, an employer (by USCC) for an
    employer account, neither for the sysadmin."""

    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    jurisdiction = forms.ModelChoiceField(
        label=_("所属辖区"),
        queryset=Jurisdiction.objects.all(),
        required=False,
        help_text=_("监察员、负责人、发布管理员和审计员必填"),
    )
    employer_uscc = forms.CharField(
        label=_("所属用人单位（统一社会信用代码）"),
        max_length=18,
        required=False,
        help_text=_("用人单位账号必填"),
        # Picked from a search of the registry (static/js/app.js), not typed from memory.
        widget=forms.TextInput(
            attrs={
                "data-employer-search": reverse_lazy("employers:search"),
                "autocomplete": "off",
                "placeholder": _("输入单位名称或统一社会信用代码，从列表中选择"),
            }
        ),
    )

    def clean_employer_uscc(self):
        from .uscc import normalize_uscc

        code = normalize_uscc(self.cleaned_data.get("employer_uscc") or "")
        if not code:
            return None
        employer = Employer.objects.filter(uscc=code).first()
        if employer is None:
            raise forms.ValidationError(
                _("统一社会信用代码“%(code)s”没有对应的用人单位") % {"code": code}
            )
        return employer

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role and role != Role.EMPLOYER:
            data["employer_uscc"] = None
        if role in (Role.EMPLOYER, Role.SYSADMIN):
            data["jurisdiction"] = None
        return data


class AccountCreateForm(AccessFields):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["username", "display_name", "email", "role", "jurisdiction", "employer_uscc"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AccessChangeForm(AccessFields):
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        if user is not None:
            kwargs.setdefault(
                "initial",
                {
                    "role": user.role,
                    "jurisdiction": user.jurisdiction_id,
                    "employer_uscc": user.employer.uscc if user.employer_id else "",
                },
            )
        super().__init__(*args, **kwargs)
        _style(self)


class AccountReasonForm(forms.Form):
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("驳回时必填"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False)
    role = forms.ChoiceField(
        label=_("角色"), choices=[("", _("全部"))] + Role.choices, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ActivationForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    code = forms.CharField(
        label=_("激活码"),
        max_length=40,
        help_text=_("审批人交给您的一次性激活码，如 ABCD-EFGH-JKLM-NPQR"),
    )
    new_password1 = forms.CharField(
        label=_("设置密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的密码不一致"))
        return data
