"""Forms for login, passwords, accounts and tokens (input parsing only; rules live in services)."""

from __future__ import annotations

from typing import Any

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.roles import ROLE_LABELS, Role, role_code
from dudao.orgs.forms import OrganisationChoiceField
from dudao.orgs.models import Organisation


class LoginForm(CatalogueErrorsMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=80)
    password = forms.CharField(label="密码", max_length=256, widget=forms.PasswordInput)


class MfaCodeForm(CatalogueErrorsMixin, forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=40,
        help_text="验证器应用中的6位数字；手机不在身边时可输入一个恢复码。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class PasswordChangeForm(CatalogueErrorsMixin, forms.Form):
    current_password = forms.CharField(label="当前密码", widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput,
        help_text="至少12位，包含大写、小写、数字、特殊字符中的至少3类，不得包含用户名。",
    )
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class UserCreateForm(CatalogueErrorsMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=40)
    full_name = forms.CharField(label="姓名", max_length=40)
    organisation = OrganisationChoiceField(label="所属单位", queryset=Organisation.objects.none())
    title = forms.CharField(label="职务", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, help_text="用户首次登录时须修改。"
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class UserEditForm(CatalogueErrorsMixin, forms.Form):
    full_name = forms.CharField(label="姓名", max_length=40)
    organisation = OrganisationChoiceField(label="所属单位", queryset=Organisation.objects.none())
    title = forms.CharField(label="职务", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class RolesForm(CatalogueErrorsMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label="角色",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(role_code(r), ROLE_LABELS[r]) for r in Role],
    )
    reason = forms.CharField(label="授权依据", max_length=200)


class ReasonForm(CatalogueErrorsMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class ResetPasswordForm(CatalogueErrorsMixin, forms.Form):
    new_password = forms.CharField(label="临时密码", widget=forms.PasswordInput)
    reason = forms.CharField(label="原因", max_length=200)


class TokenCreateForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=60, help_text="用途，如“统计局数据接口”。")
    expires_at = forms.DateField(
        label="过期日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
