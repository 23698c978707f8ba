"""Funds in place per deal and month, and the weights of the county assessment (§5.4)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.investment.models.deals import (
    Deal,
)


class DealFunding(models.Model):
    """Funds in place (到位资金) of one deal in one month, verified by another unit."""

    deal = models.ForeignKey(
        Deal, verbose_name="招商项目", on_delete=models.PROTECT, related_name="fundings"
    )
    month = models.DateField("月份", help_text="当月第一天。")
    amount = models.DecimalField("到位资金（万元）", max_digits=14, decimal_places=2)
    evidence = models.CharField("佐证", max_length=200, help_text="银行进账单、验资报告等。")
    note = models.CharField("说明", max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    reporting_org = models.ForeignKey(
        "orgs.Organisation", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    verified = models.BooleanField("已核实", default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verifier_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="核实单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "到位资金"
        verbose_name_plural = "到位资金"
        ordering = ["deal", "month"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "month"], name="funding_deal_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="funding_nonneg"),
        ]
        indexes = [models.Index(fields=["month", "verified"], name="funding_month_verified")]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.month:%Y-%m} {self.amount}"


class AssessmentWeight(models.Model):
    """The county assessment (§5.4) as data: each §5.3 ratio's weight in 分 and the ratio
    credited at most (a cap of 1.0: 120% earns no more than 100%)."""

    class Key(models.TextChoices):
        PERFORMANCE = "performance", "合同履约率"
        START = "start", "开工率"
        PRODUCTION = "production", "投产率"
        FUNDS = "funds", "资金到位率"
        FIT = "fit", "产业契合度"

    key = models.CharField("指标", max_length=12, choices=Key.choices, unique=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2)
    cap = models.DecimalField(
        "计分上限（比率）",
        max_digits=6,
        decimal_places=4,
        default=Decimal("1"),
        help_text="比率超过此值按此值计分，如 1 表示完成率超过 100% 不加分。",
    )
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "招商考核权重"
        verbose_name_plural = "招商考核权重"
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="assessment_weight_nonneg"
            ),
            models.CheckConstraint(condition=models.Q(cap__gt=0), name="assessment_cap_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} {self.weight}分"
