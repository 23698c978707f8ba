"""Forms of 重大项目 (input parsing only; the rules live in services.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from dudao.core.exceptions import DomainError
from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.periods import Period, parse_month
from dudao.orgs.models import Organisation
from dudao.parks.selectors import reference_parks
from dudao.projects.models import (
    MilestoneNode,
    Project,
    ProjectCategory,
    ProjectList,
    ProjectSettings,
    QuarterTarget,
)


def _limit(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Offer only `queryset` in a model choice field (the actor's scope)."""
    if not isinstance(field, forms.ModelChoiceField):  # pragma: no cover - a programming error
        raise TypeError("not a model choice field")
    field.queryset = queryset


class ProjectForm(CatalogueErrorsMixin, forms.Form):
    code = forms.CharField(
        label="项目代码",
        max_length=24,
        required=False,
        help_text=(
            "全国投资项目在线审批监管平台 24 位代码，如 2509-410100-89-01-544060；前期项目可暂缺。"
        ),
    )
    name = forms.CharField(label="项目名称", max_length=120)
    category = forms.ModelChoiceField(label="项目类别", queryset=ProjectCategory.objects.none())
    stage = forms.ChoiceField(label="建设阶段", choices=Project.Stage.choices)
    build_nature = forms.ChoiceField(label="建设性质", choices=Project.BuildNature.choices)
    level = forms.ChoiceField(label="项目级别", choices=Project.Level.choices)
    lists = forms.ModelMultipleChoiceField(
        label="所属名单", queryset=ProjectList.objects.none(), required=False
    )
    county = forms.ModelChoiceField(label="所在县（市、区）", queryset=Organisation.objects.none())
    park = forms.ModelChoiceField(
        label="所在园区", queryset=reference_parks().none(), required=False
    )
    industry_code = forms.CharField(
        label="国民经济行业代码", max_length=5, required=False, help_text="GB/T 4754 小类 4 位。"
    )
    builder_name = forms.CharField(label="建设单位", max_length=100, required=False)
    builder_uscc = forms.CharField(label="建设单位统一社会信用代码", max_length=18, required=False)
    total_investment = forms.DecimalField(
        label="总投资（万元）", min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    invest_before = forms.DecimalField(
        label="纳入系统前累计完成投资（万元）",
        min_value=Decimal(0),
        initial=0,
        max_digits=14,
        decimal_places=2,
    )
    description = forms.CharField(label="建设内容及规模", widget=forms.Textarea, required=False)
    responsible_unit = forms.CharField(label="责任单位", max_length=100, required=False)
    lead_leader = forms.CharField(label="包联领导", max_length=60, required=False)
    liaison = forms.CharField(label="联络员", max_length=40, required=False)
    liaison_phone = forms.CharField(label="联络电话", max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, counties: Any, parks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["county"], counties)
        _limit(self.fields["park"], parks)
        _limit(self.fields["category"], ProjectCategory.objects.filter(is_active=True))
        _limit(self.fields["lists"], ProjectList.objects.filter(is_active=True))
        self.nodes = list(MilestoneNode.objects.filter(is_active=True).order_by("sort_order"))
        for node in self.nodes:
            self.fields[f"plan_{node.code}"] = forms.DateField(
                label=f"{node.name}·计划",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"actual_{node.code}"] = forms.DateField(
                label=f"{node.name}·实际",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def milestones(self) -> dict[str, tuple[Any, Any]]:
        data = self.cleaned_data
        return {
            n.code: (data.get(f"plan_{n.code}"), data.get(f"actual_{n.code}")) for n in self.nodes
        }

    def project_fields(self) -> dict[str, Any]:
        skip = {"lists", "version"}
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in skip and not k.startswith(("plan_", "actual_"))
        }


class PlanForm(CatalogueErrorsMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    planned_investment = forms.DecimalField(
        label="年度计划投资（万元）", min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    curve = forms.CharField(
        label="按月计划累计投资（可选）",
        required=False,
        help_text="12 个数，用逗号分隔，第 N 个为 1–N 月计划累计（万元），最后一个等于年度计划。",
    )
    planned_nodes = forms.ModelMultipleChoiceField(
        label="年内计划完成节点",
        queryset=MilestoneNode.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_curve(self) -> list[Decimal] | None:
        text = self.cleaned_data.get("curve", "").replace("，", ",").strip()
        if not text:
            return None
        try:
            return [Decimal(x.strip()) for x in text.split(",")]
        except ArithmeticError:
            raise forms.ValidationError("请填写 12 个数字，用逗号分隔。") from None


class ReportForm(CatalogueErrorsMixin, forms.Form):
    invest_month = forms.DecimalField(label="本月完成投资（万元）", max_digits=14, decimal_places=2)
    funds_month = forms.DecimalField(
        label="本月资金到位（万元）", required=False, max_digits=14, decimal_places=2
    )
    node = forms.ModelChoiceField(
        label="本月达到节点", queryset=MilestoneNode.objects.filter(is_active=True), required=False
    )
    node_date = forms.DateField(label="节点日期", required=False)
    progress_text = forms.CharField(label="形象进度", max_length=300, required=False)
    has_problem = forms.BooleanField(label="存在问题", required=False)
    problem_text = forms.CharField(label="问题描述", max_length=500, required=False)
    next_steps = forms.CharField(label="下步计划", max_length=300, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)
    version = forms.IntegerField(required=False)
    request_id = forms.CharField(max_length=64, required=False)


class ReturnForm(CatalogueErrorsMixin, forms.Form):
    reason = forms.CharField(label="退回原因", max_length=300)


class MonthInput(forms.TextInput):
    """The browser's month picker (<input type="month">, value YYYY-MM)."""

    input_type = "month"


class LockForm(CatalogueErrorsMixin, forms.Form):
    period = forms.CharField(
        label="月份", max_length=7, widget=MonthInput, help_text="选择要锁定的月份"
    )
    county = forms.ModelChoiceField(
        label="县（市、区）",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="全市",
    )

    def __init__(self, *args: Any, counties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["county"], counties)

    def clean_period(self) -> Period:
        """The month, read by the one parser of "YYYY-MM" (core/periods)."""
        try:
            return parse_month(self.cleaned_data["period"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


class UnlockForm(CatalogueErrorsMixin, forms.Form):
    reason = forms.CharField(label="解锁原因", max_length=300)


if TYPE_CHECKING:
    _SettingsModelForm = forms.ModelForm[ProjectSettings]
else:
    _SettingsModelForm = forms.ModelForm


class SettingsForm(CatalogueErrorsMixin, _SettingsModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProjectSettings
        fields = [
            "lag_yellow_from",
            "lag_red_above",
            "start_yellow_from",
            "start_red_from",
            "jump_ratio",
            "deadline_days",
            "deadline_kind",
        ]


class TargetForm(CatalogueErrorsMixin, forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）", queryset=Organisation.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label="季度", min_value=1, max_value=4)
    metric = forms.ChoiceField(label="指标", choices=QuarterTarget.Metric.choices)
    target = forms.IntegerField(label="目标个数", min_value=0)

    def __init__(self, *args: Any, counties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["county"], counties)


class PhotoForm(CatalogueErrorsMixin, forms.Form):
    photo = forms.FileField(label="现场照片")
