"""A record that the database holds the fictional demo city (shown as 演示数据 on every page)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class DemoLoad(models.Model):
    """One run of `dudao demo`."""

    scale = models.CharField(max_length=20)
    seed = models.IntegerField()
    loaded_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = "演示数据加载记录"
        verbose_name_plural = "演示数据加载记录"

    def __str__(self) -> str:
        return f"{self.scale}/{self.seed} @ {self.loaded_at:%Y-%m-%d %H:%M}"
