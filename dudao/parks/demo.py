"""Demo parks: one Park per park committee the platform generator created (示范市's eighteen,
and at province scale every city's ten fictional parks), with level, areas, status history and
产业图谱 (GB/T 4754-2017 codes). All fictional (演示数据)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.parks.models import Park, ParkIndustry, ParkStatus

K = Park.Kind
ST = ParkStatus.Status
R = ParkIndustry.Role

INDUSTRIES = [
    ("C39", "计算机、通信和其他电子设备制造业"),
    ("C38", "电气机械和器材制造业"),
    ("C36", "汽车制造业"),
    ("C35", "专用设备制造业"),
    ("C34", "通用设备制造业"),
    ("C27", "医药制造业"),
    ("C26", "化学原料和化学制品制造业"),
    ("C30", "非金属矿物制品业"),
    ("C13", "农副食品加工业"),
    ("C14", "食品制造业"),
    ("C17", "纺织业"),
    ("C33", "金属制品业"),
    ("G59", "装卸搬运和仓储业"),
    ("I65", "软件和信息技术服务业"),
]


def _kind(name: str) -> str:
    for marker, kind in (
        ("高新", K.HIGH_TECH),
        ("经济技术", K.ECONOMIC),
        ("商务中心", K.BUSINESS_CENTRE),
        ("特色商业", K.COMMERCIAL_STREET),
        ("产业集聚区", K.CLUSTER),
    ):
        if marker in name:
            return kind
    return K.SPECIALISED


def _level(kind: str, n: int) -> str:
    if kind in (K.HIGH_TECH, K.ECONOMIC) and n % 2 == 0:
        return Park.Level.NATIONAL
    if kind in (K.SPECIALISED, K.COMMERCIAL_STREET):
        return Park.Level.CITY
    return Park.Level.PROVINCIAL


@generator(order=15, name="产业集聚区")
def parks(ctx: DemoContext) -> None:
    rng = ctx.rng
    committees = Organisation.objects.filter(kind=Organisation.Kind.PARK_COMMITTEE).select_related(
        "parent", "parent__region"
    )
    rows = []
    for i, org in enumerate(committees.order_by("path")):
        parent = org.parent
        county = parent if parent and parent.kind == Organisation.Kind.COUNTY_GOV else None
        city = parent if parent and parent.kind == Organisation.Kind.CITY_GOV else None
        if city is None and county is not None:
            city = county.parent
        name = org.name.removesuffix("管理委员会")
        kind = _kind(name)
        planned = Decimal(rng.randint(800, 4000)) / 100
        rows.append(
            Park(
                code=org.code,
                name=name,
                short_name=org.short_name,
                kind=kind,
                level=_level(kind, i),
                organisation=org,
                county=county,
                city_region=city.region if city else None,
                planned_area_km2=planned,
                built_area_km2=(planned * Decimal(rng.randint(45, 85)) / 100).quantize(
                    Decimal("0.01")
                ),
                sort_order=i,
            )
        )
    Park.objects.bulk_create(rows, batch_size=500)
    statuses: list[ParkStatus] = []
    industries: list[ParkIndustry] = []
    for park in Park.objects.filter(pk__in=[p.pk for p in rows]).order_by("sort_order"):
        first = dt.date(rng.choice((2009, 2010, 2011, 2012)), 1, 1)
        if park.kind in (K.SPECIALISED, K.COMMERCIAL_STREET):
            statuses.append(ParkStatus(park=park, status=ST.CITY_PARK, valid_from=first))
        else:
            reform = dt.date(2021, 7, 1)
            statuses.append(
                ParkStatus(
                    park=park,
                    status=ST.PROVINCIAL_CLUSTER,
                    valid_from=first,
                    valid_to=reform - dt.timedelta(days=1),
                    document="省政府公布产业集聚区名单（演示）",
                )
            )
            statuses.append(
                ParkStatus(
                    park=park,
                    status=ST.DEVELOPMENT_ZONE,
                    valid_from=reform,
                    document="开发区整合扩区调规（演示）",
                )
            )
        picks = rng.sample(INDUSTRIES, 4)
        for order, (role, (code, label)) in enumerate(
            zip((R.LEADING, R.LEADING, R.EMERGING, R.CHARACTERISTIC), picks, strict=True)
        ):
            industries.append(
                ParkIndustry(
                    park=park, role=role, industry_code=code, industry_name=label, sort_order=order
                )
            )
    ParkStatus.objects.bulk_create(statuses, batch_size=1000)
    ParkIndustry.objects.bulk_create(industries, batch_size=1000)
    ctx.counts["parks"] = len(rows)
