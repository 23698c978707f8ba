"""观摩督导 models (`dudao.inspections.models`): Score sheets (criteria as data)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from dudao.inspections.models._base import HALF

# --- Score sheets (criteria as data) --------------------------------------------------------------


class ScoreSheet(models.Model):
    """A score sheet (评分表): criteria with maximum points, for one kind of site."""

    class Kind(models.TextChoices):
        SITE = "site", "项目评分表"
        COUNTY = "county", "县级综合评分表"

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SITE)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def max_total(self) -> Decimal:
        return sum((c.max_points for c in self.criteria.all()), Decimal(0))


class Criterion(models.Model):
    """One line of a score sheet: what the judge checks and how many points at most."""

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name="评分表", on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField("编码", max_length=30)
    name = models.CharField("评分项", max_length=40)
    max_points = models.DecimalField(
        "满分", max_digits=5, decimal_places=1, validators=[MinValueValidator(HALF)]
    )
    guidance = models.CharField("评分要点", max_length=200, blank=True)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["sheet_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="insp_criterion_code"),
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="insp_criterion_max_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"
