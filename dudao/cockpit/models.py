"""The cockpit's own data: the tile-grid layout of the county map and the uploaded outline.

Everything else the cockpit shows belongs to other modules and is read through their selectors.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MapTile(models.Model):
    """Where one county (or park) sits on the tile-grid map: a square at (x, y), x to the
    east and y to the south, as the city draws its own schematic map."""

    organisation = models.OneToOneField(
        "orgs.Organisation", verbose_name="单位", on_delete=models.CASCADE, related_name="map_tile"
    )
    grid_x = models.PositiveSmallIntegerField("列（自西向东，从0起）")
    grid_y = models.PositiveSmallIntegerField("行（自北向南，从0起）")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "方块图位置"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grid_x__lte=29, grid_y__lte=29), name="map_tile_in_grid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.grid_x}, {self.grid_y})"


class MapOutline(models.Model):
    """An approved boundary map of the city (GeoJSON) with its 审图号. At most one in force
    per city; an upload replaces the one before (which stays, retired, for the record)."""

    city = models.ForeignKey(
        "orgs.Organisation", verbose_name="城市", on_delete=models.PROTECT, related_name="outlines"
    )
    approval_no = models.CharField("审图号", max_length=60)
    original_name = models.CharField("文件名", max_length=120)
    geojson = models.TextField("GeoJSON")
    size = models.PositiveIntegerField("大小（字节）")
    feature_names = models.JSONField("区划名称", default=list)
    is_active = models.BooleanField("在用", default=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "行政区划轮廓"
        constraints = [
            models.UniqueConstraint(
                fields=["city"], condition=models.Q(is_active=True), name="one_outline_per_city"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city}（{self.approval_no}）"
