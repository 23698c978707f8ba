"""Forms of the 招商引资 pages (shape only; the rules live in services)."""

from __future__ import annotations

from typing import Any

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.unitpicker import UnitTreeSelect
from dudao.investment.models import Deal, Stage

DATE = forms.DateInput(attrs={"type": "date"})
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class DealForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="项目名称", max_length=120)
    investor = forms.CharField(label="投资方", max_length=120)
    investor_origin = forms.ChoiceField(label="资金来源", choices=Deal.Origin.choices)
    is_fortune500 = forms.BooleanField(label="500强企业", required=False)
    responsible_org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="责任单位", queryset=None, widget=UnitTreeSelect
    )
    leader = forms.CharField(label="包联领导", max_length=40, required=False)
    chain: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="产业链", queryset=None, required=False
    )
    industry_code = forms.CharField(label="国民经济行业代码（4位）", max_length=4, required=False)
    zone_level = forms.ChoiceField(label="落地园区级别", choices=Deal.ZoneLevel.choices)
    signing_kind = forms.ChoiceField(label="签约类型", choices=Deal.SigningKind.choices)
    lead_on = forms.DateField(label="线索日期", widget=DATE, required=False)
    contract_investment = forms.DecimalField(
        label="合同投资额（万元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    fixed_asset_investment = forms.DecimalField(
        label="固定资产投资（万元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    out_of_province_amount = forms.DecimalField(
        label="省外资金（万元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    foreign_amount = forms.DecimalField(
        label="外资（万元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    land_mu = forms.DecimalField(
        label="用地面积（亩）", min_value=0, max_digits=12, decimal_places=2, required=False
    )
    expected_output = forms.DecimalField(
        label="达产后年产值（万元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    expected_tax = forms.DecimalField(
        label="达产后年税收（万元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    expected_roi = forms.DecimalField(
        label="投资回报率（%）", max_digits=7, decimal_places=2, required=False
    )
    plot_ratio = forms.DecimalField(
        label="容积率", min_value=0, max_digits=6, decimal_places=2, required=False
    )
    building_coverage = forms.DecimalField(
        label="建筑系数（%）", min_value=0, max_digits=6, decimal_places=2, required=False
    )
    energy_intensity = forms.DecimalField(
        label="单位产值能耗（吨标准煤/万元）",
        min_value=0,
        max_digits=10,
        decimal_places=4,
        required=False,
    )
    rd_intensity = forms.DecimalField(
        label="研发投入强度（%）", min_value=0, max_digits=6, decimal_places=2, required=False
    )
    pollution_class = forms.ChoiceField(label="污染等级", choices=Deal.Pollution.choices)
    tech_level = forms.ChoiceField(
        label="技术水平", choices=Deal.Tech.choices, initial=Deal.Tech.MEDIUM
    )
    planned_production_on = forms.DateField(label="计划投产日期", widget=DATE, required=False)

    def __init__(self, *args: Any, orgs: Any, chains: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["chain"].queryset = chains  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in (
            "contract_investment",
            "fixed_asset_investment",
            "out_of_province_amount",
            "foreign_amount",
        ):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class TransitionForm(CatalogueErrorsMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[("advance", "推进"), ("back", "退回"), ("terminate", "终止")]
    )
    version = forms.IntegerField(min_value=1)
    on = forms.DateField(required=False)
    evidence = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False, max_length=2000)
    agreement_type = forms.ChoiceField(choices=[("", ""), *Deal.Agreement.choices], required=False)
    signing_event = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    uscc = forms.CharField(max_length=30, required=False)
    project_code = forms.CharField(max_length=30, required=False)
    to_stage = forms.ChoiceField(choices=[("", ""), *Stage.choices], required=False)
    reason = forms.ChoiceField(choices=[("", ""), *Deal.TerminationReason.choices], required=False)


class OverrideForm(CatalogueErrorsMixin, forms.Form):
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=2000, required=False)


class PromoteForm(CatalogueErrorsMixin, forms.Form):
    version = forms.IntegerField(min_value=1)
    category = forms.IntegerField(min_value=1, max_value=2**62)
    level = forms.ChoiceField(
        choices=[("province", "省重点"), ("city", "市重点"), ("county", "县重点")]
    )


class FundsForm(CatalogueErrorsMixin, forms.Form):
    month = forms.CharField(label="月份", max_length=7)
    amount = forms.DecimalField(
        label="到位资金（万元）", max_digits=14, decimal_places=2, min_value=0
    )
    evidence = forms.CharField(label="佐证", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


class VerifyForm(CatalogueErrorsMixin, forms.Form):
    version = forms.IntegerField(min_value=1)


class SendForm(CatalogueErrorsMixin, forms.Form):
    category = forms.IntegerField(min_value=1, max_value=2**62)
    note = forms.CharField(max_length=2000, required=False)


class SendTaskForm(CatalogueErrorsMixin, forms.Form):
    deadline = forms.DateField(required=False)
    note = forms.CharField(max_length=2000, required=False)


class PeriodForm(CatalogueErrorsMixin, forms.Form):
    number = forms.IntegerField(min_value=1, max_value=10_000)
    held_on = forms.DateField()
    venue = forms.CharField(max_length=80, required=False)


class EntryForm(CatalogueErrorsMixin, forms.Form):
    propose = forms.BooleanField(required=False)
    list_kind = forms.ChoiceField(
        choices=[
            ("", ""),
            ("signing", "签约一批"),
            ("start", "开工一批"),
            ("production", "投产一批"),
        ],
        required=False,
    )
    code = forms.CharField(max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("propose") and (not data.get("list_kind") or not data.get("code")):
            raise forms.ValidationError("请选择名单并填写项目编号。")
        return data
