"""The industry chain map (产业图谱): chains classed 主导/新兴/特色."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from dudao.core.scoping import ScopedQuerySet


class IndustryChain(models.Model):
    """An industry chain of the 产业图谱 (装备制造, 新材料, 食品 …), classed 主导/新兴/特色."""

    class Kind(models.TextChoices):
        LEADING = "leading", "主导产业"
        EMERGING = "emerging", "新兴产业"
        DISTINCTIVE = "distinctive", "特色产业"

    name = models.CharField("产业链", max_length=40)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所属地区",
        on_delete=models.PROTECT,
        related_name="industry_chains",
        help_text="市级产业链属于市政府；县（区）、园区特色产业链属于该县或园区。",
    )
    industry_prefixes = models.CharField(
        "行业代码前缀",
        max_length=120,
        blank=True,
        help_text="GB/T 4754 代码前缀，以逗号分隔，如 34,35（通用、专用设备制造业）。",
    )
    sort_order = models.IntegerField("排序", default=0)

    objects: ClassVar[ScopedQuerySet[IndustryChain]] = ScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "产业链"
        verbose_name_plural = "产业链"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="chain_org_name"),
        ]

    def __str__(self) -> str:
        return self.name
