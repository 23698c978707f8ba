"""Admin-maintained calendar data that beats or completes the chinese-calendar package (§8.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarOverride(models.Model):
    """One day whose status differs from chinese-calendar, or that the package does not know.

    Entered by 系统管理员 from the State Council notice (国务院办公厅关于某年部分节假日安排的通知)
    for years the package does not cover yet, or for a local arrangement.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("名称", max_length=60, help_text="如 国庆节、国庆节调休上班。")
    source = models.CharField(
        "依据",
        max_length=200,
        help_text="如 国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕N号。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "上班" if self.is_workday else "休息"
        return f"{self.date.isoformat()} {self.name}（{kind}）"


class HolidayYearStatus(models.Model):
    """Whether a year's holiday notice is published and entered (else deadlines are provisional)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    published = models.BooleanField("已发布并录入", default=False)
    source = models.CharField("依据", max_length=200, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "年度节假日安排状态"
        verbose_name_plural = "年度节假日安排状态"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{'已发布' if self.published else '未发布'}）"
