"""Forms of the enterprise service pages (visits, demands and the steps of a demand)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dudao.core.forms import CatalogueErrorsMixin
from dudao.enterprises.models import DemandCategory
from dudao.orgs.models import Organisation
from dudao.orgs.rules import display_name


class DepartmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


class DemandForm(CatalogueErrorsMixin, forms.Form):
    category = forms.ChoiceField(label="诉求类别", choices=DemandCategory.choices)
    title = forms.CharField(label="诉求事项", max_length=120)
    content = forms.CharField(
        label="诉求内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    department = DepartmentChoice(label="责任部门", queryset=Organisation.objects.none())

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class VisitForm(CatalogueErrorsMixin, forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    people_met = forms.CharField(label="会见人员", max_length=200, help_text="如 张某（总经理）")
    notes = forms.CharField(
        label="走访情况", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = forms.FileField(
        label="现场照片",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="可选，JPG/PNG 照片，一次一张；照片中的位置等信息会被去除。",
    )
    raise_demand = forms.BooleanField(label="本次走访提出诉求", required=False)
    category = forms.ChoiceField(label="诉求类别", choices=DemandCategory.choices, required=False)
    title = forms.CharField(label="诉求事项", max_length=120, required=False)
    content = forms.CharField(
        label="诉求内容", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = DepartmentChoice(
        label="责任部门", queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("visited_on", timezone.localdate())


class AnswerForm(CatalogueErrorsMixin, forms.Form):
    answer = forms.CharField(
        label="答复意见", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(CatalogueErrorsMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(CatalogueErrorsMixin, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label="满意度",
        coerce=int,
        choices=[
            (5, "5 非常满意"),
            (4, "4 满意"),
            (3, "3 基本满意"),
            (2, "2 不太满意"),
            (1, "1 不满意"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label="评价意见", max_length=500, required=False)


class RerouteForm(CatalogueErrorsMixin, forms.Form):
    department = DepartmentChoice(label="改派至", queryset=Organisation.objects.none())
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class EscalateForm(CatalogueErrorsMixin, forms.Form):
    category = forms.TypedChoiceField(label="问题类别", coerce=int, choices=())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]


class SlaForm(CatalogueErrorsMixin, forms.Form):
    """One category's response limit (the page shows one form per category)."""

    category = forms.CharField(widget=forms.HiddenInput)
    workdays = forms.IntegerField(label="答复时限（工作日）", min_value=1, max_value=120)
    source_doc = forms.CharField(label="依据", max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(CatalogueErrorsMixin, forms.Form):
    officer = forms.CharField(
        label="联企干部用户名", max_length=40, help_text="任何单位的业务账户，填写其登录用户名。"
    )
    valid_from = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))


class BindAccountForm(CatalogueErrorsMixin, forms.Form):
    username = forms.CharField(
        label="企业账户用户名",
        max_length=40,
        help_text="系统管理员已建立、安全管理员已授予“企业”角色的账户，填写其登录用户名。",
    )


class EndAssignmentForm(CatalogueErrorsMixin, forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    valid_to = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
