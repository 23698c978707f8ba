"""The 亩均效益 evaluation as data: regimes per year with their items (weights, benchmarks,
caps, the rule for a missing value), separate for 规上 and 规下; enterprise 加分/减分; runs
whose results keep every intermediate number; appeals (申诉) and their re-run."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.enterprises.models.registry import Enterprise
from dudao.enterprises.rules import METRICS, Grade


class Regime(models.Model):
    """The evaluation rules of one year (亩均效益综合评价办法), published by the city."""

    year = models.PositiveSmallIntegerField(
        "评价年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField("办法名称", max_length=120)
    source_doc = models.CharField("依据文件", max_length=200, blank=True)
    band_a = models.DecimalField(
        "A类上限（排名/参评数）", max_digits=5, decimal_places=4, default=Decimal("0.25")
    )
    band_b = models.DecimalField(
        "B类上限（排名/参评数）", max_digits=5, decimal_places=4, default=Decimal("0.70")
    )
    band_c = models.DecimalField(
        "C类上限（排名/参评数）", max_digits=5, decimal_places=4, default=Decimal("0.95")
    )
    bonus_cap = models.DecimalField(
        "加分上限", max_digits=8, decimal_places=2, null=True, blank=True
    )
    penalty_cap = models.DecimalField(
        "减分上限", max_digits=8, decimal_places=2, null=True, blank=True
    )
    score_decimals = models.PositiveSmallIntegerField(
        "得分保留小数位", default=2, validators=[MaxValueValidator(4)]
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "亩均效益评价办法"
        verbose_name_plural = "亩均效益评价办法"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(band_a__gt=0)
                & models.Q(band_a__lt=models.F("band_b"))
                & models.Q(band_b__lt=models.F("band_c"))
                & models.Q(band_c__lt=1),
                name="regime_bands_ordered",
                violation_error_message="分档比例须满足 0 < A < B < C < 1。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegimeItem(models.Model):
    """One scored item of a regime for 规上 or 规下 enterprises:
    score = min(value ÷ benchmark, cap) × weight."""

    class Scale(models.TextChoices):
        ABOVE = "above", "规上企业"
        BELOW = "below", "规下企业"

    class Benchmark(models.TextChoices):
        CITY_AVERAGE = "city_avg", "全市平均值"
        PARK_AVERAGE = "park_avg", "所在园区平均值"
        FIXED = "fixed", "公布基准值"

    class Missing(models.TextChoices):
        ZERO = "zero", "缺失项记0分"
        AVERAGE = "average", "缺失项取同类企业该项平均得分"

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="items")
    scale = models.CharField("适用企业", max_length=8, choices=Scale.choices)
    metric = models.CharField(
        "评价指标", max_length=24, choices=[(code, m.label) for code, m in METRICS.items()]
    )
    weight = models.DecimalField(
        "权重（分）", max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    benchmark = models.CharField(
        "基准值", max_length=10, choices=Benchmark.choices, default=Benchmark.CITY_AVERAGE
    )
    benchmark_value = models.DecimalField(
        "公布基准值", max_digits=18, decimal_places=4, null=True, blank=True
    )
    cap = models.DecimalField(
        "比值上限",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="指标值与基准值之比的封顶倍数，如 2 表示单项最多得权重的2倍；空为不封顶。",
    )
    missing = models.CharField(
        "缺失值处理", max_length=8, choices=Missing.choices, default=Missing.ZERO
    )
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "评价指标"
        verbose_name_plural = "评价指标"
        ordering = ["regime", "scale", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "scale", "metric"], name="regime_item_once"),
            models.CheckConstraint(
                condition=~models.Q(benchmark="fixed") | models.Q(benchmark_value__gt=0),
                name="regime_item_fixed_has_value",
                violation_error_message="基准值为“公布基准值”时须填写大于0的基准值。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} {self.get_metric_display()} {self.weight}分"


class Adjustment(models.Model):
    """A 加分 (positive) or 减分 (negative) for an enterprise in a year, with its reason."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="adjustments"
    )
    year = models.PositiveSmallIntegerField("年度")
    points = models.DecimalField("分值（加分为正，减分为负）", max_digits=6, decimal_places=2)
    reason = models.CharField("事由", max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "加减分"
        verbose_name_plural = "加减分"
        ordering = ["enterprise", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(points=0),
                name="adjustment_not_zero",
                violation_error_message="加减分分值不能为0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.points:+}分 {self.reason}"


class ResultQuerySet(ScopedQuerySet["EvaluationResult"]):
    scope_field = "organisation"


class EvaluationRun(models.Model):
    """One computation of a year's evaluation. The benchmarks and group average item scores
    it used are kept, so an appeal re-run scores the appellant against the same yardstick."""

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveSmallIntegerField("年度")
    scope_path = models.CharField(
        "评价范围", max_length=255, help_text="发起评价的单位的数据范围（全市或一个县）。"
    )
    is_current = models.BooleanField("现行结果", default=True)
    benchmarks = models.JSONField("基准值", default=dict)
    averages = models.JSONField("同类平均得分", default=dict)
    counts = models.JSONField("参评与分档数", default=dict)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "评价批次"
        verbose_name_plural = "评价批次"
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scope_path"],
                condition=models.Q(is_current=True),
                name="one_current_run_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度亩均效益评价（{self.created_at:%Y-%m-%d %H:%M}）"


class EvaluationResult(models.Model):
    """An enterprise's result in a run with everything needed to explain it: for each item the
    value, benchmark, ratio, cap and score (`items`), the adjustments, total, rank, N and
    percentile. An appeal re-run adds a new current row and keeps the old one."""

    # No single-column indexes on run and enterprise: result_run_park_grade and
    # result_enterprise_run lead with them (one index fewer to fill per row of a 60,000 run).
    run = models.ForeignKey(
        EvaluationRun, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="evaluation_results", db_index=False
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey("parks.Park", null=True, on_delete=models.PROTECT, related_name="+")
    scale = models.CharField(max_length=8, choices=RegimeItem.Scale.choices)
    items = models.JSONField("分项得分", default=list)
    item_score = models.DecimalField("分项合计", max_digits=12, decimal_places=4)
    bonus = models.DecimalField("加分", max_digits=8, decimal_places=2, default=Decimal(0))
    penalty = models.DecimalField("减分", max_digits=8, decimal_places=2, default=Decimal(0))
    total = models.DecimalField("综合得分", max_digits=12, decimal_places=4)
    rank = models.PositiveIntegerField("排名", null=True)
    ranked_count = models.PositiveIntegerField("参与分档企业数", null=True)
    percentile = models.DecimalField("排名百分位", max_digits=7, decimal_places=6, null=True)
    grade = models.CharField("评价类别", max_length=1, choices=Grade.choices)
    graded = models.BooleanField("按排名分档", default=True)
    ungraded_class = models.CharField("不分档情形", max_length=16, blank=True)
    is_current = models.BooleanField(default=True)
    appeal = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[ResultQuerySet] = ResultQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "评价结果"
        verbose_name_plural = "评价结果"
        ordering = ["run", "scale", "rank", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "enterprise"],
                condition=models.Q(is_current=True),
                name="one_current_result_a_run",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "park", "grade"], name="result_run_park_grade"),
            # The grade list's rank order (scale, graded first, total descending; see
            # selectors.RESULT_SORTS) and its per-grade counts, over the current results only:
            # the first page is read from the index, not sorted from 60,000 rows.
            models.Index(
                fields=["run", "scale", "-graded", "-total", "enterprise"],
                condition=models.Q(is_current=True),
                name="result_current_rank",
            ),
            models.Index(
                fields=["run", "grade"],
                condition=models.Q(is_current=True),
                name="result_current_grade",
            ),
            models.Index(fields=["enterprise", "run"], name="result_enterprise_run"),
        ]

    def __str__(self) -> str:
        return f"{self.run.year}年度 {self.grade}类 {self.total}分"


class Appeal(models.Model):
    """An enterprise's 申诉 against its result, with corrected figures and the decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待处理"
        ACCEPTED = "accepted", "已采纳并重算"
        REJECTED = "rejected", "不予采纳"

    result = models.ForeignKey(EvaluationResult, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField("申诉理由", max_length=2000)
    corrections = models.JSONField("更正数据", default=dict, blank=True)
    status = models.CharField(
        "处理状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    decision = models.TextField("处理意见", max_length=2000, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "评价申诉"
        verbose_name_plural = "评价申诉"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"申诉（{self.get_status_display()}）"


class FactorPolicy(models.Model):
    """What a grade gets in a year (要素保障差别化政策): a preference or restriction on one
    factor (电价、用地、信贷、用能、排污 …), printed on the enterprise's page and the grade list."""

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="factor_policies")
    grade = models.CharField("评价类别", max_length=1, choices=Grade.choices)
    factor = models.CharField("要素", max_length=20)
    measure = models.CharField("政策措施", max_length=300)
    source_doc = models.CharField("依据", max_length=200, blank=True)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "要素差别化政策"
        verbose_name_plural = "要素差别化政策"
        ordering = ["regime", "grade", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.grade}类 {self.factor}：{self.measure}"
