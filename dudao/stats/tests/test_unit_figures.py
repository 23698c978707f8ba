"""`selectors.unit_figures`: approved values of one indicator for many units, with 同比."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.stats import selectors
from dudao.stats.models import Indicator, IndicatorValue
from dudao.testing import World

pytestmark = pytest.mark.django_db


def put(org_id: int, period: dt.date, value: str, status: str = "approved") -> None:
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="fai"),
        organisation_id=org_id,
        period=period,
        value=Decimal(value),
        status=status,
        source=IndicatorValue.Source.STATISTICS,
        reviewed_at=timezone.now(),
    )


def test_values_growth_and_scope(world: World) -> None:
    june, last_june = dt.date(2026, 6, 1), dt.date(2025, 6, 1)
    put(world.county_a.pk, june, "7000")
    put(world.county_a.pk, last_june, "7991")
    put(world.county_b.pk, june, "9046")
    put(world.county_b.pk, last_june, "7991")
    put(world.park_a.pk, june, "100", status="draft")
    ids = [world.county_a.pk, world.county_b.pk, world.park_a.pk]
    got = selectors.unit_figures(world.city_leader, "fai", june, ids)
    assert set(got) == {world.county_a.pk, world.county_b.pk}  # the draft does not count
    a, b = got[world.county_a.pk], got[world.county_b.pk]
    assert (a.display, a.growth_pct, a.growth_text) == (
        "0.7亿元",
        Decimal("-12.4"),
        "同比下降12.4%",
    )
    assert (b.display, b.growth_pct, b.growth_text) == ("0.9亿元", Decimal("13.2"), "同比增长13.2%")
    assert a.cumulative
    assert set(selectors.unit_figures(world.county_a_reviewer, "fai", june, ids)) == {
        world.county_a.pk
    }
    assert selectors.unit_figures(world.city_leader, "no_such", june, ids) == {}
    assert selectors.level_formats(["fai"])["fai"](Decimal(3500000)) == "350.0亿元"
