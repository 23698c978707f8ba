"""Month locks, the county month roll-up, quarterly targets and the projects settings."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from dudao.core.lights import Light, band, band_q
from dudao.projects.models.registry import CountyScopedQuerySet, ProjectCategory


class MonthLock(models.Model):
    """The city supervisor's lock of a month, for one county or city-wide (county empty)."""

    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="县（市、区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示全市锁定。",
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    locked_by = models.ForeignKey(
        "accounts.User", verbose_name="锁定人", on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField("锁定时间", default=timezone.now)
    # The light thresholds in force when the month was first locked: a later change of the
    # settings recolours the months to come, never a locked one.
    thresholds = models.JSONField("锁定时的亮灯阈值", default=dict, blank=True, editable=False)
    is_active = models.BooleanField("生效", default=True)
    unlocked_by = models.ForeignKey(
        "accounts.User",
        verbose_name="解锁人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unlocked_at = models.DateTimeField("解锁时间", null=True, blank=True)
    unlock_reason = models.CharField("解锁原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "月度锁定"
        verbose_name_plural = "月度锁定"
        ordering = ["-year", "-month", "county_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "month"],
                condition=models.Q(is_active=True),
                name="lock_active_once",
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "is_active"], name="lock_month")]

    def __str__(self) -> str:
        scope = self.county.short_name if self.county else "全市"
        return f"{scope} {self.year}年{self.month}月锁定"


class CountyMonthStat(models.Model):
    """Roll-up of approved reports per county × category × month, kept fresh by the
    approve/return services so that the city analysis never scans the reports."""

    county = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ProjectCategory, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    approved_count = models.IntegerField("已审核月报数", default=0)
    invest = models.DecimalField(
        "已审核本月完成投资（万元）", max_digits=16, decimal_places=2, default=Decimal("0")
    )
    funds = models.DecimalField(
        "已审核本月资金到位（万元）", max_digits=16, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = "县区类别月汇总"
        verbose_name_plural = "县区类别月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "category", "year", "month"], name="stat_county_cat_month"
            )
        ]
        indexes = [models.Index(fields=["year", "month"], name="stat_year_month")]

    def __str__(self) -> str:
        return f"{self.county_id}·{self.category_id} {self.year}-{self.month:02d}"


class QuarterTarget(models.Model):
    """A county's quarterly target count of 新开工 / 竣工 / 投产 projects."""

    class Metric(models.TextChoices):
        START = "start", "新开工"
        COMPLETE = "complete", "竣工"
        PRODUCE = "produce", "投产"

    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="县（市、区）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    metric = models.CharField("指标", max_length=10, choices=Metric.choices)
    target = models.PositiveIntegerField("目标个数")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[CountyScopedQuerySet] = CountyScopedQuerySet.as_manager()  # type: ignore[assignment]  # django-stubs: as_manager() types a Manager

    class Meta:
        verbose_name = "季度目标"
        verbose_name_plural = "季度目标"
        ordering = ["year", "quarter", "county_id", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "quarter", "metric"], name="target_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="target_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度{self.get_metric_display()}目标 {self.target}"


class ProjectSettings(models.Model):
    """Thresholds and deadline rules of the module ([P] in domain-research: data, not code).
    One row (pk=1) created by a migration, edited by the city supervisor."""

    class DeadlineKind(models.TextChoices):
        NATURAL = "calendar_day", "自然日"
        WORKDAY = "workday", "工作日"

    lag_yellow_from = models.DecimalField(
        "滞后黄灯起点（个百分点，含）", max_digits=5, decimal_places=2, default=Decimal("10")
    )
    lag_red_above = models.DecimalField(
        "滞后红灯界限（个百分点，超过即红）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
    )
    start_yellow_from = models.PositiveSmallIntegerField("开工延迟黄灯（月，含）", default=1)
    start_red_from = models.PositiveSmallIntegerField("开工延迟红灯（月，含）", default=3)
    jump_ratio = models.DecimalField(
        "投资突增阈值（占年度计划%）",
        max_digits=6,
        decimal_places=2,
        default=Decimal("40"),
        help_text="本月完成投资超过年度计划（无计划时为总投资）的该比例时，必须填写说明。",
    )
    deadline_days = models.PositiveSmallIntegerField(
        "报送截止（次月第 N 日）",
        default=5,
        help_text="自然日：次月 N 日（遇节假日顺延）；工作日：月末后第 N 个工作日。",
    )
    deadline_kind = models.CharField(
        "截止日计算方式",
        max_length=14,
        choices=DeadlineKind.choices,
        default=DeadlineKind.NATURAL,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "重大项目参数"
        verbose_name_plural = "重大项目参数"

    def __str__(self) -> str:
        return "重大项目参数"

    @classmethod
    def current(cls) -> ProjectSettings:
        """The settings row (read once per reading request: `dudao.core.requestmemo`)."""
        from dudao.core.requestmemo import memo

        return memo(("projects.ProjectSettings", 1), cls._read)

    @classmethod
    def _read(cls) -> ProjectSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    # The settings a locked month keeps (MonthLock.thresholds): those that colour its figures.
    LIGHT_FIELDS: ClassVar[tuple[str, ...]] = (
        "lag_yellow_from",
        "lag_red_above",
        "start_yellow_from",
        "start_red_from",
    )

    def light_thresholds(self) -> dict[str, str]:
        return {f: str(getattr(self, f)) for f in self.LIGHT_FIELDS}

    def with_thresholds(self, thresholds: dict[str, str]) -> ProjectSettings:
        """An unsaved copy carrying a locked month's thresholds (the rest as now)."""
        frozen = copy.copy(self)
        for name in self.LIGHT_FIELDS:
            if name in thresholds:
                field = self._meta.get_field(name)
                if isinstance(field, models.Field):
                    setattr(frozen, name, field.to_python(thresholds[name]))
        return frozen

    def lag_bands(self) -> dict[str, Any]:
        """The lag light's band (滞后: yellow from, red above): one definition for the colour of
        a value (`lag_light`) and the SQL conditions on a stored lag (`lag_light_q`)."""
        return {
            "yellow_from": self.lag_yellow_from,
            "red_from": self.lag_red_above,
            "red_inclusive": False,
        }

    def lag_light(self, lag: Decimal | None) -> Light:
        return band(lag, **self.lag_bands())

    def lag_light_q(self, field: str = "lag") -> dict[Light, models.Q]:
        """SQL conditions per colour on a stored lag, generated from the same band."""
        return band_q(field, **self.lag_bands())

    def start_light(self, months_late: int | None) -> Light:
        return band(months_late, yellow_from=self.start_yellow_from, red_from=self.start_red_from)
