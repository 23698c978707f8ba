"""Parks: services (create, edit with version, status history, industries) and the import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed, StaleObject
from dudao.core.imports import ImportRejected
from dudao.parks import services
from dudao.parks.importers import import_parks
from dudao.parks.models import Park, ParkStatus
from dudao.testing import World

pytestmark = pytest.mark.django_db

HEADER = (
    "code,name,short_name,kind,level,organisation_code,county_code,city_code,"
    "planned_area_km2,built_area_km2,status,status_from,status_document,industries\n"
)


def make(world: World, **fields: object) -> Park:
    data: dict[str, object] = {
        "code": "P-A",
        "name": "甲县产业集聚区",
        "organisation": world.park_a,
    }
    data.update(fields)
    return services.create_park(actor=world.city_supervisor, **data)


def test_a_supervisor_creates_and_edits_a_park_with_version_check(world: World) -> None:
    park = make(world, planned_area_km2=Decimal("20.5"))
    park = services.update_park(
        actor=world.city_supervisor, park=park, version=park.version, built_area_km2=Decimal("12")
    )
    assert park.version == 2
    with pytest.raises(StaleObject):
        services.update_park(actor=world.city_supervisor, park=park, version=1, name="乙")
    assert AuditEvent.objects.filter(action__startswith="parks.park").count() == 2


def test_only_a_supervisor_manages_parks(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.create_park(actor=world.county_a_reviewer, code="X", name="X")


def test_a_committee_runs_one_park_and_must_be_a_park_committee(world: World) -> None:
    make(world)
    with pytest.raises(DomainError, match="已对应园区"):
        make(world, code="P-B")
    with pytest.raises(DomainError, match="管委会须为"):
        make(world, code="P-C", organisation=world.county_a)


def test_a_new_status_closes_the_open_one(world: World) -> None:
    park = make(world)
    actor = world.city_supervisor
    services.add_status(
        actor=actor, park=park, status="provincial_cluster", valid_from=dt.date(2010, 1, 1)
    )
    services.add_status(
        actor=actor, park=park, status="development_zone", valid_from=dt.date(2021, 7, 1)
    )
    first, second = ParkStatus.objects.filter(park=park).order_by("valid_from")
    assert first.valid_to == dt.date(2021, 6, 30)
    assert second.valid_to is None
    with pytest.raises(DomainError, match="须晚于"):
        services.add_status(
            actor=actor, park=park, status="city_park", valid_from=dt.date(2020, 1, 1)
        )
    with pytest.raises(DomainError, match="整合入"):
        services.add_status(actor=actor, park=park, status="merged", valid_from=dt.date(2022, 1, 1))


def test_industries_take_gb_4754_codes(world: World) -> None:
    park = make(world)
    rows = services.set_industries(
        actor=world.city_supervisor,
        park=park,
        industries=[
            ("leading", "c39", "计算机、通信和其他电子设备制造业"),
            ("emerging", "3562", "半导体器件专用设备制造"),
        ],
    )
    assert [r.industry_code for r in rows] == ["C39", "3562"]
    with pytest.raises(DomainError, match="行业代码"):
        services.set_industries(
            actor=world.city_supervisor, park=park, industries=[("leading", "X1", "错")]
        )


def test_the_parks_import_creates_updates_and_is_idempotent(world: World) -> None:
    data = (
        HEADER + "SFS-GX,示范市高新区,高新区,高新技术产业开发区,国家级,SFS-A-P1,SFS-A,,30.5,18.2,"
        "省定产业集聚区,2012-01-01,豫政〔2012〕1号,主导:C39:电子信息;新兴:3562:半导体设备\n"
        + "ZZ-01,郑州某园区,,产业集聚区,省级,,,410100,,,,,,\n"
    ).encode()
    report = import_parks(data, filename="parks.csv", actor=world.city_supervisor, dry_run=False)
    assert (report.created, report.updated) == (2, 0)
    park = Park.objects.get(code="SFS-GX")
    assert park.kind == "high_tech"
    assert park.level == "national"
    assert park.organisation == world.park_a
    assert park.industries.count() == 2
    assert park.statuses.get().document == "豫政〔2012〕1号"
    assert Park.objects.get(code="ZZ-01").city_region_id == "410100"
    again = import_parks(data, filename="parks.csv", actor=world.city_supervisor, dry_run=False)
    assert again.changed == 0
    assert again.unchanged == 2


def test_the_parks_import_rejects_bad_rows_and_writes_nothing(world: World) -> None:
    data = (
        HEADER
        + "P1,园区一,,火星园区,,NOPE,,999999,-1,,,,,主导-C39\n"
        + "P1,园区一,,,,,,,,,省定产业集聚区,,,\n"
    ).encode()
    with pytest.raises(ImportRejected) as info:
        import_parks(data, filename="parks.csv", actor=world.city_supervisor, dry_run=False)
    text = "\n".join(str(e) for e in info.value.errors)
    for expected in (
        "「园区类型」列",
        "「管委会单位编码」列",
        "「所在市行政区划代码」列",
        "「规划面积（平方公里）」列",
        "「产业」列",
        "与第2行编码重复",
        "「状态起始日期」列",
    ):
        assert expected in text, expected
    assert not Park.objects.exists()


def test_a_dry_run_of_the_parks_import_writes_nothing(world: World) -> None:
    data = (HEADER + "P1,园区一,,,,,,,,,,,,\n").encode()
    report = import_parks(data, filename="parks.csv", actor=world.city_supervisor, dry_run=True)
    assert report.created == 1
    assert not Park.objects.exists()


def test_the_list_names_a_city_level_park_without_a_county(world: World) -> None:
    from django.test import Client

    make(world, code="P-CITY", name="示范市高新技术产业开发区", county=None)
    client = Client()
    client.force_login(world.city_supervisor)
    response = client.get("/parks/")
    assert response.status_code == 200
    row = response.content.decode().split("P-CITY", 1)[1].split("</tr>", 1)[0]
    assert "市直" in row
