"""The done-criterion: the summary reproduces the speech from approved values, and only
approved values count (at once, no batch job)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from dudao.core.exceptions import DomainError
from dudao.stats import selectors, services
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.tests.scenario import build_speech_city, enter, yi
from dudao.testing import World

pytestmark = pytest.mark.django_db

SPEECH_PHRASES = (
    "904.6亿元",
    "占全市的47.0%",
    "同比增长6.4%",
    "高于全市工业11.4个百分点",
    "同比提高16.2个百分点",
    "低于全市固定资产投资增速2.4个百分点",
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_the_summary_command_prints_the_speechs_figures(world: World) -> None:
    build_speech_city(world)
    text = run("summary", "--city", "SFS", "--period", "2021-06")
    for phrase in SPEECH_PHRASES:
        assert phrase in text, phrase
    assert (
        "2021年上半年，18家产业集聚区完成固定资产投资904.6亿元，占全市的47.0%，同比增长13.2%，"
        "低于全市固定资产投资增速2.4个百分点，较去年同期下降8.2个百分点。"
    ) in text
    assert (
        "2021年1-5月，18家产业集聚区完成规模以上工业主营业务收入1762.7亿元，占全市的64.1%，同比增长6.4%"
        in text
    )
    assert (
        "实现利润总额126.5亿元，占全市的55.0%，同比增长26.5%，高于全市工业11.4个百分点，同比提高16.2个百分点。"
        in text
    )


def test_the_summary_json_says_how_each_figure_was_computed(world: World) -> None:
    build_speech_city(world)
    data = json.loads(run("summary", "--city", "SFS", "--period", "2021-06", "--json"))
    fai = next(r for r in data["indicators"] if r["indicator"] == "fai")
    assert fai["parks_value"] == "904.6"
    assert fai["city_value"] == "1924.7"
    assert fai["share_percent"] == "47.0"
    assert fai["growth"] == {"percent": "13.2", "source": "computed", "source_label": "按总量计算"}
    assert fai["city_growth"]["percent"] == "15.6"
    assert fai["gap_points"] == "-2.4"
    assert fai["change_points"] == "-8.2"
    assert fai["gap_mode"] == "displayed"
    assert fai["parks_included"] == 18
    assert data["parks_total"] == 18


def test_an_approved_value_shows_in_the_summary_at_once(world: World) -> None:
    build_speech_city(world, codes=("fai",))
    city = selectors.get_city(world.city_supervisor, "SFS")
    period = dt.date(2021, 6, 1)
    # A published city growth rate, approved now, wins over the levels at once.
    row = IndicatorValue.objects.get(organisation=world.city, indicator__code="fai", period=period)
    row = services.return_value(actor=world.city_supervisor, row=row, reason="补录发布增速")
    before = selectors.city_summary(world.city_supervisor, city, period)
    assert before.rows[0].line.whole is None  # a returned value no longer counts
    row = services.save_value(
        actor=world.city_supervisor,
        organisation=world.city,
        indicator=row.indicator,
        period=period,
        data=services.ValueInput(value=yi("1924.7"), yoy_percent=yi("0") + 15),
    )
    row = services.submit_value(actor=world.city_supervisor, row=row)
    services.approve_value(actor=world.city_supervisor, row=row)
    after = selectors.city_summary(world.city_supervisor, city, period).rows[0].as_dict()
    assert after["city_growth"] == {
        "percent": "15.0",
        "source": "published",
        "source_label": "发布增速",
    }
    assert after["gap_points"] == "-1.8"


def test_the_summary_names_parks_without_approved_values(world: World) -> None:
    parks = build_speech_city(world, codes=("fai",))
    enter(world, parks[0].organisation, "fai", dt.date(2021, 7, 1), yi("60"))
    enter(world, world.city, "fai", dt.date(2021, 7, 1), yi("2100"))
    city = selectors.get_city(world.city_supervisor, "SFS")
    row = selectors.city_summary(world.city_supervisor, city, dt.date(2021, 7, 1)).rows[0]
    assert row.parks_included == 1
    assert row.line.sentence.startswith("2021年1-7月，1家产业集聚区完成固定资产投资60.0亿元")
    assert any("共18家园区，1家有已审核数" in n for n in row.line.notes)
    assert any("缺少上年同期数" in n for n in row.line.notes)


def test_a_comparable_price_indicator_takes_only_published_growth(world: World) -> None:
    build_speech_city(world, codes=("fai",))
    Indicator.objects.filter(code="industrial_value_added").update(in_summary=True)
    ind = Indicator.objects.get(code="industrial_value_added")
    with pytest.raises(DomainError, match="可比价"):
        services.save_value(
            actor=world.city_supervisor,
            organisation=world.park_a,
            indicator=ind,
            period=dt.date(2021, 6, 1),
            data=services.ValueInput(value=yi("10")),
        )


def test_the_summary_is_404_outside_the_actors_scope(world: World) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.get_city(world.county_a_reporter, "SFS")
    with pytest.raises(Http404):
        selectors.get_city(world.sysadmin, "SFS")
