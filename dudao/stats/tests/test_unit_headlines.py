"""`unit_headlines`: a city's or county's headline indicators by the park-profile rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dudao.stats import selectors
from dudao.stats.tests.scenario import enter
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_a_countys_value_growth_rank_and_series(world: World) -> None:
    for org, last, now in ((world.county_a, "400", "500"), (world.county_b, "300", "600")):
        enter(world, org, "fai", dt.date(2025, 3, 1), Decimal(last))
        enter(world, org, "fai", dt.date(2026, 3, 1), Decimal(now))
    enter(world, world.city, "fai", dt.date(2026, 3, 1), Decimal("2000"))
    h = selectors.unit_headlines(world.city_leader, world.county_a)
    assert h.period == dt.date(2026, 3, 1)
    assert h.peers == 2
    fai = next(r for r in h.rows if r.indicator.code == "fai")
    assert fai.value == "0.1"  # 500 万元 in 亿元, one decimal half-up
    assert fai.growth == "同比增长25.0%"
    assert fai.rank == "第2位/2家"  # 500 behind county B's 600
    assert fai.share == "25.0%"  # of the city's 2 000
    assert fai.months == ["2025-03", "2026-03"]  # 13 months: the same month last year too
    assert not any(r.indicator.in_summary is False for r in h.rows)


def test_out_of_scope_is_404_and_no_data_is_empty(world: World) -> None:
    with pytest.raises(Http404):
        selectors.unit_headlines(world.county_a_reviewer, world.county_b)
    empty = selectors.unit_headlines(world.city_leader, world.county_a)
    assert (empty.period, empty.rows) == (None, [])
