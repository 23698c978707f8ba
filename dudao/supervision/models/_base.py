"""督查督办 models (`dudao.supervision.models`): shared constants and helpers."""

from __future__ import annotations

from django.db import models


class TaskCategory(models.Model):
    """The city's strategic taxonomy of work lines (e.g. "9+2"), configurable data."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "任务类别"
        verbose_name_plural = "任务类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
