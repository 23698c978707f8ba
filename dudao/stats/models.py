"""Indicator catalogue (指标), reported values and the module's settings.

A value belongs to one *unit* — an organisation: a park committee (the park), a county
government (the county total), a city government (the city total) or the province. City and
province totals are entered as published, never assumed to be the sum of the parks.
Flow indicators are stored as published 1–N月累计 values; the period is the month N
(`period` = the first day of that month). An annual indicator (`frequency` 年度) has one
figure a year, stored as the year's 1–12月 value: period = December (`annual_period`).
Amounts are stored in the indicator's unit (万元 for money) and rates unrounded; rounding
happens only when a figure is shown (dudao/stats/engine/).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet

CODE_RE = r"^[a-z][a-z0-9_]{1,39}$"


class Indicator(models.Model):
    """One indicator definition (DHIS2-like data element): code, unit, kind, rules."""

    class Kind(models.TextChoices):
        FLOW = "flow", "流量（1–N月累计）"
        STOCK = "stock", "存量（期末数）"
        RATE = "rate", "比率"

    class PriceBasis(models.TextChoices):
        CURRENT = "current", "现价"
        COMPARABLE = "comparable", "可比价（只用发布增速）"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "月度"
        ANNUAL = "annual", "年度（全年数）"

    class Direction(models.IntegerChoices):
        HIGHER_IS_BETTER = 1, "越大越好"
        LOWER_IS_BETTER = -1, "越小越好"

    code = models.CharField(
        "指标代码",
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(CODE_RE, "指标代码只能包含小写字母、数字和下划线，以字母开头。")
        ],
    )
    name = models.CharField("指标名称", max_length=60, unique=True)
    unit = models.CharField(
        "计量单位", max_length=20, help_text="金额一律用万元，显示时换算为亿元。"
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.FLOW)
    decimals = models.PositiveSmallIntegerField(
        "显示小数位", default=1, help_text="金额指标指换算为亿元后的小数位。"
    )
    direction = models.SmallIntegerField(
        "方向", choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    price_basis = models.CharField(
        "价格口径", max_length=12, choices=PriceBasis.choices, default=PriceBasis.CURRENT
    )
    scope = models.CharField(
        "统计口径", max_length=40, blank=True, help_text="如“规模以上工业”“500万元以上项目”。"
    )
    frequency = models.CharField(
        "报告期",
        max_length=8,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
        help_text="年度指标只有全年数，统计期记为当年12月（即1–12月，显示为“2025年”）。",
    )
    january_published = models.BooleanField(
        "单独发布1月数", default=False, help_text="不勾选时1月不填，2月填1–2月累计数。"
    )
    numerator = models.ForeignKey(
        "self",
        verbose_name="分子指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name="分母指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    factor = models.DecimalField(
        "乘数",
        max_digits=16,
        decimal_places=6,
        default=1,
        help_text="公式指标 = 分子 ÷ 分母 × 乘数 ÷ 除数",
    )
    divisor = models.DecimalField(
        "除数",
        max_digits=16,
        decimal_places=6,
        default=1,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text="如亩均税收：建成区面积（平方公里）换算为亩，除数为1500。",
    )
    verb = models.CharField(
        "表述动词", max_length=10, default="完成", help_text="如“完成”“实现”“达到”。"
    )
    reference_label = models.CharField(
        "对比全市时的称谓",
        max_length=40,
        default="全市",
        help_text="用于“高于全市工业11.4个百分点”中的“全市工业”。",
    )
    in_summary = models.BooleanField("列入集聚区综述", default=False)
    change_prefix = models.CharField(
        "增速变化的前缀",
        max_length=10,
        blank=True,
        choices=[("同比", "同比"), ("较去年同期", "较去年同期"), ("比上年同期", "比上年同期")],
        help_text="“较去年同期下降8.2个百分点”“同比提高16.2个百分点”；留空则按统计设置。",
    )
    change_words = models.CharField(
        "增速变化的用词",
        max_length=8,
        choices=[("提高/下降", "提高/下降"), ("加快/回落", "加快/回落")],
        default="提高/下降",
    )
    aliases = models.CharField(
        "别名",
        max_length=200,
        blank=True,
        help_text="导入时也认作本指标的其他写法，用顿号或逗号分隔，如“固投、固定资产投资额”。",
    )
    plausible_min_park = models.DecimalField(
        "合理下限（园区）", max_digits=20, decimal_places=4, null=True, blank=True
    )
    plausible_max_park = models.DecimalField(
        "合理上限（园区）", max_digits=20, decimal_places=4, null=True, blank=True
    )
    plausible_min_county = models.DecimalField(
        "合理下限（县级）", max_digits=20, decimal_places=4, null=True, blank=True
    )
    plausible_max_county = models.DecimalField(
        "合理上限（县级）", max_digits=20, decimal_places=4, null=True, blank=True
    )
    plausible_min_city = models.DecimalField(
        "合理下限（市级及以上）", max_digits=20, decimal_places=4, null=True, blank=True
    )
    plausible_max_city = models.DecimalField(
        "合理上限（市级及以上）", max_digits=20, decimal_places=4, null=True, blank=True
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name="所属总量指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="本指标是其一部分（如工业投资是固定资产投资的一部分）：同一单位同一月份本指标不得大于它。",
    )
    parts_within_whole = models.BooleanField(
        "园区数不超过全市数",
        default=True,
        help_text="勾选时，园区数（及园区合计）大于全市数视为错误，占比不得超过100%。",
    )
    description = models.TextField("说明", blank=True)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(numerator__isnull=True, denominator__isnull=True)
                | models.Q(numerator__isnull=False, denominator__isnull=False),
                name="indicator_formula_complete",
                violation_error_message="公式指标须同时指定分子和分母指标。",
            ),
            models.CheckConstraint(
                condition=models.Q(decimals__lte=6), name="indicator_decimals_max"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_formula(self) -> bool:
        return self.numerator_id is not None

    @property
    def is_annual(self) -> bool:
        return self.frequency == self.Frequency.ANNUAL

    @property
    def is_money(self) -> bool:
        return self.unit == "万元"

    @property
    def display_unit(self) -> str:
        return "亿元" if self.is_money else self.unit

    def plausible_range(self, org_kind: str) -> tuple[Decimal | None, Decimal | None]:
        """The (minimum, maximum) a unit of this kind plausibly reports, in the indicator's unit
        (None: no bound). Parks, counties, and cities and provinces have their own rows."""
        if org_kind == "park_committee":
            return self.plausible_min_park, self.plausible_max_park
        if org_kind == "county_gov":
            return self.plausible_min_county, self.plausible_max_county
        return self.plausible_min_city, self.plausible_max_city

    def alias_list(self) -> list[str]:
        """The configured aliases, split on 、 ， , ; and blanks."""
        import re

        return [a for a in re.split(r"[、，,;；\s]+", self.aliases) if a]


class ValueQuerySet(ScopedQuerySet["IndicatorValue"]):
    """Values are scoped by the unit's organisation (a park committee, county, city …)."""

    scope_field = "organisation"

    def approved(self) -> ValueQuerySet:
        return self.filter(status=IndicatorValue.Status.APPROVED)


class IndicatorValue(models.Model):
    """One published or reported value: (unit, period, indicator) → value [, 同比, 基期数]."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        APPROVED = "approved", "已审核"
        RETURNED = "returned", "已退回"

    class Source(models.TextChoices):
        STATISTICS = "statistics", "统计局"
        DRC = "drc", "发改委"
        SELF = "self", "自报"
        EVALUATION = "evaluation", "亩均效益评价"

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="填报单位",
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    period = models.DateField("统计期", help_text="月份的第一天；流量指标为1–N月累计。")
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    yoy_percent = models.DecimalField(
        "发布同比增速（%）", max_digits=12, decimal_places=4, null=True, blank=True
    )
    base = models.DecimalField(
        "发布上年同期数", max_digits=20, decimal_places=4, null=True, blank=True
    )
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.SELF)
    note = models.CharField(
        "说明", max_length=200, blank=True, help_text="累计数小于上月时必须说明（数据修订）。"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User",
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ValueQuerySet] = ValueQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        ordering = ["organisation", "indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "period"],
                name="value_unique_unit_indicator_period",
                violation_error_message="该单位该指标该月已有数值。",
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="value_period_first_of_month"
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "status"], name="value_ind_period_status"),
            models.Index(fields=["organisation", "period"], name="value_org_period"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period:%Y-%m} {self.indicator}"


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def annual_period(year: int) -> dt.date:
    """The stored period of a year's figure of an annual indicator: December, i.e. 1–12月
    (the engine labels it "2025年"), so annual and monthly figures share one period model."""
    return dt.date(year, 12, 1)


class StatsSettings(models.Model):
    """Formatting and wording rules that domain research marks [P] (one row, editable)."""

    class GapMode(models.TextChoices):
        DISPLAYED = "displayed", "用显示的（已修约）增速相减"
        UNROUNDED = "unrounded", "用未修约增速相减后修约"

    gap_mode = models.CharField(
        "百分点差计算方式", max_length=10, choices=GapMode.choices, default=GapMode.DISPLAYED
    )
    drop_trailing_zero_in_prose = models.BooleanField(
        "叙述中整数占比省略“.0”",
        default=False,
        help_text="勾选后“占全市的47.0%”写作“47%”；表格不受影响。",
    )
    rate_decimals = models.PositiveSmallIntegerField(
        "增速、占比、百分点小数位", default=1, validators=[MinValueValidator(0)]
    )
    change_prefix = models.CharField(
        "增速变化的前缀",
        max_length=10,
        default="同比",
        help_text="“同比提高16.2个百分点”或“较去年同期提高…”。",
    )
    cluster_subject = models.CharField(
        "综述主语", max_length=30, default="{n}家产业集聚区", help_text="{n} 为参与汇总的园区数。"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "统计设置"
        verbose_name_plural = "统计设置"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_decimals__lte=4), name="settings_decimals"
            )
        ]

    def __str__(self) -> str:
        return "统计设置"

    @classmethod
    def current(cls) -> StatsSettings:
        """Return the single settings row (created with defaults by the data migration)."""
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls()
