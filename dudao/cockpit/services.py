"""Writes of the cockpit: the map layout and the boundary outline (system administrator only).

Each is one transaction with its audit event. The layout is reference data (where a county
sits on a schematic map), not business data, so the 系统管理员 maintains it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.cockpit import selectors
from dudao.cockpit.models import MapOutline, MapTile
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.roles import Role
from dudao.core.uploads import safe_name

if TYPE_CHECKING:
    from dudao.accounts.models import User

GRID_MAX = 29  # the grid is at most 30 × 30 squares
GEOMETRIES = ("Polygon", "MultiPolygon")


def _require_sysadmin(actor: User) -> None:
    if not actor.has_role(Role.SYSADMIN):
        raise NotAllowed("只有系统管理员可以维护县区方块图和轮廓图。")


def _coordinate(value: Any, label: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or int(text) > GRID_MAX:
        raise DomainError(f"{label}应为 0–{GRID_MAX} 的整数。", field=label)
    return int(text)


@transaction.atomic(durable=True)
def set_tile(*, actor: User, organisation_id: int, grid_x: Any, grid_y: Any) -> MapTile:
    """Place one county or park on the tile-grid map; two units may not share a square."""
    _require_sysadmin(actor)
    units = {u.pk: (u, t) for u, t in selectors.layout_units(actor)}
    if organisation_id not in units:
        raise DomainError("该单位不是本市的县区或园区。", field="organisation")
    org, tile = units[organisation_id]
    x, y = _coordinate(grid_x, "列"), _coordinate(grid_y, "行")
    taken = (
        MapTile.objects.filter(organisation_id__in=list(units), grid_x=x, grid_y=y)
        .exclude(organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )
    if taken is not None:
        raise DomainError(f"第{y}行第{x}列已放置{taken.organisation.display_name}。", field="列")
    before = None if tile is None else {"列": tile.grid_x, "行": tile.grid_y}
    tile, _ = MapTile.objects.select_for_update().update_or_create(
        organisation=org, defaults={"grid_x": x, "grid_y": y, "updated_at": timezone.now()}
    )
    record_event(
        actor=actor,
        action="cockpit.tile_set",
        obj=tile,
        organisation=org,
        before=before,
        after={"列": x, "行": y},
        object_repr=f"{org.display_name}的方块图位置",
    )
    return tile


@transaction.atomic(durable=True)
def delete_tile(*, actor: User, organisation_id: int) -> None:
    """Take a unit off the map."""
    _require_sysadmin(actor)
    units = {u.pk: (u, t) for u, t in selectors.layout_units(actor)}
    org, tile = units.get(organisation_id, (None, None))
    if org is None or tile is None:
        raise DomainError("该单位不在方块图上。", field="organisation")
    record_event(
        actor=actor,
        action="cockpit.tile_delete",
        obj=tile,
        organisation=org,
        before={"列": tile.grid_x, "行": tile.grid_y},
        object_repr=f"{org.display_name}的方块图位置",
    )
    tile.delete()


def parse_geojson(data: bytes) -> list[str]:
    """Check a boundary file: a GeoJSON FeatureCollection of (Multi)Polygons, each named in
    `properties.name`. Returns the names; a Chinese DomainError says what is wrong."""
    limit = settings.DUDAO_COCKPIT_GEOJSON_MAX_BYTES
    if len(data) > limit:
        raise DomainError(f"文件超过 {limit // (1024 * 1024)} MB 上限。", field="file")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError("文件不是有效的 JSON（UTF-8 编码的 GeoJSON）。", field="file") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DomainError("GeoJSON 顶层应为 FeatureCollection（要素集合）。", field="file")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise DomainError("GeoJSON 中没有任何区划要素。", field="file")
    names: list[str] = []
    for n, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
            raise DomainError(f"第{n}个要素的几何类型应为面（Polygon 或 MultiPolygon）。")
        if not isinstance(geometry.get("coordinates"), list):
            raise DomainError(f"第{n}个要素缺少坐标。")
        name = props.get("name") if isinstance(props, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise DomainError(f"第{n}个要素缺少区划名称（properties.name）。")
        names.append(name.strip()[:40])
    if len(set(names)) != len(names):
        raise DomainError("区划名称有重复，每个县区只能出现一次。")
    return names


@transaction.atomic(durable=True)
def upload_outline(*, actor: User, name: str, data: bytes, approval_no: str) -> MapOutline:
    """Put an approved boundary map (with its 审图号) in force for the administrator's city;
    the one before is retired, not deleted."""
    _require_sysadmin(actor)
    city = selectors.layout_city(actor)
    if city is None:
        raise DomainError("您所在单位不属于任何市，无法上传轮廓图。")
    approval_no = (approval_no or "").strip()
    if not approval_no:
        raise DomainError("请填写审图号（地图审核批准号）。", field="approval_no")
    if len(approval_no) > 60:
        raise DomainError("审图号不能超过 60 个字。", field="approval_no")
    names = parse_geojson(data)
    retired = list(
        MapOutline.objects.select_for_update()
        .filter(city=city, is_active=True)
        .values_list("pk", flat=True)
    )
    MapOutline.objects.filter(pk__in=retired).update(is_active=False)
    outline = MapOutline.objects.create(
        city=city,
        approval_no=approval_no,
        original_name=safe_name(name, "boundary.geojson"),
        geojson=data.decode("utf-8-sig"),
        size=len(data),
        feature_names=names,
        uploaded_by=actor,
    )
    record_event(
        actor=actor,
        action="cockpit.outline_upload",
        obj=outline,
        organisation=city,
        after={"审图号": approval_no, "文件": outline.original_name, "区划数": len(names)},
        object_repr=f"{city.display_name}行政区划轮廓（{approval_no}）",
    )
    return outline


@transaction.atomic(durable=True)
def retire_outline(*, actor: User, pk: int) -> None:
    """Stop using the outline (the map falls back to the tile grid)."""
    _require_sysadmin(actor)
    city = selectors.layout_city(actor)
    outline = (
        MapOutline.objects.select_for_update().filter(pk=pk, city=city, is_active=True).first()
    )
    if outline is None:
        raise DomainError("没有在用的这个轮廓图。")
    outline.is_active = False
    outline.save(update_fields=["is_active"])
    record_event(
        actor=actor,
        action="cockpit.outline_retire",
        obj=outline,
        organisation=city,
        before={"审图号": outline.approval_no},
        object_repr=f"{outline.city.display_name}行政区划轮廓（{outline.approval_no}）",
    )
