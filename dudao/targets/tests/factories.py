"""A small sheet of the test city (amounts in 万元), with approved statistics behind it.

甲县 (county A) and 乙县 (county B) have a 固定资产投资 target of 100.0亿元 each; at 1–6月
甲县 has 45.0亿元 (45.0% vs 序时 50.0%: 落后5.0个百分点, green) and 乙县 25.0亿元 (25.0%:
落后25.0个百分点, yellow, a weak link). 甲县's 利润 grows 12.5% against an 8% target
(4.5个百分点 above) and its 综合能耗 (lower is better) used 42.0% of the cap (8.0个百分点
under schedule). The two parks tie (30.0亿元 of 60.0亿元 each); 乙县发改委 trails them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dudao.stats.models import Indicator, IndicatorValue
from dudao.targets.models import TargetIndicator, TargetRow, TargetSet, UnitClass
from dudao.testing import World

D = Decimal
YEAR = 2026


def value(org_id: int, code: str, year: int, month: int, amount: str) -> None:
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code=code),
        organisation_id=org_id,
        period=dt.date(year, month, 1),
        value=D(amount),
        status=IndicatorValue.Status.APPROVED,
        source=IndicatorValue.Source.STATISTICS,
        reviewed_at=timezone.now(),
    )


def build_sheet(world: World, *, approved: bool = True) -> TargetSet:
    ts = TargetSet.objects.create(
        year=YEAR,
        issuer=world.city,
        level=TargetSet.Level.CITY_TO_COUNTY,
        document="示政〔2026〕5号",
        title="2026年目标",
        status=TargetSet.Status.APPROVED if approved else TargetSet.Status.DRAFT,
    )
    fai = TargetIndicator.objects.get(code="fai")
    rows = [
        (world.county_a, "absolute", "1000000", "3"),
        (world.county_b, "absolute", "1000000", "3"),
        (world.park_a, "absolute", "600000", "1"),
        (world.park_b, "absolute", "600000", "1"),
        (world.county_b_drc, "absolute", "600000", "1"),
    ]
    for unit, kind, target, weight in rows:
        TargetRow.objects.create(
            target_set=ts,
            unit=unit,
            indicator=fai,
            kind=kind,
            target_value=D(target),
            weight=D(weight),
        )
    # the same indicator as a growth target beside the absolute one: 12.5% against 8%
    TargetRow.objects.create(
        target_set=ts, unit=world.county_a, indicator=fai, kind="growth", target_value=D(8)
    )
    TargetRow.objects.create(
        target_set=ts,
        unit=world.county_a,
        indicator=TargetIndicator.objects.get(code="profit"),
        kind="growth",
        target_value=D(8),
        weight=D(1),
    )
    TargetRow.objects.create(
        target_set=ts,
        unit=world.county_a,
        indicator=TargetIndicator.objects.get(code="energy_consumption"),
        kind="absolute",
        target_value=D(100000),
        weight=D(1),
    )
    value(world.county_a.pk, "profit", YEAR - 1, 6, "10000")
    value(world.county_a.pk, "profit", YEAR, 6, "11250")
    value(world.county_a.pk, "energy_consumption", YEAR, 6, "42000")
    figures = {
        world.county_a.pk: ("400000", "450000", "380000"),
        world.county_b.pk: ("260000", "250000", "200000"),
        world.park_a.pk: ("250000", "300000", "250000"),
        world.park_b.pk: ("250000", "300000", "250000"),
        world.county_b_drc.pk: ("250000", "120000", "100000"),
    }
    for org_id, (last_year, june, may) in figures.items():
        value(org_id, "fai", YEAR - 1, 6, last_year)
        value(org_id, "fai", YEAR, 6, june)
        value(org_id, "fai", YEAR, 5, may)
    first = UnitClass.objects.create(year=YEAR, owner=world.city, name="一类", sort_order=1)
    first.members.set([world.county_a, world.county_b])
    parks = UnitClass.objects.create(year=YEAR, owner=world.city, name="园区组", sort_order=2)
    parks.members.set([world.park_a, world.park_b, world.county_b_drc])
    return ts
