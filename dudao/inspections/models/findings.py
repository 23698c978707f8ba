"""观摩督导 models (`dudao.inspections.models`): Findings and provincial results."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.inspections.models.scoring import ScoreCard
from dudao.inspections.models.sheets import Criterion
from dudao.inspections.models.tours import Site, Tour

# --- Findings and provincial results --------------------------------------------------------------


class FindingQuerySet(ScopedQuerySet["Finding"]):
    """A finding is seen in its county's scope, and only while its tour is visible (a
    confirmed finding reaches the county as a problem in the ledger)."""

    scope_field = "county"

    def visible_to(self, user: Any) -> Self:
        return super().visible_to(user).filter(tour__in=Tour.objects.visible_to(user))


class Finding(models.Model):
    """A problem seen at a site. Confirmed findings become problems in the ledger (source 观摩);
    a criterion scored below the tour's threshold proposes a draft for the organiser."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已交办"
        DISMISSED = "dismissed", "不予交办"

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="findings"
    )
    site = models.ForeignKey(
        Site, verbose_name="观摩点位", on_delete=models.CASCADE, related_name="findings"
    )
    county = models.ForeignKey(
        "orgs.Organisation", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name="关联评分项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    card = models.ForeignKey(
        ScoreCard,
        verbose_name="来源评分表",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    title = models.CharField("问题", max_length=120)
    description = models.TextField("问题描述", blank=True)
    category = models.ForeignKey(
        "problems.ProblemCategory",
        verbose_name="问题类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField("整改时限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposed = models.BooleanField("系统提示生成", default=False)
    problem = models.OneToOneField(
        "problems.Problem",
        verbose_name="问题台账编号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[FindingQuerySet] = FindingQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "观摩发现问题"
        verbose_name_plural = "观摩发现问题"
        ordering = ["tour_id", "status", "-created_at"]
        indexes = [models.Index(fields=["tour", "status"], name="insp_finding_tour_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "criterion"],
                condition=Q(proposed=True),
                name="insp_finding_proposed_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self) -> Any:
        return self.county


class ProvincialResult(models.Model):
    """Our representative's rank in a provincial tour (e.g. 高新区 first in 2026)."""

    year = models.PositiveSmallIntegerField("年度")
    tour_name = models.CharField("观摩活动", max_length=80)
    representative = models.CharField("代表单位", max_length=60)
    rank = models.PositiveSmallIntegerField("名次", validators=[MinValueValidator(1)])
    participants = models.PositiveSmallIntegerField("参评单位数", null=True, blank=True)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "全省观摩结果"
        verbose_name_plural = "全省观摩结果"
        ordering = ["-year", "tour_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "tour_name", "representative"], name="insp_provincial_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.tour_name} {self.representative} 第{self.rank}名"
