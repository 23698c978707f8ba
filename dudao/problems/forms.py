"""Forms of the problem ledger pages (validation of shape only; rules live in services)."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.unitpicker import UnitTreeSelect
from dudao.orgs.models import Organisation
from dudao.problems.models import Problem, ProblemCategory, ProblemEvidence, ProblemLightRule
from dudao.problems.services import TRANSITIONS
from dudao.workdays.calendar import DeadlineKind

DATE = forms.DateInput(attrs={"type": "date"})

# What a choice field is once its queryset is set per request (django-stubs types
# `fields[name]` as a plain Field).
_Choice: TypeAlias = "forms.ModelChoiceField[Any]"


class OrgChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(0, obj.depth - 2)}{obj.name}"


class ProblemForm(CatalogueErrorsMixin, forms.Form):
    source = forms.ChoiceField(label="问题来源", choices=Problem.Source.choices)
    source_ref = forms.CharField(
        label="来源记录", max_length=60, required=False, help_text="如观摩活动名称、督查通报文号。"
    )
    category = forms.ModelChoiceField(label="问题类别", queryset=ProblemCategory.objects.none())
    title = forms.CharField(label="问题", max_length=120)
    description = forms.CharField(label="问题描述", required=False, widget=forms.Textarea)
    severity = forms.ChoiceField(label="严重程度", choices=Problem.Severity.choices)
    responsible_org = OrgChoiceField(
        label="责任单位", queryset=Organisation.objects.none(), widget=UnitTreeSelect
    )
    responsible_person = forms.CharField(label="责任人", max_length=40, required=False)
    county = forms.ModelChoiceField(
        label="所在县（市、区）",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="选择关联项目时默认取项目所在县。",
    )
    project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="关联项目", queryset=None, required=False
    )
    park: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="关联园区", queryset=None, required=False
    )
    deadline = forms.DateField(
        label="整改时限",
        required=False,
        widget=DATE,
        help_text="不填则按问题类别的默认时限计算（工作日类别跳过节假日和周末）。",
    )
    found_on = forms.DateField(label="发现日期", required=False, widget=DATE)
    measures = forms.CharField(label="整改措施", required=False, widget=forms.Textarea)

    def __init__(
        self,
        *args: Any,
        organisations: Any,
        counties: Any,
        projects: Any,
        parks: Any,
        categories: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(_Choice, self.fields["responsible_org"]).queryset = organisations
        cast(_Choice, self.fields["county"]).queryset = counties
        cast(_Choice, self.fields["project"]).queryset = projects
        cast(_Choice, self.fields["category"]).queryset = categories
        cast(_Choice, self.fields["park"]).queryset = parks
        sla = "；".join(f"{c.name} {c.sla_label}" for c in categories)
        self.fields["category"].help_text = f"默认整改时限：{sla}。"


class ProblemEditForm(ProblemForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(CatalogueErrorsMixin, forms.Form):
    action = forms.ChoiceField(choices=[(k, t.label) for k, t in TRANSITIONS.items()])
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="新的整改时限", required=False, widget=DATE)


class EvidenceForm(CatalogueErrorsMixin, forms.Form):
    stage = forms.ChoiceField(label="阶段", choices=ProblemEvidence.Stage.choices)
    file = forms.FileField(
        label="照片或文件",
        help_text=(
            "照片（JPG、PNG、WebP，≤15 MB，自动去除位置信息）或 PDF、Word、Excel 文件（≤20 MB）。"
        ),
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class CategoryForm(CatalogueErrorsMixin, forms.Form):
    category = forms.ModelChoiceField(queryset=ProblemCategory.objects.all())
    sla_days = forms.IntegerField(label="默认整改时限", min_value=1, max_value=3660)
    sla_unit = forms.ChoiceField(label="单位", choices=DeadlineKind.choices)
    is_active = forms.BooleanField(label="启用", required=False)


class LightRuleForm(CatalogueErrorsMixin, forms.Form):
    """One light rule's thresholds (empty: the rule gives no such colour)."""

    rule = forms.ModelChoiceField(queryset=ProblemLightRule.objects.all())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    yellow_from = forms.DecimalField(
        label="黄灯阈值", max_digits=8, decimal_places=2, min_value=-999, required=False
    )
    red_from = forms.DecimalField(
        label="红灯阈值", max_digits=8, decimal_places=2, min_value=-999, required=False
    )
    is_active = forms.BooleanField(label="启用", required=False)
