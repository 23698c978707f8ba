"""The engine's additions for parts 4–5: the speech's scenario as one summary per indicator,
growth of a total, revisions of cumulative values, formula indicators, park totals per city."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.stats.engine import (
    Figure,
    GapMode,
    GrowthSource,
    Period,
    StatsError,
    SummaryOptions,
    cumulative_drops,
    formula_value,
    growth_of_total,
    park_totals_by_city,
    summary_line,
    yi_to_wan,
    yoy,
)

D = Decimal
H1 = Period(2021, 1, 6)
M5 = Period(2021, 1, 5)
ZONES = "18家产业集聚区"


def money(amount_yi: str, period: Period, indicator: str, scope: str, subject: str) -> Figure:
    return Figure(yi_to_wan(D(amount_yi)), "万元", period, scope, indicator, subject)


# The speech's scenario (docs §9.1–9.2): the inputs its sentences imply.
# (indicator, scope, period, parks now, parks last year, parks two years ago, city now,
#  city last year, reference label)
SPEECH = {
    "fai": (
        "固定资产投资",
        "500万元以上项目",
        H1,
        "904.6",
        "799.1",
        "658.2",
        "1924.7",
        "1665.0",
        "全市固定资产投资增速",
    ),
    "revenue": (
        "规模以上工业主营业务收入",
        "规模以上工业",
        M5,
        "1762.7",
        "1656.7",
        "1500.0",
        "2749.9",
        "2600.0",
        "全市工业",
    ),
    "profit": (
        "利润总额",
        "规模以上工业",
        M5,
        "126.5",
        "100.0",
        "90.66",
        "230.2",
        "200.0",
        "全市工业",
    ),
}


def speech_line(key: str, options: SummaryOptions = SummaryOptions()) -> str:  # noqa: B008
    name, scope, period, now, last, before, city, city_last, ref = SPEECH[key]
    prev = period.previous_year()
    part = money(now, period, name, scope, ZONES)
    line = summary_line(
        part,
        whole=money(city, period, name, scope, "全市"),
        growth=yoy(part, money(last, prev, name, scope, ZONES)),
        reference_growth=yoy(D(city), D(city_last)),
        previous_growth=yoy(D(last), D(before)),
        reference_label=ref,
        options=options,
    )
    return line.sentence


def test_it_summarises_the_speechs_investment_paragraph() -> None:
    assert speech_line("fai") == (
        "2021年上半年，18家产业集聚区完成固定资产投资904.6亿元，占全市的47.0%，同比增长13.2%，"
        "低于全市固定资产投资增速2.4个百分点，同比下降8.2个百分点。"
    )


def test_it_summarises_the_speechs_revenue_sentence() -> None:
    assert "完成规模以上工业主营业务收入1762.7亿元，占全市的64.1%，同比增长6.4%" in speech_line(
        "revenue"
    )


def test_it_summarises_the_speechs_profit_sentence() -> None:
    sentence = speech_line("profit")
    assert "同比增长26.5%，高于全市工业11.4个百分点，同比提高16.2个百分点。" in sentence


def test_it_words_the_change_with_the_configured_prefix_and_drops_zero_in_prose() -> None:
    options = SummaryOptions(change_prefix="较去年同期", drop_trailing_zero=True)
    sentence = speech_line("fai", options)
    assert "占全市的47%，" in sentence
    assert "较去年同期下降8.2个百分点" in sentence


def test_it_keeps_every_figure_of_the_line_for_the_table() -> None:
    name, scope, period, now, last, *_ = SPEECH["profit"]
    part = money(now, period, name, scope, ZONES)
    growth = yoy(part, money(last, period.previous_year(), name, scope, ZONES))
    line = summary_line(
        part,
        whole=money("230.2", period, name, scope, "全市"),
        growth=growth,
        reference_growth=yoy(D("230.2"), D("200.0")),
        previous_growth=yoy(D("100.0"), D("90.66")),
        reference_label="全市工业",
    )
    assert line.gap_points == D("11.4")
    assert line.change_points == D("16.2")
    assert line.growth is not None
    assert line.growth.source is GrowthSource.COMPUTED
    assert line.share is not None
    assert round(line.share, 4) == D("0.5495")
    assert line.notes == ()
    assert line.gap_mode is GapMode.DISPLAYED


def test_it_drops_clauses_it_cannot_compute_and_says_why() -> None:
    part = money("904.6", H1, "固定资产投资", "500万元以上项目", ZONES)
    line = summary_line(
        part,
        whole=None,
        growth=None,
        reference_growth=None,
        previous_growth=None,
        reference_label="全市",
        notes=["同比：缺少上年同期数"],
    )
    assert line.sentence == "2021年上半年，18家产业集聚区完成固定资产投资904.6亿元。"
    assert line.notes == ("同比：缺少上年同期数", "占比：缺少全市的已审核数")


def test_it_refuses_a_share_across_periods_in_the_summary_with_a_note() -> None:
    part = money("904.6", H1, "固定资产投资", "500万元以上项目", ZONES)
    whole = money("1924.7", M5, "固定资产投资", "500万元以上项目", "全市")
    line = summary_line(
        part,
        whole=whole,
        growth=None,
        reference_growth=None,
        previous_growth=None,
        reference_label="全市",
    )
    assert line.share is None
    assert "统计期不一致" in line.notes[0]
    assert "占全市" not in line.sentence


def test_it_says_which_rate_it_used_published_or_computed() -> None:
    published = yoy(D("904.6"), D("799.1"), published_rate=D("0.135"))
    assert published.source is GrowthSource.PUBLISHED
    assert published.source.label == "发布增速"
    assert published.computed_rate is not None
    assert round(published.computed_rate, 3) == D("0.132")
    assert yoy(D("904.6"), D("799.1")).source.label == "按总量计算"


@pytest.mark.parametrize(
    ("ours", "city", "expected"),
    [
        ("0.265", "0.151", "高于全市工业11.4个百分点"),
        ("0.151", "0.265", "低于全市工业11.4个百分点"),
        ("0.1504", "0.1496", "与全市工业持平"),  # 15.0% vs 15.0% after rounding
        ("0.13249", "0.13251", "低于全市工业0.1个百分点"),  # 13.2 vs 13.3 displayed
    ],
)
def test_it_words_the_gap_for_every_sign_and_rounding_edge(
    ours: str, city: str, expected: str
) -> None:
    part = money("1.0", M5, "利润总额", "规模以上工业", ZONES)
    line = summary_line(
        part,
        whole=None,
        growth=yoy(None, published_rate=D(ours)),
        reference_growth=yoy(None, published_rate=D(city)),
        previous_growth=None,
        reference_label="全市工业",
    )
    assert expected in line.sentence


def test_it_totals_growth_from_parts_levels() -> None:
    growth = growth_of_total([("甲", D("500"), D("450")), ("乙", D("404.6"), D("349.1"))])
    assert growth.percent() == D("13.2")
    assert growth.source is GrowthSource.COMPUTED


def test_it_refuses_a_total_growth_when_a_part_lacks_its_base() -> None:
    with pytest.raises(StatsError, match="乙缺少上年同期数"):
        growth_of_total([("甲", D("500"), D("450")), ("乙", D("404.6"), None)])
    with pytest.raises(StatsError, match="没有可汇总"):
        growth_of_total([])
    with pytest.raises(StatsError, match="可比价"):
        growth_of_total([("甲", D("1"), D("1"))], require_published=True)


def test_it_names_at_most_five_parts_without_base() -> None:
    parts = [(f"园区{i}", D("1"), None) for i in range(7)]
    with pytest.raises(StatsError, match="园区4等7个单位缺少上年同期数"):
        growth_of_total(parts)


def test_it_finds_cumulative_values_below_the_previous_month() -> None:
    assert cumulative_drops({2: D("10"), 3: D("15"), 4: D("14.9"), 5: D("20")}) == [4]
    assert cumulative_drops({2: D("10"), 3: D("10")}) == []
    assert cumulative_drops({}) == []


def test_it_computes_tax_per_mu_from_a_formula() -> None:
    # 税收 3000万元 on 1.5 km² = 2250 亩 → 1.3333 万元/亩.
    value = formula_value(D("3000"), D("1.5"), divisor=D("1500"))
    assert round(value, 4) == D("1.3333")
    with pytest.raises(StatsError, match="分母为零"):
        formula_value(D("1"), D("0"))


def test_it_totals_parks_per_city_and_refuses_a_park_twice() -> None:
    rows = [("P1", "示范市", D("10.5")), ("P2", "示范市", D("2")), ("Z1", "郑州", D("7"))]
    assert park_totals_by_city(rows) == {"示范市": D("12.5"), "郑州": D("7")}
    with pytest.raises(StatsError, match="重复"):
        park_totals_by_city([*rows, ("P1", "示范市", D("1"))])
