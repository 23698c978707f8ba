"""Entry screening as data (准入门槛), the checks run on a deal, and the stall rules."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from dudao.core.scoping import ScopedQuerySet
from dudao.investment.models.deals import (
    Deal,
)


class Metric(models.TextChoices):
    """What an entry standard measures (§5.5, §5.6)."""

    INVESTMENT_INTENSITY = "investment_intensity", "投资强度"
    TAX_PER_MU = "tax_per_mu", "亩均税收"
    OUTPUT_INTENSITY = "output_intensity", "产出强度"
    PLOT_RATIO = "plot_ratio", "容积率"
    BUILDING_COVERAGE = "building_coverage", "建筑系数"
    ENERGY = "energy", "单位产值能耗"
    RD = "rd", "研发投入强度"


class EntryStandard(models.Model):
    """One 准入门槛 row: (jurisdiction, zone level, industry prefix, metric, operator, threshold,
    unit, validity, source). Rows are data: the shipped defaults are §5.5's real examples."""

    class Operator(models.TextChoices):
        GTE = "gte", "≥"
        GT = "gt", ">"
        LTE = "lte", "≤"
        LT = "lt", "<"

    class Unit(models.TextChoices):
        WAN_PER_MU = "wan_mu", "万元/亩"
        WAN_PER_HECTARE = "wan_ha", "万元/公顷"
        RATIO = "ratio", "（比值）"
        PERCENT = "percent", "%"
        TCE_PER_WAN = "tce_wan", "吨标准煤/万元"

    jurisdiction = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="适用地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entry_standards",
        help_text="适用于该地区及其下级；留空为全市通用（随系统提供的默认门槛）。",
    )
    zone_level = models.CharField(
        "园区级别",
        max_length=12,
        choices=Deal.ZoneLevel.choices,
        blank=True,
        help_text="留空表示各级园区均适用。",
    )
    industry_prefix = models.CharField(
        "行业代码前缀", max_length=4, blank=True, help_text="GB/T 4754 代码前缀；留空表示全部行业。"
    )
    metric = models.CharField("指标", max_length=24, choices=Metric.choices)
    operator = models.CharField("比较", max_length=4, choices=Operator.choices)
    threshold = models.DecimalField("门槛值", max_digits=12, decimal_places=4)
    unit = models.CharField("单位", max_length=8, choices=Unit.choices)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    source = models.CharField("依据", max_length=200)
    is_active = models.BooleanField("启用", default=True)

    objects: ClassVar[ScopedQuerySet[EntryStandard]] = ScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "准入门槛"
        verbose_name_plural = "准入门槛"
        ordering = ["metric", "industry_prefix", "id"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.get_operator_display()} {self.threshold}"


class DealCheck(models.Model):
    """The result of one entry standard (or one red flag) for a deal at 签约 or 供地."""

    class Point(models.TextChoices):
        SIGNING = "signing", "签约"
        LAND = "land", "供地/立项"

    deal = models.ForeignKey(
        Deal, verbose_name="招商项目", on_delete=models.CASCADE, related_name="checks"
    )
    point = models.CharField("核查环节", max_length=8, choices=Point.choices)
    standard = models.ForeignKey(
        EntryStandard,
        verbose_name="门槛",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField("核查项", max_length=40)
    value = models.DecimalField("项目值", max_digits=16, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField("符合")
    message = models.CharField("结论", max_length=200)
    checked_on = models.DateField("核查日期")

    class Meta:
        verbose_name = "准入核查结果"
        verbose_name_plural = "准入核查结果"
        ordering = ["point", "passed", "id"]
        indexes = [models.Index(fields=["deal", "point"], name="deal_check_point")]

    def __str__(self) -> str:
        return self.message


class StallRule(models.Model):
    """The stalled-deal lights as data (跟踪问效): from `stage`, `yellow_days` / `red_days`
    without reaching the next milestone (for 开工: days past the planned production date)."""

    class Kind(models.TextChoices):
        SIGNED_NOT_REGISTERED = "signed_not_registered", "签约未注册"
        REGISTERED_NOT_STARTED = "registered_not_started", "注册未开工"
        STARTED_NOT_PRODUCING = "started_not_producing", "开工未投产（超计划投产日期）"

    kind = models.CharField("情形", max_length=24, choices=Kind.choices, unique=True)
    yellow_days = models.PositiveIntegerField("黄灯（天）")
    red_days = models.PositiveIntegerField("红灯（天）")

    class Meta:
        verbose_name = "停滞亮灯规则"
        verbose_name_plural = "停滞亮灯规则"
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(red_days__gt=models.F("yellow_days")),
                name="stall_red_after_yellow",
                violation_error_message="红灯天数必须大于黄灯天数。",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
