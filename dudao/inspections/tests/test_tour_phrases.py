"""Tests for dudao.inspections.phrases.tour_sites_phrase: the speech's tour sentence (观摩督导)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.core.numbers import FigureError as StatsError
from dudao.inspections.phrases import tour_sites_phrase


def test_it_states_the_speech_sentence() -> None:
    assert (
        tour_sites_phrase([("产业", 61), ("城建", 24)])
        == "实地查看了全市61个产业项目和24个城建项目"
    )


def test_it_adds_counties_parks_and_investment_rounded_half_up() -> None:
    text = tour_sites_phrase(
        [("产业", 61), ("城建", 24)],
        in_park=38,
        investment_wan=Decimal("4567850"),
        county_count=10,
    )
    assert text == (
        "实地查看了全市61个产业项目和24个城建项目，覆盖10个县（市、区），"
        "其中38个项目位于产业集聚区（园区），总投资456.8亿元"
    )


def test_it_joins_three_types_with_a_list_comma_and_a_final_he() -> None:
    text = tour_sites_phrase([("产业", 3), ("城建", 2), ("社会民生", 1)], scope="明湖区")
    assert text == "实地查看了明湖区3个产业项目、2个城建项目和1个社会民生项目"


def test_it_leaves_out_types_without_sites_and_says_when_none_is_in_a_park() -> None:
    text = tour_sites_phrase([("产业", 0), ("城建", 4)], in_park=0)
    assert text == "实地查看了全市4个城建项目，均不在园区内"


@pytest.mark.parametrize(
    ("counts", "in_park", "message"),
    [
        ([], None, "没有观摩项目"),
        ([("产业", 0)], None, "没有观摩项目"),
        ([("产业", -1)], None, "不能为负数"),
        ([("产业", 2)], 3, "不能多于项目总数"),
    ],
)
def test_it_refuses_impossible_counts(
    counts: list[tuple[str, int]], in_park: int | None, message: str
) -> None:
    with pytest.raises(StatsError, match=message):
        tour_sites_phrase(counts, in_park=in_park)


def test_it_refuses_float_investment() -> None:
    with pytest.raises(StatsError):
        tour_sites_phrase([("产业", 1)], investment_wan=1.5)  # type: ignore[arg-type]
