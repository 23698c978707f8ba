"""督查督办 models (`dudao.supervision.models`): Lights: rules as data, history, escalation."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models

from dudao.core.lights import Light
from dudao.core.scoping import ScopedQuerySet
from dudao.supervision.models.tasks import SupervisionTask

# --- Lights: rules as data, history, escalation ------------------------------------------------


class LightRule(models.Model):
    """One banding rule: a metric of the subject and its thresholds (domain-research §4.5 [P]).

    Each active rule of a subject turns one measured value into a colour through
    `dudao.core.lights.band` (yellow from `yellow_from`, red from `red_from`, both inclusive);
    `lower_is_worse` rules (remaining workdays) compare the negated value. `grey_from` makes
    the light grey (unknown) when the value reaches it (cycles without feedback). The subject's
    light is red if any rule says red, else grey if any says grey, else yellow, else green.
    """

    class Subject(models.TextChoices):
        TASK = "task", "督查任务"

    class Metric(models.TextChoices):
        DAYS_OVERDUE = "days_overdue", "逾期自然日数"
        REMAINING_WORKDAYS = "remaining_workdays", "距完成时限剩余工作日"
        PROGRESS_LAG = "progress_lag", "进度落后时间进度（个百分点）"
        MILESTONES_MISSED = "milestones_missed", "未达到的到期节点数"
        CYCLES_WITHOUT_FEEDBACK = "cycles_without_feedback", "未反馈的周期数"

    code = models.CharField("编码", max_length=30, unique=True)
    subject = models.CharField("对象", max_length=10, choices=Subject.choices, default="task")
    label = models.CharField("规则说明", max_length=120)
    metric = models.CharField("度量", max_length=30, choices=Metric.choices)
    yellow_from = models.DecimalField(
        "黄灯阈值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    red_from = models.DecimalField(
        "红灯阈值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    grey_from = models.DecimalField(
        "灰灯阈值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    lower_is_worse = models.BooleanField("数值越小越差", default=False)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "亮灯规则"
        verbose_name_plural = "亮灯规则"
        ordering = ["subject", "sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class EscalationRule(models.Model):
    """N consecutive feedback cycles at a light → an escalation item (督办函, 约谈 …)."""

    class Action(models.TextChoices):
        LETTER = "letter", "督办函"
        INTERVIEW = "interview", "约谈"

    code = models.CharField("编码", max_length=30, unique=True)
    label = models.CharField("规则说明", max_length=120)
    light = models.CharField("灯色", max_length=8, choices=Light.choices)
    consecutive = models.PositiveSmallIntegerField("连续周期数", validators=[MinValueValidator(1)])
    action = models.CharField("处置", max_length=12, choices=Action.choices)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "升级督办规则"
        verbose_name_plural = "升级督办规则"
        ordering = ["consecutive", "code"]

    def __str__(self) -> str:
        return self.label


class LightRecord(models.Model):
    """The light of a task in one feedback cycle (the worst seen in that cycle), kept forever."""

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="light_records"
    )
    cycle_no = models.PositiveIntegerField("反馈周期序号")
    light = models.CharField("灯色", max_length=8, choices=Light.choices)
    first_on = models.DateField("首次计算日期")
    evaluated_on = models.DateField("最近计算日期")
    reasons = models.JSONField("原因", default=list)

    class Meta:
        verbose_name = "亮灯记录"
        verbose_name_plural = "亮灯记录"
        ordering = ["task", "-cycle_no"]
        constraints = [
            models.UniqueConstraint(fields=["task", "cycle_no"], name="sv_light_task_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} #{self.cycle_no} {self.light}"


class EscalationQuerySet(ScopedQuerySet["EscalationItem"]):
    scope_field = "task__lead_org"


class EscalationItem(models.Model):
    """A 督办函 / 约谈 item raised by an escalation rule (once per rule and streak)."""

    task = models.ForeignKey(
        SupervisionTask, verbose_name="任务", on_delete=models.CASCADE, related_name="escalations"
    )
    rule = models.ForeignKey(
        EscalationRule, verbose_name="规则", on_delete=models.PROTECT, related_name="items"
    )
    action = models.CharField("处置", max_length=12, choices=EscalationRule.Action.choices)
    cycle_no = models.PositiveIntegerField("触发周期序号")
    raised_on = models.DateField("触发日期")
    detail = models.CharField("说明", max_length=200)

    objects: ClassVar[EscalationQuerySet] = EscalationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "升级督办事项"
        verbose_name_plural = "升级督办事项"
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "rule", "cycle_no"], name="sv_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.task_id}"
