"""Organisation forms (input parsing; rules live in dudao.orgs.services)."""

from __future__ import annotations

from typing import Any

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.unitpicker import UnitTreeSelect
from dudao.orgs.models import Organisation
from dudao.regions.models import Region

TYPE_DEFAULT = "按类型默认"


class OrganisationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}"


class OrganisationForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="单位名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    code = forms.CharField(
        label="单位编码", max_length=40, help_text="导入文件中引用本单位的编码。字母、数字、-、_。"
    )
    kind = forms.ChoiceField(label="类型", choices=Organisation.Kind.choices)
    parent = OrganisationChoiceField(
        label="上级单位", queryset=Organisation.objects.none(), widget=UnitTreeSelect
    )
    scope_base = forms.ChoiceField(
        label="数据范围",
        choices=[("", TYPE_DEFAULT), *Organisation.ScopeBase.choices],
        required=False,
        initial="",
        help_text="按类型默认：督查室、发改委、商务局、统计局和部门看其上级单位的全部下级；"
        "政府和园区管委会看本单位及下级单位。",
    )
    region = forms.ModelChoiceField(label="行政区划", queryset=Region.objects.all(), required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    sort_order = forms.IntegerField(label="排序", initial=0, required=False)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = organisations  # type: ignore[attr-defined]


class OrganisationEditForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="单位名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    code = forms.CharField(label="单位编码", max_length=40)
    kind = forms.ChoiceField(label="类型", choices=Organisation.Kind.choices)
    scope_base = forms.ChoiceField(label="数据范围", choices=Organisation.ScopeBase.choices)
    region = forms.ModelChoiceField(label="行政区划", queryset=Region.objects.all(), required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    sort_order = forms.IntegerField(label="排序", required=False)
    is_active = forms.BooleanField(label="启用", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
