"""Administrative divisions (行政区划, GB/T 2260)."""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """One administrative division with its 6-digit GB/T 2260 code.

    Codes change over time (撤县设区); a retired code keeps its row with `is_current=False`
    so that historical records still resolve.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        PREFECTURE = "prefecture", "地级"
        COUNTY = "county", "县级"

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    source_revision = models.CharField("数据版本", max_length=80)
    is_current = models.BooleanField("现行", default=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[1-9][0-9]{5}$"), name="region_code_6_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
