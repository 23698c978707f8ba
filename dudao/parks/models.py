"""Industrial cluster zones (产业集聚区) and other parks of the whole province.

A park of our city is run by a 管委会 organisation (`organisation`); parks of other cities are
kept for the provincial comparison and may have none. `county` is the county government the
park lies in (none for city-level zones such as 高新区).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

INDUSTRY_CODE_MESSAGE = "行业代码应为门类字母（A–T）或2–4位数字（可带门类字母，如 C39）。"
# GB/T 4754-2017: a 门类 letter, a 大类/中类/小类 code of 2, 3 or 4 digits, or both ("C39").
INDUSTRY_CODE_RE = r"^(?:[A-T]|[A-T]?[0-9]{2,4})$"


class ParkQuerySet(models.QuerySet["Park"]):
    """Parks are reference data: every business user may read the list of parks (the
    provincial comparison names other cities' parks); their *figures* are scoped elsewhere."""


class Park(models.Model):
    class Kind(models.TextChoices):
        CLUSTER = "cluster", "产业集聚区"
        HIGH_TECH = "high_tech", "高新技术产业开发区"
        ECONOMIC = "economic", "经济技术开发区"
        BUSINESS_CENTRE = "business_centre", "商务中心区"
        COMMERCIAL_STREET = "commercial_street", "特色商业区"
        SPECIALISED = "specialised", "专业园区"

    class Level(models.TextChoices):
        NATIONAL = "national", "国家级"
        PROVINCIAL = "provincial", "省级"
        CITY = "city", "市级"

    code = models.CharField(
        "园区编码", max_length=40, unique=True, help_text="导入文件中引用本园区的编码，如 SFS-GXQ。"
    )
    name = models.CharField("园区名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.CLUSTER)
    organisation = models.OneToOneField(
        "orgs.Organisation",
        verbose_name="管委会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park",
    )
    county = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在县（市、区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="county_parks",
    )
    city_region = models.ForeignKey(
        "regions.Region",
        verbose_name="所在省辖市",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parks",
    )
    level = models.CharField("级别", max_length=12, choices=Level.choices, default=Level.PROVINCIAL)
    planned_area_km2 = models.DecimalField(
        "规划面积（平方公里）",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    built_area_km2 = models.DecimalField(
        "建成区面积（平方公里）",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[ParkQuerySet] = ParkQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "园区"
        verbose_name_plural = "园区"
        ordering = ["sort_order", "code"]
        indexes = [models.Index(fields=["city_region", "sort_order"], name="park_city_sort")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9_-]+$"),
                name="park_code_charset",
                violation_error_message="园区编码只能包含字母、数字、-、_。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class ParkStatus(models.Model):
    """One period of a park's status (动态调整 "有进有出", docs §1.1, §8.2)."""

    class Status(models.TextChoices):
        PROVINCIAL_CLUSTER = "provincial_cluster", "省定产业集聚区"
        CITY_PARK = "city_park", "市级专业园区"
        DEVELOPMENT_ZONE = "development_zone", "开发区"
        MERGED = "merged", "整合入开发区"
        REVOKED = "revoked", "撤销（摘牌）"

    park = models.ForeignKey(
        Park, verbose_name="园区", on_delete=models.CASCADE, related_name="statuses"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        Park,
        verbose_name="整合入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_parks",
    )
    document = models.CharField("依据文件", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "园区状态"
        verbose_name_plural = "园区状态"
        ordering = ["park", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "valid_from"],
                name="park_status_unique_start",
                violation_error_message="该园区在同一日期已有状态记录。",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="park_status_dates",
                violation_error_message="截止日期不能早于起始日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park}：{self.get_status_display()}（{self.valid_from}起）"


class ParkIndustry(models.Model):
    """A leading, emerging or characteristic industry of a park (产业图谱), GB/T 4754-2017."""

    class Role(models.TextChoices):
        LEADING = "leading", "主导产业"
        EMERGING = "emerging", "新兴产业"
        CHARACTERISTIC = "characteristic", "特色产业"

    park = models.ForeignKey(
        Park, verbose_name="园区", on_delete=models.CASCADE, related_name="industries"
    )
    role = models.CharField("类别", max_length=16, choices=Role.choices)
    industry_code = models.CharField(
        "行业代码（GB/T 4754-2017）",
        max_length=5,
        validators=[RegexValidator(INDUSTRY_CODE_RE, INDUSTRY_CODE_MESSAGE)],
    )
    industry_name = models.CharField("行业名称", max_length=60)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "园区产业"
        verbose_name_plural = "园区产业"
        ordering = ["park", "role", "sort_order", "industry_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "role", "industry_code"],
                name="park_industry_unique",
                violation_error_message="该园区的同一类别中已有此行业。",
            ),
            models.CheckConstraint(
                condition=models.Q(industry_code__regex=INDUSTRY_CODE_RE),
                name="park_industry_code_format",
                violation_error_message=INDUSTRY_CODE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.industry_name}（{self.industry_code}）"
