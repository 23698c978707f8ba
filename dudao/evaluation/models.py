"""Provincial evaluation of industrial cluster zones (产业集聚区/开发区考核评价), as data.

A `Regime` (考评体系) is versioned by year and holds dimensions, indicators with a scoring
method and its parameters, veto gates and star rules. Raw indicator values per park and year
(`InputValue`) are entered by 督查员 or imported; a `ResultSet` per regime and year is either
computed from them (every intermediate number kept in `Result.detail`) or imported as
published. Titles (十强/十快 computed, 十先进/优秀 imported) and star awards (imported fact)
sit beside the results. Evaluation data of every park of the province is comparison data that
every business user may read; only 督查员 changes it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet, scope_path_of


class ComparisonQuerySet(ScopedQuerySet[Any]):
    """Province-wide comparison data: every business user reads all of it (the speech compares
    our city with 郑州, 焦作 …); the three administrators and outsiders read none."""

    def visible_to(self, user: Any) -> Any:
        if scope_path_of(user) is None or not user.has_business_role:
            return self.none()
        return self.all()


class Method(models.TextChoices):
    RATIO = "ratio", "与基准值之比"
    COMPLETION = "completion", "完成率（可封顶）"
    TIERED = "tiered", "分档计分"
    EVENTS = "events", "按次加减分"
    RANK = "rank", "位次计分"
    PERCENTILE = "percentile", "百分位分档"


class Regime(models.Model):
    """One evaluation regime (考评体系), valid for a span of years."""

    code = models.CharField("体系编码", max_length=40, unique=True)
    name = models.CharField("体系名称", max_length=120)
    first_year = models.PositiveSmallIntegerField("起始年度")
    last_year = models.PositiveSmallIntegerField("终止年度", null=True, blank=True)
    source_doc = models.CharField("依据文件", max_length=200, blank=True)
    description = models.TextField("说明", blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name="上一体系",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        help_text="体系更替后，计算“十快”位次提升时取上一体系上年的排名。",
    )
    strong_size = models.PositiveSmallIntegerField(
        "“十强”名额", default=10, help_text="综合排名不高于此名次者为“十强”（并列者一并入选）。"
    )
    fast_size = models.PositiveSmallIntegerField("“十快”名额", default=10)
    fast_min_gain = models.PositiveSmallIntegerField(
        "“十快”最少提升位次", default=1, help_text="位次提升不少于此数才可入选“十快”。"
    )
    fast_excludes_strong = models.BooleanField(
        "“十强”不再重复评为“十快”", default=False, help_text="不重复表彰（建议值，可调整）。"
    )
    score_decimals = models.PositiveSmallIntegerField("得分保留小数位", default=2)
    star_max = models.PositiveSmallIntegerField("最高星级", default=6)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评体系"
        verbose_name_plural = "考评体系"
        ordering = ["-first_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__isnull=True)
                | models.Q(last_year__gte=models.F("first_year")),
                name="eval_regime_years",
                violation_error_message="终止年度不能早于起始年度。",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9_-]+$"),
                name="eval_regime_code_charset",
                violation_error_message="体系编码只能包含字母、数字、-、_。",
            ),
            models.CheckConstraint(
                condition=models.Q(score_decimals__lte=4),
                name="eval_regime_decimals",
                violation_error_message="得分最多保留4位小数。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, year: int) -> bool:
        """Return True when `year` lies in the regime's span."""
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    @property
    def years_label(self) -> str:
        return f"{self.first_year}—{self.last_year or '今'}"


class Dimension(models.Model):
    """A first-level dimension of a regime (经济总量、质量效益 …)."""

    regime = models.ForeignKey(
        Regime, verbose_name="考评体系", on_delete=models.CASCADE, related_name="dimensions"
    )
    name = models.CharField("维度名称", max_length=60)
    sort_order = models.IntegerField("排序", default=0)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评维度"
        verbose_name_plural = "考评维度"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "name"],
                name="eval_dimension_unique",
                violation_error_message="本体系已有同名维度。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One scored indicator of a regime: its method and the method's parameters (JSON).

    Parameters by method (all numbers as strings, read as Decimal):
    ratio {"benchmark", "cap"?}; completion {"target", "cap"}; tiered {"tiers": [[from, points]…]};
    events {"unit_points", "cap"?}; rank {"top", "step", "floor", "higher_is_better"};
    percentile {"bands": [[upper_fraction, points]…], "higher_is_better"}.
    """

    regime = models.ForeignKey(
        Regime, verbose_name="考评体系", on_delete=models.CASCADE, related_name="indicators"
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name="维度",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    code = models.CharField("指标编码", max_length=40)
    name = models.CharField("指标名称", max_length=80)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    method = models.CharField("计分方法", max_length=12, choices=Method.choices)
    weight = models.DecimalField(
        "权重（满分）", max_digits=8, decimal_places=3, default=0, help_text="按次加减分可填0。"
    )
    params = models.JSONField("方法参数", default=dict, blank=True)
    sort_order = models.IntegerField("排序", default=0)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评指标"
        verbose_name_plural = "考评指标"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "code"],
                name="eval_indicator_unique_code",
                violation_error_message="本体系已有相同编码的指标。",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9_-]+$"),
                name="eval_indicator_code_charset",
                violation_error_message="指标编码只能包含字母、数字、-、_。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class VetoGate(models.Model):
    """A boolean gate: when it applies to a park, the park is not ranked, or gets no awards."""

    class Effect(models.TextChoices):
        NO_RANKING = "no_ranking", "取消考评资格（不参与排名）"
        NO_AWARDS = "no_awards", "取消评先评优资格（参与排名，不授称号）"

    regime = models.ForeignKey(
        Regime, verbose_name="考评体系", on_delete=models.CASCADE, related_name="gates"
    )
    code = models.CharField("编码", max_length=40)
    name = models.CharField("否决事项", max_length=120)
    effect = models.CharField("后果", max_length=12, choices=Effect.choices)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "一票否决事项"
        verbose_name_plural = "一票否决事项"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "code"],
                name="eval_gate_unique_code",
                violation_error_message="本体系已有相同编码的否决事项。",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9_-]+$"),
                name="eval_gate_code_charset",
                violation_error_message="编码只能包含字母、数字、-、_。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StarRule(models.Model):
    """Conditions for a star level (shipped empty: the provincial thresholds are not public).

    Every condition that is set must hold: composite score ≥ min_score, rank ≤ max_rank, and
    each {"indicator": code, "min": "…"} in `conditions` on the raw input value.
    """

    regime = models.ForeignKey(
        Regime, verbose_name="考评体系", on_delete=models.CASCADE, related_name="star_rules"
    )
    level = models.PositiveSmallIntegerField("星级")
    min_score = models.DecimalField(
        "综合得分不低于", max_digits=10, decimal_places=3, null=True, blank=True
    )
    max_rank = models.PositiveIntegerField("综合排名不低于第", null=True, blank=True)
    conditions = models.JSONField("指标门槛", default=list, blank=True)
    source_doc = models.CharField("依据", max_length=200, blank=True)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "星级条件"
        verbose_name_plural = "星级条件"
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "level"],
                name="eval_star_rule_unique",
                violation_error_message="本体系已有该星级的条件。",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1),
                name="eval_star_rule_level",
                violation_error_message="星级至少为1。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}星级条件"


class InputValue(models.Model):
    """A raw value of one indicator (or a veto gate: 1 applies, 0 not) for a park and year."""

    regime = models.ForeignKey(
        Regime, verbose_name="考评体系", on_delete=models.CASCADE, related_name="inputs"
    )
    year = models.PositiveSmallIntegerField("年度")
    park = models.ForeignKey(
        "parks.Park", verbose_name="园区", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("指标或否决事项编码", max_length=40)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("录入时间", default=timezone.now)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评原始数据"
        verbose_name_plural = "考评原始数据"
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "year", "park", "code"],
                name="eval_input_unique",
                violation_error_message="该园区该年度的此项数据已存在。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.code}={self.value}"


class ResultSet(models.Model):
    """The results of one regime in one year: computed from inputs, or imported as published."""

    class Source(models.TextChoices):
        COMPUTED = "computed", "系统计算"
        IMPORTED = "imported", "导入（省级公布）"

    regime = models.ForeignKey(
        Regime, verbose_name="考评体系", on_delete=models.PROTECT, related_name="result_sets"
    )
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    source_doc = models.CharField("依据文件", max_length=200, blank=True)
    parks = models.PositiveIntegerField("参评园区数", default=0)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_at = models.DateTimeField("生成时间", default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评结果集"
        verbose_name_plural = "考评结果集"
        ordering = ["-year", "regime_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "year"],
                name="eval_result_set_unique",
                violation_error_message="该体系该年度已有结果。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.regime} {self.year}年"


class Result(models.Model):
    """One park's result in a result set, with every intermediate number in `detail`."""

    result_set = models.ForeignKey(
        ResultSet, verbose_name="结果集", on_delete=models.CASCADE, related_name="results"
    )
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    park = models.ForeignKey(
        "parks.Park", verbose_name="园区", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("综合得分", max_digits=12, decimal_places=4, null=True)
    rank = models.PositiveIntegerField("综合排名", null=True)
    prev_rank = models.PositiveIntegerField("上年排名", null=True)
    rank_gain = models.IntegerField("位次提升", null=True)
    items_total = models.DecimalField("指标得分合计", max_digits=12, decimal_places=4, null=True)
    bonus = models.DecimalField("加分", max_digits=12, decimal_places=4, null=True)
    deduction = models.DecimalField("减分", max_digits=12, decimal_places=4, null=True)
    excluded = models.BooleanField("取消考评资格", default=False)
    no_awards = models.BooleanField("取消评先评优资格", default=False)
    veto_reasons = models.CharField("否决事由", max_length=500, blank=True)
    star_eligible = models.PositiveSmallIntegerField("按规则可评星级", null=True)
    detail = models.JSONField("计算明细", default=dict)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评结果"
        verbose_name_plural = "考评结果"
        ordering = ["rank", "park_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "year", "park"],
                name="eval_result_unique",
                violation_error_message="该园区该年度已有结果。",
            )
        ]
        indexes = [models.Index(fields=["regime", "year", "rank"], name="eval_result_rank")]

    def __str__(self) -> str:
        return f"{self.year} {self.park_id} 第{self.rank}名"


class TitleKind(models.TextChoices):
    STRONG = "strong", "十强"
    FAST = "fast", "十快"
    ADVANCED = "advanced", "十先进"
    EXCELLENT = "excellent", "优秀"


# Titles the system derives from ranks; the others only come from the published lists.
COMPUTED_TITLES = (TitleKind.STRONG, TitleKind.FAST)


class Title(models.Model):
    """A title a park holds for a regime and year; computed from ranks or imported as published."""

    class Source(models.TextChoices):
        COMPUTED = "computed", "按排名计算"
        IMPORTED = "imported", "导入（省级公布）"

    regime = models.ForeignKey(Regime, verbose_name="考评体系", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    park = models.ForeignKey(
        "parks.Park", verbose_name="园区", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("称号", max_length=10, choices=TitleKind.choices)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    source_doc = models.CharField("依据文件", max_length=200, blank=True)
    basis = models.CharField("依据", max_length=120, blank=True)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "考评称号"
        verbose_name_plural = "考评称号"
        ordering = ["year", "kind", "park_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "year", "park", "kind", "source"],
                name="eval_title_unique",
                violation_error_message="该园区该年度已有此称号。",
            )
        ]
        indexes = [models.Index(fields=["regime", "year", "kind"], name="eval_title_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"


class StarAward(models.Model):
    """A star level awarded by the province (imported fact, never only computed)."""

    regime = models.ForeignKey(Regime, verbose_name="考评体系", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    park = models.ForeignKey(
        "parks.Park", verbose_name="园区", on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("星级")
    first_time = models.BooleanField("首次晋级", default=False)
    source_doc = models.CharField("依据文件", max_length=200, blank=True)

    objects: ClassVar[ComparisonQuerySet] = ComparisonQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "星级授予"
        verbose_name_plural = "星级授予"
        ordering = ["year", "-level", "park_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "year", "park"],
                name="eval_star_unique",
                violation_error_message="该园区该年度已有星级。",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1),
                name="eval_star_level",
                violation_error_message="星级至少为1。",
            ),
        ]
        indexes = [models.Index(fields=["regime", "year", "level"], name="eval_star_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.level}星"
