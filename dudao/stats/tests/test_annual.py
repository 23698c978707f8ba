"""The annual path of the statistics engine: annual indicators take only the year's figure
(December = 1–12月), the change against last year, and values written by other modules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dudao.core.exceptions import DomainError
from dudao.stats import engine, services
from dudao.stats.models import Indicator, IndicatorValue, annual_period
from dudao.testing import World

D = Decimal


def test_the_change_of_a_share_is_in_points_from_the_displayed_shares() -> None:
    # 26.54% shows as 26.5%, 24.15% as 24.2%: the sentence says 2.3, as the reader checks it
    # (the unrounded difference would give 2.4).
    change = engine.annual_change(D("26.54"), D("24.15"), unit="%", decimals=1)
    assert change.points == D("2.3")
    assert change.text == "较上年提高2.3个百分点"
    assert engine.annual_change(D("24.96"), D("25.04"), unit="%").text == "与上年持平"


def test_the_change_of_a_level_is_a_growth_rate_and_missing_bases_say_why() -> None:
    change = engine.annual_change(D("5"), D("4"), unit="万元/亩", decimals=2)
    assert change.growth == D("0.25")
    assert change.text == "较上年增长25.0%"
    assert engine.annual_change(D("3.9"), D("4"), unit="万元/亩").text == "较上年下降2.5%"
    none = engine.annual_change(D("5"), None, unit="万元/亩")
    assert (none.known, none.text) == (False, "上年无数据，不计算变化")
    assert "基数为零" in engine.annual_change(D("5"), D("0"), unit="万元/亩").text
    assert engine.annual_display(D("4.995"), "万元/亩", 2) == "5.00万元/亩"  # half-up


def test_a_computed_figure_is_cut_to_four_places_so_display_rounding_is_exact() -> None:
    exact = D("12.34995")  # shows as 12.3 (half-up at one place)
    assert services.stored_computed(exact) == D("12.3499")
    assert engine.round_half_up(services.stored_computed(exact), 1) == D("12.3")
    assert engine.round_half_up(exact, 1) == D("12.3")


@pytest.mark.django_db
def test_an_annual_indicator_takes_only_the_years_figure() -> None:
    ind = Indicator.objects.get(code="ent_grade_a_share")
    assert ind.is_annual
    data = services.ValueInput(value=D("25"))
    today = dt.date(2026, 3, 5)
    problem = services.value_problem(ind, dt.date(2025, 6, 1), data, None, today=today)
    assert problem is not None
    assert problem == (
        "period",
        "“A类企业占比”是年度指标，只有全年数：统计期请填 2025-12（2025年全年）。",
    )
    assert services.value_problem(ind, annual_period(2025), data, None, today=today) is None
    # The year must be over, like any 1–12月 figure.
    assert services.value_problem(ind, annual_period(2026), data, None, today=today) is not None


@pytest.mark.django_db
def test_computed_values_are_scoped_and_skip_unknown_codes(world: World) -> None:
    values = [
        services.ComputedValue(world.park_a.pk, "ent_grade_a_share", D("30")),
        services.ComputedValue(world.park_a.pk, "no_such_indicator", D("1")),
    ]
    report = services.write_computed_values(
        actor=world.county_a_reporter, period=annual_period(2025), values=values, origin="测试"
    )
    assert (report.created, report.skipped) == (1, ["no_such_indicator"])
    row = IndicatorValue.objects.get(organisation=world.park_a, period=annual_period(2025))
    assert (row.status, row.source) == ("submitted", "evaluation")
    again = services.write_computed_values(
        actor=world.county_a_reporter, period=annual_period(2025), values=values, origin="测试"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        services.write_computed_values(
            actor=world.county_b_reporter,
            period=annual_period(2025),
            values=values[:1],
            origin="测试",
        )
