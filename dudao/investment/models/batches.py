"""三个一批: periods and their entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dudao.investment.models.deals import (
    Deal,
)


class ThreeBatchPeriod(models.Model):
    """One 期次 of 三个一批 (签约一批、开工一批、投产一批), held once a quarter (§2.7)."""

    number = models.PositiveIntegerField("期次", unique=True)
    held_on = models.DateField("举办日期")
    venue = models.CharField("主会场", max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "三个一批期次"
        verbose_name_plural = "三个一批期次"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"第{self.number}期（{self.held_on:%Y-%m-%d}）"


class ThreeBatchEntry(models.Model):
    """A deal on one of a period's three lists, with its amount and size band at listing."""

    class List(models.TextChoices):
        SIGNING = "signing", "签约一批"
        START = "start", "开工一批"
        PRODUCTION = "production", "投产一批"

    period = models.ForeignKey(
        ThreeBatchPeriod, verbose_name="期次", on_delete=models.PROTECT, related_name="entries"
    )
    list = models.CharField("名单", max_length=12, choices=List.choices)
    deal = models.ForeignKey(
        Deal, verbose_name="招商项目", on_delete=models.PROTECT, related_name="batch_entries"
    )
    amount = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="列入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "三个一批名单项目"
        verbose_name_plural = "三个一批名单项目"
        ordering = ["period", "list", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "list", "deal"], name="batch_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_list_display()} {self.deal_id}"
