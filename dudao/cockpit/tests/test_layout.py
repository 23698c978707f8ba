"""The tile-grid layout and the boundary outline: system administrator only, validated,
audited; the outline is served to the cockpit's readers for echarts.registerMap."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.cockpit import services
from dudao.cockpit.models import MapOutline, MapTile
from dudao.cockpit.tests.matrix import GEOJSON
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_the_sysadmin_places_a_county_and_two_may_not_share_a_square(world: World) -> None:
    tile = services.set_tile(
        actor=world.sysadmin, organisation_id=world.county_a.pk, grid_x="2", grid_y=1
    )
    assert (tile.grid_x, tile.grid_y) == (2, 1)
    event = AuditEvent.objects.filter(action="cockpit.tile_set").latest("id")
    assert event.after == {"列": 2, "行": 1}
    with pytest.raises(DomainError, match=f"第1行第2列已放置{world.county_a.display_name}"):
        services.set_tile(
            actor=world.sysadmin, organisation_id=world.county_b.pk, grid_x=2, grid_y=1
        )
    moved = services.set_tile(
        actor=world.sysadmin, organisation_id=world.county_a.pk, grid_x=0, grid_y=0
    )
    assert MapTile.objects.get().pk == moved.pk
    services.delete_tile(actor=world.sysadmin, organisation_id=world.county_a.pk)
    assert not MapTile.objects.exists()


@pytest.mark.parametrize("value", ["-1", "30", "x", "", None, "1.5", "99999999999999999999"])
def test_a_coordinate_outside_the_grid_is_refused_in_chinese(world: World, value: object) -> None:
    with pytest.raises(DomainError, match="列应为 0–29 的整数"):
        services.set_tile(
            actor=world.sysadmin, organisation_id=world.county_a.pk, grid_x=value, grid_y=0
        )


def test_only_the_sysadmin_and_only_the_citys_counties_and_parks(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.set_tile(
            actor=world.city_leader, organisation_id=world.county_a.pk, grid_x=0, grid_y=0
        )
    with pytest.raises(DomainError, match="不是本市的县区或园区"):
        services.set_tile(
            actor=world.sysadmin, organisation_id=world.county_a_drc.pk, grid_x=0, grid_y=0
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "不是有效的 JSON"),
        (b"{not json", "不是有效的 JSON"),
        (b"[]", "顶层应为 FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "没有任何区划要素"),
        (
            b'{"type": "FeatureCollection", "features": [{"geometry": {"type": "Point", '
            b'"coordinates": [1, 2]}, "properties": {"name": "A"}}]}',
            "第1个要素的几何类型应为面",
        ),
        (
            b'{"type": "FeatureCollection", "features": [{"geometry": {"type": "Polygon", '
            b'"coordinates": []}, "properties": {}}]}',
            "缺少区划名称",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "geometry": {"type": "Polygon", "coordinates": []},
                            "properties": {"name": "A"},
                        }
                    ]
                    * 2,
                }
            ).encode(),
            "区划名称有重复",
        ),
    ],
)
def test_a_bad_boundary_file_is_refused_with_the_reason(
    world: World, data: bytes, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        services.upload_outline(actor=world.sysadmin, name="a.json", data=data, approval_no="1")


def test_the_size_limit_and_the_approval_number_are_required(
    world: World, settings: object
) -> None:
    settings.DUDAO_COCKPIT_GEOJSON_MAX_BYTES = 100  # type: ignore[attr-defined]
    with pytest.raises(DomainError, match="审图号"):
        services.upload_outline(actor=world.sysadmin, name="a.json", data=b"{}", approval_no=" ")
    with pytest.raises(DomainError, match="文件超过"):
        services.upload_outline(actor=world.sysadmin, name="a.json", data=GEOJSON, approval_no="1")


def test_an_upload_replaces_the_outline_in_force_and_readers_get_it(
    client: Client, world: World
) -> None:
    client.force_login(world.sysadmin)
    for number in ("豫S（2025）001号", "豫S（2026）002号"):
        upload = SimpleUploadedFile("边界.geojson", GEOJSON, content_type="application/json")
        response = client.post(
            reverse("cockpit:outline_upload"), {"file": upload, "approval_no": number}
        )
        assert response.status_code == 302
    current = MapOutline.objects.get(is_active=True)
    assert current.approval_no == "豫S（2026）002号"
    assert current.feature_names == ["甲县"]
    assert MapOutline.objects.filter(is_active=False).count() == 1
    assert AuditEvent.objects.filter(action="cockpit.outline_upload").count() == 2
    client.force_login(world.city_leader)
    served = client.get(reverse("cockpit:outline", args=[current.pk]))
    assert served["Content-Type"].startswith("application/geo+json")
    assert json.loads(served.content)["features"][0]["properties"]["name"] == "甲县"
    client.force_login(world.sysadmin)
    client.post(reverse("cockpit:outline_retire", args=[current.pk]))
    assert not MapOutline.objects.filter(is_active=True).exists()
    client.force_login(world.city_leader)
    assert client.get(reverse("cockpit:outline", args=[current.pk])).status_code == 404


def test_the_layout_page_lists_the_citys_counties_and_parks(client: Client, world: World) -> None:
    client.force_login(world.sysadmin)
    page = client.get(reverse("cockpit:layout"))
    names = [u.pk for u, _ in page.context["units"]]
    assert set(names) == {world.county_a.pk, world.county_b.pk, world.park_a.pk, world.park_b.pk}
    bad = client.post(reverse("cockpit:layout"), {"organisation": "x", "grid_x": "1"}, follow=True)
    assert "该单位不是本市的县区或园区" in bad.content.decode()
