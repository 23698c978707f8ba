"""Industrial cluster zones (产业集聚区) and other parks of the whole province.

A park of our city is run by a 管委会 organisation (`organisation`); parks of other cities are
kept for the provincial comparison and may have none. `county` is the county government the
park lies in (none for city-level zones such as 高新区).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


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

    def __str__(self) -> str:
        return self.name
