"""Forms of 督查督办 pages: parse and check types; the services check the rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias, cast

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.core.unitpicker import UnitChoiceField, UnitMultipleChoiceField
from dudao.orgs.models import Organisation
from dudao.supervision.models import SupervisionTask, TaskCategory, TaskSource

# What a choice field is once its queryset is set per request (django-stubs types
# `fields[name]` as a plain Field).
_Choice: TypeAlias = "forms.ModelChoiceField[Any]"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files (the services check type and size with clean_document)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SourceForm(CatalogueErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="来源类型", choices=TaskSource.Kind.choices)
    title = forms.CharField(label="名称", max_length=120)
    source_date = forms.DateField(label="日期", widget=DATE)
    doc_number = forms.CharField(label="文号", max_length=60, required=False)
    leader_name = forms.CharField(label="批示领导", max_length=40, required=False)
    text = forms.CharField(
        label="内容摘要/批示原文", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    attachments = MultipleFileField(
        label="附件", help_text="PDF、Word、Excel 或图片，单个不超过 20 MB。"
    )


class TaskForm(CatalogueErrorsMixin, forms.Form):
    source = forms.ModelChoiceField(label="任务来源", queryset=TaskSource.objects.none())
    title = forms.CharField(label="任务名称", max_length=120)
    category = forms.ModelChoiceField(
        label="任务类别", queryset=TaskCategory.objects.filter(is_active=True), required=False
    )
    content = forms.CharField(
        label="工作任务", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    goal = forms.CharField(
        label="工作目标", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lead_org = UnitChoiceField(
        label="牵头单位（责任主体）", queryset=Organisation.objects.none(), required=False
    )
    co_orgs = UnitMultipleChoiceField(
        label="配合单位", queryset=Organisation.objects.none(), required=False
    )
    responsible_person = forms.CharField(label="责任人", max_length=40, required=False)
    lead_leader = forms.CharField(label="包联领导", max_length=40, required=False)
    deadline_mode = forms.ChoiceField(
        label="时限方式", choices=SupervisionTask.DeadlineMode.choices, initial="date"
    )
    deadline = forms.DateField(label="完成时限（指定日期）", widget=DATE, required=False)
    deadline_amount = forms.IntegerField(
        label="时限天数（交办后N日）", min_value=1, max_value=3650, required=False
    )
    feedback_cycle = forms.ChoiceField(
        label="反馈周期", choices=SupervisionTask.Cycle.choices, initial="monthly"
    )
    urgency = forms.ChoiceField(
        label="紧急程度", choices=SupervisionTask.Urgency.choices, initial="normal"
    )
    milestones = forms.CharField(
        label="节点计划",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-06-30｜完成方案编制｜30"}),
        help_text="每行一个节点：日期｜节点目标｜应达进度（%），用“｜”或“|”分隔。",
    )
    weight = forms.DecimalField(
        label="权重（分解任务时）",
        min_value=0.01,
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text="在上级任务进度汇总中的权重；留空按同级已填权重的平均值计。",
    )

    def clean_milestones(self) -> list[tuple[date, str, Decimal]]:
        return parse_milestones(self.cleaned_data.get("milestones") or "")

    def __init__(
        self,
        *args: Any,
        sources: Any,
        organisations: Any,
        parent: SupervisionTask | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(_Choice, self.fields["source"]).queryset = sources
        cast(_Choice, self.fields["lead_org"]).queryset = organisations
        cast(_Choice, self.fields["co_orgs"]).queryset = organisations
        if parent is not None:
            del self.fields["source"]
        else:
            del self.fields["weight"]


def parse_milestones(text: str) -> list[tuple[date, str, Decimal]]:
    """Lines "YYYY-MM-DD｜目标｜进度" → (due, description, expected progress); Chinese errors."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[｜|]", line)]
        if len(parts) != 3:
            raise forms.ValidationError(f"第 {n} 行应为“日期｜节点目标｜应达进度”三项。")
        try:
            due = date.fromisoformat(parts[0])
        except ValueError:
            raise forms.ValidationError(f"第 {n} 行的日期应为 YYYY-MM-DD。") from None
        try:
            expected = Decimal(parts[2].rstrip("%％"))
        except InvalidOperation:
            raise forms.ValidationError(f"第 {n} 行的应达进度应为 0–100 的数字。") from None
        if not (0 <= expected <= 100) or not parts[1]:
            raise forms.ValidationError(f"第 {n} 行的节点目标不能为空，应达进度应在 0–100 之间。")
        out.append((due, parts[1], expected))
    return out


class FeedbackForm(CatalogueErrorsMixin, forms.Form):
    progress = forms.DecimalField(
        label="目前进度（%）", min_value=0, max_value=100, decimal_places=2
    )
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(
        label="存在问题", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    next_steps = forms.CharField(
        label="下一步措施", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    attachments = MultipleFileField(label="佐证材料")


class CloseoutForm(CatalogueErrorsMixin, forms.Form):
    text = forms.CharField(label="完成情况", widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label="佐证材料（必传）")


class VerifyForm(CatalogueErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label="核查结论", choices=[("pass", "核查通过，予以销号"), ("return", "退回重办")]
    )
    note = forms.CharField(
        label="核查意见/退回原因", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ExtensionForm(CatalogueErrorsMixin, forms.Form):
    new_deadline = forms.DateField(label="申请完成时限", widget=DATE)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))
    progress_note = forms.CharField(
        label="目前进展", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecisionForm(CatalogueErrorsMixin, forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "批准"), ("refuse", "不批准")])
    note = forms.CharField(
        label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RuleForm(CatalogueErrorsMixin, forms.Form):
    label = forms.CharField(label="规则说明", max_length=120)
    yellow_from = forms.DecimalField(
        label="黄灯阈值", max_digits=8, decimal_places=2, required=False
    )
    red_from = forms.DecimalField(label="红灯阈值", max_digits=8, decimal_places=2, required=False)
    grey_from = forms.DecimalField(label="灰灯阈值", max_digits=8, decimal_places=2, required=False)
    is_active = forms.BooleanField(label="启用", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CascadeForm(CatalogueErrorsMixin, forms.Form):
    """One task for many units (一次交办多个单位): the common part, entered once.

    Each chosen unit's row (`unit-<id>-…` fields, parsed by `unit_rows`) may override the
    inherited 工作任务, 工作目标, 紧急程度 and 节点计划 and has its own weight and deadline.
    """

    source = forms.ModelChoiceField(label="任务来源", queryset=TaskSource.objects.none())
    title = forms.CharField(label="任务名称", max_length=120)
    units = UnitMultipleChoiceField(
        label="责任单位（可多选）",
        queryset=Organisation.objects.none(),
        error_messages={"required": "请至少选择一个责任单位。"},
    )
    category = forms.ModelChoiceField(
        label="任务类别", queryset=TaskCategory.objects.filter(is_active=True), required=False
    )
    content = forms.CharField(
        label="工作任务", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    goal = forms.CharField(
        label="工作目标", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    urgency = forms.ChoiceField(
        label="紧急程度", choices=SupervisionTask.Urgency.choices, initial="normal"
    )
    feedback_cycle = forms.ChoiceField(
        label="反馈周期", choices=SupervisionTask.Cycle.choices, initial="monthly"
    )
    lead_leader = forms.CharField(label="包联领导", max_length=40, required=False)
    deadline_mode = forms.ChoiceField(
        label="时限方式", choices=SupervisionTask.DeadlineMode.choices, initial="date"
    )
    deadline = forms.DateField(
        label="完成时限（指定日期）",
        widget=DATE,
        required=False,
        help_text="各单位可在下表单独填写完成时限；留空的按此处计算。",
    )
    deadline_amount = forms.IntegerField(
        label="时限天数（交办后N日）", min_value=1, max_value=3650, required=False
    )
    milestones = forms.CharField(
        label="节点计划",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-06-30｜完成方案编制｜30"}),
        help_text="每行一个节点：日期｜节点目标｜应达进度（%），用“｜”或“|”分隔。",
    )

    def __init__(
        self,
        *args: Any,
        sources: Any,
        organisations: Any,
        parent: SupervisionTask | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(_Choice, self.fields["source"]).queryset = sources
        cast(_Choice, self.fields["units"]).queryset = organisations
        if parent is not None:
            del self.fields["source"]

    def clean_milestones(self) -> list[tuple[date, str, Decimal]]:
        return parse_milestones(self.cleaned_data.get("milestones") or "")


@dataclass
class UnitRow:
    """One chosen unit's row as posted (strings, for re-display) and parsed."""

    org: Organisation
    weight: str = ""
    deadline: str = ""
    content: str = ""
    goal: str = ""
    urgency: str = ""
    milestones: str = ""


def unit_rows(data: Any, orgs: Sequence[Organisation]) -> list[UnitRow]:
    """The posted `unit-<id>-<field>` values of the chosen units, in the order chosen."""
    rows = []
    for org in orgs:
        prefix = f"unit-{org.pk}-"
        rows.append(
            UnitRow(
                org=org,
                **{
                    name: str(data.get(prefix + name, "")).strip()
                    for name in ("weight", "deadline", "content", "goal", "urgency", "milestones")
                },
            )
        )
    return rows


def parse_unit_row(row: UnitRow) -> dict[str, Any]:
    """A row's values as typed; a wrong value raises a ValidationError naming the unit."""
    name = row.org.name
    out: dict[str, Any] = {"weight": None, "deadline": None, "milestones": None, "overrides": {}}
    if row.weight:
        try:
            weight = Decimal(row.weight)
        except InvalidOperation:
            raise forms.ValidationError(f"{name}：权重应为数字。") from None
        if not weight.is_finite() or weight <= 0 or weight >= Decimal("100000"):
            raise forms.ValidationError(f"{name}：权重应为大于 0、小于 100000 的数字。")
        out["weight"] = weight.quantize(Decimal("0.01"))
    if row.deadline:
        try:
            out["deadline"] = date.fromisoformat(row.deadline)
        except ValueError:
            raise forms.ValidationError(f"{name}：完成时限应为 YYYY-MM-DD 格式的日期。") from None
    if row.milestones:
        try:
            out["milestones"] = parse_milestones(row.milestones)
        except forms.ValidationError as exc:
            raise forms.ValidationError(f"{name}：节点计划{exc.messages[0]}") from None
    if row.urgency and row.urgency not in SupervisionTask.Urgency.values:
        raise forms.ValidationError(f"{name}：紧急程度无效。")
    out["overrides"] = {
        k: v
        for k, v in (("content", row.content), ("goal", row.goal), ("urgency", row.urgency))
        if v
    }
    return out
