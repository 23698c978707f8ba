"""年度目标 (annual targets): the sheets the province gives the city and the city its counties
and parks, the indicators they name (defined as data), the classes units are ranked in
(分类排队), the thresholds of lights and weak links (data, never constants in the logic), and
the improvement tasks a weak link became in 督查督办."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet

CODE_RE = r"^[a-z][a-z0-9_]{1,39}$"


class TargetIndicator(models.Model):
    """An indicator a target sheet may name. Its actual comes from the module that owns the
    figure (statistics catalogue or projects), through that module's public selector."""

    class Source(models.TextChoices):
        STATS = "stats", "统计指标库"
        PROJECTS = "projects", "重大项目"

    class Direction(models.IntegerChoices):
        HIGHER_IS_BETTER = 1, "越大越好"
        LOWER_IS_BETTER = -1, "越小越好"

    code = models.CharField(
        "指标代码",
        max_length=40,
        unique=True,
        validators=[RegexValidator(CODE_RE, "指标代码只能包含小写字母、数字和下划线。")],
    )
    name = models.CharField("指标名称", max_length=60, unique=True)
    unit = models.CharField("计量单位", max_length=20, help_text="金额用万元，显示为亿元。")
    direction = models.SmallIntegerField(
        "方向", choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    source = models.CharField("数据来源", max_length=10, choices=Source.choices)
    source_code = models.CharField(
        "来源指标代码",
        max_length=40,
        help_text="统计指标库的指标代码，或重大项目的口径（ytd_investment、funds、starts、completions）。",
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "目标指标"
        verbose_name_plural = "目标指标"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def higher_is_better(self) -> bool:
        return self.direction == self.Direction.HIGHER_IS_BETTER


class TargetSettings(models.Model):
    """Thresholds of lights and weak links (§4.5/§9.5 defaults), one row, edited as data."""

    yellow_from = models.DecimalField(
        "黄灯：落后序时进度（个百分点）起", max_digits=6, decimal_places=2, default=Decimal(10)
    )
    red_above = models.DecimalField(
        "红灯：落后序时进度超过（个百分点）", max_digits=6, decimal_places=2, default=Decimal(30)
    )
    weak_from = models.DecimalField(
        "薄弱环节：落后序时进度超过（个百分点）",
        max_digits=6,
        decimal_places=2,
        default=Decimal(10),
    )
    rate_yellow_from = models.DecimalField(
        "增速/占比类：黄灯落后目标（个百分点）起",
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
    )
    rate_red_above = models.DecimalField(
        "增速/占比类：红灯落后目标超过（个百分点）",
        max_digits=6,
        decimal_places=2,
        default=Decimal(3),
    )
    rate_weak_from = models.DecimalField(
        "增速/占比类：薄弱环节落后目标超过（个百分点）",
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "目标亮灯阈值"
        verbose_name_plural = "目标亮灯阈值"

    def __str__(self) -> str:
        return "目标亮灯阈值"

    @classmethod
    def current(cls) -> TargetSettings:
        """The one row (created with the defaults when missing)."""
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class SetQuerySet(ScopedQuerySet["TargetSet"]):
    scope_field = "issuer"


class TargetSet(models.Model):
    """One year's target sheet from one issuer (省→市 or 市→县/园区), with its 文号."""

    class Level(models.TextChoices):
        PROVINCE_TO_CITY = "province_city", "省下达市"
        CITY_TO_COUNTY = "city_county", "市下达县（市、区）和园区"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已下达"

    year = models.PositiveSmallIntegerField("年度")
    issuer = models.ForeignKey(
        "orgs.Organisation", verbose_name="下达单位", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("下达层级", max_length=16, choices=Level.choices)
    document = models.CharField("文号", max_length=80, blank=True)
    title = models.CharField("名称", max_length=120)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    approved_at = models.DateTimeField("下达时间", null=True, blank=True)

    objects: ClassVar[SetQuerySet] = SetQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "年度目标表"
        verbose_name_plural = "年度目标表"
        ordering = ["-year", "level", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "issuer"], name="target_set_year_issuer")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self) -> models.Model:
        return self.issuer


class RowQuerySet(ScopedQuerySet["TargetRow"]):
    scope_field = "unit"


class TargetRow(models.Model):
    """One unit × indicator line of a sheet."""

    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", "绝对量"
        GROWTH = "growth", "增速"
        COUNT = "count", "个数"
        SHARE = "share", "占比"

    target_set = models.ForeignKey(
        TargetSet, verbose_name="目标表", on_delete=models.CASCADE, related_name="rows"
    )
    unit = models.ForeignKey(
        "orgs.Organisation", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        TargetIndicator, verbose_name="指标", on_delete=models.PROTECT, related_name="rows"
    )
    kind = models.CharField("目标类型", max_length=10, choices=Kind.choices)
    target_value = models.DecimalField(
        "目标值",
        max_digits=18,
        decimal_places=4,
        help_text="绝对量按指标计量单位（金额为万元）；增速、占比为百分数（如 8.0 表示 8.0%）。",
    )
    weight = models.DecimalField(
        "权重",
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0)],
    )
    curve = models.JSONField(
        "月度序时曲线",
        default=list,
        blank=True,
        help_text="可选：1–12月累计应完成的百分数，共12个，逐月不减，12月为100。",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[RowQuerySet] = RowQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "目标行"
        verbose_name_plural = "目标行"
        ordering = ["target_set", "unit", "indicator__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_set", "unit", "indicator", "kind"], name="target_row_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}·{self.indicator_id}"

    @property
    def organisation(self) -> models.Model:
        return self.unit


class ClassQuerySet(ScopedQuerySet["UnitClass"]):
    scope_field = "owner"


class UnitClass(models.Model):
    """A group of units ranked together for a year (一类/二类/三类 …), set by the city."""

    year = models.PositiveSmallIntegerField("年度")
    owner = models.ForeignKey(
        "orgs.Organisation", verbose_name="设置单位", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("分类名称", max_length=20)
    sort_order = models.IntegerField("排序", default=0)
    members = models.ManyToManyField("orgs.Organisation", verbose_name="成员单位", related_name="+")
    basis = models.CharField(
        "分类依据", max_length=120, blank=True, help_text="如“按2025年地区生产总值规模”。"
    )

    objects: ClassVar[ClassQuerySet] = ClassQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "目标分类"
        verbose_name_plural = "目标分类"
        ordering = ["year", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "owner", "name"], name="unit_class_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation(self) -> models.Model:
        return self.owner


class ProvinceRankQuerySet(ScopedQuerySet["ProvinceRank"]):
    scope_field = "unit"


class ProvinceRank(models.Model):
    """A rank the province published for a unit on an indicator (imported, never computed)."""

    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    unit = models.ForeignKey(
        "orgs.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        TargetIndicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveSmallIntegerField("全省位次")
    of = models.PositiveSmallIntegerField("参评单位数", null=True, blank=True)

    objects: ClassVar[ProvinceRankQuerySet] = ProvinceRankQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "全省可比位次"
        verbose_name_plural = "全省可比位次"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "unit", "indicator"], name="province_rank_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}·{self.indicator_id}·{self.rank}"

    @property
    def organisation(self) -> models.Model:
        return self.unit


class ImprovementQuerySet(ScopedQuerySet["Improvement"]):
    scope_field = "row__unit"


class Improvement(models.Model):
    """A weak link turned into an improvement task of 督查督办 (the task holds the progress)."""

    row = models.ForeignKey(
        TargetRow, verbose_name="目标行", on_delete=models.CASCADE, related_name="improvements"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("发现月份")
    task = models.ForeignKey(
        "supervision.SupervisionTask",
        verbose_name="整改督查任务",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[ImprovementQuerySet] = ImprovementQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "薄弱环节整改"
        verbose_name_plural = "薄弱环节整改"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["row", "year", "month"], name="improvement_once")
        ]

    def __str__(self) -> str:
        return f"{self.row_id}·{self.year}-{self.month:02d}"

    @property
    def organisation(self) -> models.Model:
        return self.row.unit
