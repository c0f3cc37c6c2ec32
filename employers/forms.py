from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .choices import EmployerKind, Industry
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
