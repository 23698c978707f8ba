"""Tests for dudao.stats.engine: worked examples of docs §9.1–9.4, §9.8, §9.14 and the speech."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from dudao.stats.engine import (
    Figure,
    GapMode,
    Growth,
    GrowthSource,
    Period,
    RankChange,
    RankMove,
    StatsError,
    amount_phrase,
    change_phrase,
    competition_rank,
    contribution_phrase,
    contribution_rate,
    cumulative_from_monthly,
    dec,
    displayed_percent,
    fastest_risers,
    figure_sentence,
    format_amount,
    format_decimal,
    format_percent,
    format_yi,
    from_percent,
    gap_phrase,
    gap_reconciles,
    group_counts,
    group_totals,
    growth_phrase,
    join_clauses,
    monthly_from_cumulative,
    pp_difference,
    pull_phrase,
    pull_rate,
    rank_change_phrase,
    rank_changes,
    round_half_up,
    share,
    share_phrase,
    sum_figures,
    top_n,
    wan_to_yi,
    yi_to_wan,
    yoy,
)

D = Decimal
H1_2021 = Period(2021, 1, 6)
H1_2020 = Period(2020, 1, 6)
H1_2019 = Period(2019, 1, 6)
M5_2021 = Period(2021, 1, 5)
M5_2020 = Period(2020, 1, 5)
FAI = "固定资产投资"
FAI_SCOPE = "500万元以上项目"
REV = "规模以上工业主营业务收入"
PROFIT = "利润总额"
INDUSTRY = "规模以上工业"
ZONES = "18家产业集聚区"
CITY = "全市"


def yi(text: str) -> Decimal:
    """Return an amount given in 亿元 as 万元."""
    return yi_to_wan(D(text))


def fai(amount_yi: str, period: Period = H1_2021, subject: str = ZONES) -> Figure:
    """Return a fixed-asset-investment figure in 万元."""
    return Figure(yi(amount_yi), "万元", period, FAI_SCOPE, FAI, subject)


# --------------------------------------------------------------------------------------------
# §9.14 rounding pitfalls and basic helpers
# --------------------------------------------------------------------------------------------


def test_it_rounds_2_675_half_up_to_2_68_where_float_round_gives_2_67() -> None:
    assert round(2.675, 2) == 2.67  # the float pitfall the engine must avoid
    assert round_half_up(D("2.675"), 2) == D("2.68")


def test_it_rounds_0_125_half_up_to_0_13_where_bankers_rounding_gives_0_12() -> None:
    assert round(0.125, 2) == 0.12
    assert round_half_up(D("0.125"), 2) == D("0.13")


def test_it_rounds_x5_boundaries_half_up() -> None:
    assert round(1.45, 1) == 1.4  # binary float
    assert round(2.25, 1) == 2.2  # banker's rounding
    assert round_half_up(D("2.45"), 1) == D("2.5")
    assert round_half_up(D("1.45"), 1) == D("1.5")
    assert round_half_up(D("2.25"), 1) == D("2.3")
    assert round_half_up(D("2.44999"), 1) == D("2.4")


def test_it_formats_a_fraction_0_0255_as_2_6_percent_where_float_gives_2_5() -> None:
    assert round(0.0255 * 100, 1) == 2.5  # 2.5499999999999998 in binary float
    assert format_percent(D("0.0255")) == "2.6%"
    assert displayed_percent(D("0.0255")) == D("2.6")
    assert format_percent(D("0.0245")) == "2.5%"


def test_it_rounds_negative_halves_away_from_zero_and_words_them_as_decline() -> None:
    assert round_half_up(D("-2.45"), 1) == D("-2.5")
    assert growth_phrase(D("-0.0245")) == "同比下降2.5%"


def test_it_never_prints_negative_zero() -> None:
    assert str(round_half_up(D("-0.04"), 1)) == "0.0"
    assert format_decimal(D("-0.0001"), 2) == "0.00"
    assert format_percent(D("-0.0004")) == "0.0%"


def test_it_refuses_floats_and_non_finite_values() -> None:
    with pytest.raises(StatsError, match="数值类型不受支持"):
        dec(2.5)  # type: ignore[arg-type]
    with pytest.raises(StatsError, match="有限数"):
        dec("NaN")
    with pytest.raises(StatsError, match="无法识别"):
        dec("abc")
    with pytest.raises(StatsError, match="Decimal"):
        Figure(904.6, "亿元", H1_2021, FAI_SCOPE, FAI)  # type: ignore[arg-type]
    with pytest.raises(StatsError, match="小数位数"):
        round_half_up(D("1.5"), -1)


def test_it_accepts_ints_and_strings_as_exact_decimals() -> None:
    assert dec(" 904.6 ") == D("904.6")
    assert dec(7) == D(7)


def test_it_drops_a_trailing_zero_only_for_whole_values_when_asked() -> None:
    assert format_decimal(D("46.9995"), 1) == "47.0"
    assert format_decimal(D("46.9995"), 1, drop_trailing_zero=True) == "47"
    assert format_decimal(D("47.45"), 1, drop_trailing_zero=True) == "47.5"
    assert format_decimal(D("2313"), 1) == "2313.0"  # tables keep ".0"


def test_it_converts_wan_yuan_to_yi_yuan_with_one_decimal() -> None:
    assert wan_to_yi(D("9046000")) == D("904.6")
    assert format_yi(D("17627000")) == "1762.7"
    assert format_yi(D("17626950")) == "1762.7"  # 1762.695 half-up
    assert format_yi(D("17626949")) == "1762.7"
    assert format_yi(D("17626940")) == "1762.7"
    assert format_yi(D("17626500")) == "1762.7"  # 1762.65 → 1762.7
    assert format_yi(D("17626499")) == "1762.6"
    assert format_yi(D("9046000"), 2) == "904.60"
    assert yi_to_wan(D("904.6")) == D("9046000.0")


def test_it_converts_published_percent_to_a_stored_fraction() -> None:
    assert from_percent(D("6.4")) == D("0.064")
    assert from_percent(D("-12.4")) == D("-0.124")


def test_it_ignores_a_callers_low_precision_decimal_context() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        rate = share(fai("904.6", subject=ZONES), fai("1924.7", subject=CITY))
    assert displayed_percent(rate, 4) == D("46.9995")


def test_it_labels_periods_in_chinese() -> None:
    assert M5_2021.label() == "2021年1-5月"
    assert H1_2021.label() == "2021年上半年"
    assert Period(2021).label() == "2021年"
    assert Period(2021, 7, 7).label() == "2021年7月"
    assert M5_2021.previous_year() == M5_2020
    with pytest.raises(StatsError, match="统计期不合法"):
        Period(2021, 6, 5)


# --------------------------------------------------------------------------------------------
# Monthly values from 1–N月 cumulative values
# --------------------------------------------------------------------------------------------


def test_it_derives_monthly_values_with_february_as_the_jan_feb_combined_value() -> None:
    cumulative = {2: D("100.0"), 3: D("160.5"), 4: D("230.0"), 5: D("300.0")}
    assert monthly_from_cumulative(cumulative) == {
        2: D("100.0"),
        3: D("60.5"),
        4: D("69.5"),
        5: D("70.0"),
    }


def test_it_rebuilds_cumulative_values_from_monthly_values() -> None:
    monthly = {2: D("100.0"), 3: D("60.5"), 4: D("69.5")}
    assert cumulative_from_monthly(monthly) == {2: D("100.0"), 3: D("160.5"), 4: D("230.0")}
    assert monthly_from_cumulative(cumulative_from_monthly(monthly)) == monthly


def test_it_refuses_a_standalone_january_value_by_default() -> None:
    with pytest.raises(StatsError, match="1月数据不单独发布"):
        monthly_from_cumulative({1: D(40), 2: D(100)})
    with pytest.raises(StatsError, match="1月数据不单独发布"):
        cumulative_from_monthly({1: D(40), 2: D(60)})


def test_it_accepts_january_when_the_indicator_publishes_it() -> None:
    assert monthly_from_cumulative({1: D(40), 2: D(100)}, january_published=True) == {
        1: D(40),
        2: D(60),
    }


def test_it_names_the_missing_months_in_a_gap_error() -> None:
    with pytest.raises(StatsError, match="缺少1-3月的数据"):
        monthly_from_cumulative({2: D(100), 4: D(230)})
    with pytest.raises(StatsError, match="缺少1-2月、1-3月、1-4月的数据"):
        monthly_from_cumulative({5: D(300), 6: D(360)})
    with pytest.raises(StatsError, match="缺少1-1月"):
        cumulative_from_monthly({2: D(1)}, january_published=True)


def test_it_refuses_empty_series_and_impossible_months() -> None:
    with pytest.raises(StatsError, match="没有数据"):
        monthly_from_cumulative({})
    with pytest.raises(StatsError, match="月份不合法"):
        monthly_from_cumulative({2: D(1), 13: D(2)})


# --------------------------------------------------------------------------------------------
# §9.3 同比 growth
# --------------------------------------------------------------------------------------------


def test_it_computes_doc_9_3_growth_904_6_over_799_1_as_13_2_percent() -> None:
    growth = yoy(D("904.6"), D("799.1"))
    assert growth.source is GrowthSource.COMPUTED
    assert round_half_up(growth.rate, 6) == D("0.132024")
    assert growth.percent() == D("13.2")
    assert growth_phrase(growth) == "同比增长13.2%"


def test_it_words_doc_9_3_decline_700_0_over_799_1_as_xiajiang_12_4_percent() -> None:
    growth = yoy(D("700.0"), D("799.1"))
    assert growth.percent() == D("-12.4")
    assert growth_phrase(growth) == "同比下降12.4%"
    assert "增长-" not in growth_phrase(growth)


def test_it_prefers_a_published_rate_over_levels() -> None:
    growth = yoy(D("1762.7"), D("1700.0"), published_rate=from_percent(D("6.4")))
    assert growth.source is GrowthSource.PUBLISHED
    assert growth.rate == D("0.064")
    assert growth.computed_rate is not None
    assert displayed_percent(growth.computed_rate) == D("3.7")  # audit trail only


def test_it_uses_a_published_rate_when_the_base_is_missing_or_zero() -> None:
    assert yoy(None, published_rate=D("0.064")).rate == D("0.064")
    zero_base = yoy(D(5), D(0), published_rate=D("0.1"))
    assert zero_base.source is GrowthSource.PUBLISHED
    assert zero_base.computed_rate is None


def test_it_refuses_growth_on_a_zero_missing_or_negative_base() -> None:
    with pytest.raises(StatsError, match="基数为零"):
        yoy(D("10"), D("0"))
    with pytest.raises(StatsError, match="缺少上年同期数据"):
        yoy(D("10"))
    with pytest.raises(StatsError, match="基数为负数"):
        yoy(D("10"), D("-5"))
    with pytest.raises(StatsError, match="缺少本期数据"):
        yoy(None, D("5"))


def test_it_requires_a_published_rate_for_comparable_price_indicators() -> None:
    with pytest.raises(StatsError, match="可比价"):
        yoy(D("110"), D("100"), require_published=True)
    growth = yoy(D("110"), D("100"), D("0.083"), require_published=True)
    assert growth.rate == D("0.083")


def test_it_checks_that_the_base_figure_is_the_same_period_last_year() -> None:
    growth = yoy(fai("904.6"), fai("799.1", H1_2020))
    assert growth.percent() == D("13.2")
    with pytest.raises(StatsError, match="基期应为2020年上半年，实为2020年1-5月"):
        yoy(fai("904.6"), fai("799.1", Period(2020, 1, 5)))
    other_scope = Figure(yi("799.1"), "万元", H1_2020, "全口径", FAI, ZONES)
    with pytest.raises(StatsError, match="统计口径不一致"):
        yoy(fai("904.6"), other_scope)


def test_it_words_growth_that_rounds_to_zero_as_flat() -> None:
    assert growth_phrase(D("0.0004")) == "与上年同期持平"
    assert growth_phrase(D("-0.0004")) == "与上年同期持平"
    assert growth_phrase(D("0.0005")) == "同比增长0.1%"


# --------------------------------------------------------------------------------------------
# §9.1 share of the city total
# --------------------------------------------------------------------------------------------


def test_it_computes_doc_9_1_share_904_6_of_1924_7_as_47_percent() -> None:
    rate = share(fai("904.6"), fai("1924.7", subject=CITY))
    assert displayed_percent(rate, 4) == D("46.9995")
    assert format_percent(rate) == "47.0%"
    assert format_percent(rate, drop_trailing_zero=True) == "47%"
    assert format_percent(rate, 2) == "47.00%"
    assert share_phrase(rate) == "占全市的47.0%"
    assert share_phrase(rate, drop_trailing_zero=True) == "占全市的47%"


def test_it_computes_doc_9_1_share_1762_7_of_2749_9_as_64_1_percent() -> None:
    part = Figure(yi("1762.7"), "万元", M5_2021, INDUSTRY, REV, ZONES)
    whole = Figure(yi("2749.9"), "万元", M5_2021, INDUSTRY, REV, CITY)
    rate = share(part, whole)
    assert displayed_percent(rate, 4) == D("64.1005")
    assert share_phrase(rate, drop_trailing_zero=True) == "占全市的64.1%"


def test_it_refuses_a_share_of_figures_from_different_periods() -> None:
    part = Figure(yi("1762.7"), "万元", M5_2021, INDUSTRY, REV, ZONES)
    whole = Figure(yi("3300.0"), "万元", H1_2021, INDUSTRY, REV, CITY)
    with pytest.raises(StatsError, match="统计期不一致（2021年1-5月 与 2021年上半年）"):
        share(part, whole)


def test_it_refuses_a_share_of_figures_with_different_scopes() -> None:
    part = Figure(yi("1762.7"), "万元", M5_2021, INDUSTRY, REV, ZONES)
    whole = Figure(yi("2900.0"), "万元", M5_2021, "全部工业", REV, CITY)
    with pytest.raises(StatsError, match="统计口径不一致（规模以上工业 与 全部工业）"):
        share(part, whole)


def test_it_refuses_a_share_across_units_indicators_or_of_a_zero_total() -> None:
    with pytest.raises(StatsError, match="计量单位不一致"):
        share(fai("904.6"), Figure(D("1924.7"), "亿元", H1_2021, FAI_SCOPE, FAI, CITY))
    with pytest.raises(StatsError, match="指标不一致"):
        share(fai("904.6"), Figure(yi("1924.7"), "万元", H1_2021, FAI_SCOPE, REV, CITY))
    with pytest.raises(StatsError, match="总量为零或负数"):
        share(fai("904.6"), fai("0", subject=CITY))


# --------------------------------------------------------------------------------------------
# §9.2 percentage-point differences
# --------------------------------------------------------------------------------------------


def test_it_gives_doc_9_2_gap_26_5_minus_15_1_as_higher_by_11_4_points() -> None:
    points = pp_difference(D("0.265"), D("0.151"))
    assert points == D("11.4")
    assert gap_phrase(points, "全市工业") == "高于全市工业11.4个百分点"


def test_it_gives_doc_9_2_change_26_5_minus_10_3_as_raised_by_16_2_points() -> None:
    points = pp_difference(D("0.265"), D("0.103"))
    assert points == D("16.2")
    assert change_phrase(points) == "同比提高16.2个百分点"


def test_it_gives_doc_9_2_investment_growth_down_8_2_and_below_city_by_2_4_points() -> None:
    vs_last_year = pp_difference(D("0.132"), D("0.214"))
    vs_city = pp_difference(D("0.132"), D("0.156"))
    assert vs_last_year == D("-8.2")
    assert vs_city == D("-2.4")
    assert change_phrase(vs_last_year, prefix="较去年同期") == "较去年同期下降8.2个百分点"
    assert gap_phrase(vs_city, "全市固定资产投资增速") == "低于全市固定资产投资增速2.4个百分点"


def test_it_implies_doc_9_2_reference_rates_from_the_stated_gaps() -> None:
    assert D("26.5") - D("11.4") == D("15.1")
    assert D("26.5") - D("16.2") == D("10.3")
    assert D("13.2") + D("8.2") == D("21.4")
    assert D("13.2") + D("2.4") == D("15.6")
    assert pp_difference(from_percent(D("26.5")), from_percent(D("15.1"))) == D("11.4")


def test_it_subtracts_displayed_rates_by_default_and_unrounded_rates_on_request() -> None:
    rate, reference = D("0.26549"), D("0.15051")  # display as 26.5% and 15.1%
    assert pp_difference(rate, reference) == D("11.4")
    assert pp_difference(rate, reference, mode=GapMode.UNROUNDED) == D("11.5")
    assert pp_difference(rate, reference, decimals=2) == D("11.50")


def test_it_accepts_growth_objects_in_point_differences() -> None:
    zones = yoy(D("904.6"), D("799.1"))
    city = yoy(D("1924.7"), D("1665.0"))
    assert pp_difference(zones, city) == D("-2.4")


def test_it_never_writes_a_point_gap_as_a_percent() -> None:
    phrase = gap_phrase(D("11.4"), "全市")
    assert phrase == "高于全市11.4个百分点"
    assert "%" not in phrase
    assert "%" not in change_phrase(D("-8.2"))


def test_it_words_a_gap_that_rounds_to_zero_as_level() -> None:
    assert gap_phrase(D("0.04"), "全市") == "与全市持平"
    assert gap_phrase(pp_difference(D("0.1512"), D("0.1508")), "全市") == "与全市持平"
    assert change_phrase(D("-0.02")) == "增速与上年同期持平"


def test_it_reconciles_the_speechs_stated_gaps_within_a_tenth_of_a_point() -> None:
    assert gap_reconciles(D("0.156"), D("0.132"), D("2.4"))
    assert gap_reconciles(D("0.265"), D("0.151"), D("11.4"))
    assert gap_reconciles(D("0.26549"), D("0.15051"), D("11.5"))  # mode (a) wording tolerated
    assert not gap_reconciles(D("0.265"), D("0.151"), D("11.6"))


# --------------------------------------------------------------------------------------------
# §9.4 contribution and pull
# --------------------------------------------------------------------------------------------


def test_it_computes_doc_9_4_contribution_as_40_6_percent() -> None:
    rate = contribution_rate(D("904.6"), D("799.1"), D("1924.7"), D("1665.0"))
    assert round_half_up(rate, 6) == D("0.406238")
    assert format_percent(rate) == "40.6%"
    assert contribution_phrase(rate, target="全市固定资产投资") == (
        "对全市固定资产投资增长的贡献率为40.6%"
    )


def test_it_computes_doc_9_4_pull_as_6_3_points_of_the_citys_15_6_percent() -> None:
    pull = pull_rate(D("904.6"), D("799.1"), D("1665.0"))
    assert displayed_percent(pull) == D("6.3")
    assert yoy(D("1924.7"), D("1665.0")).percent() == D("15.6")
    assert pull_phrase(pull, target="全市固定资产投资") == "拉动全市固定资产投资增长6.3个百分点"


def test_it_makes_pulls_of_the_parts_add_up_to_the_total_growth() -> None:
    zones = pull_rate(D("904.6"), D("799.1"), D("1665.0"))
    rest = pull_rate(D("1020.1"), D("865.9"), D("1665.0"))
    total = yoy(D("1924.7"), D("1665.0")).rate
    assert round_half_up(zones + rest, 10) == round_half_up(total, 10)


def test_it_checks_periods_in_contribution_and_pull_for_figures() -> None:
    rate = contribution_rate(
        fai("904.6"),
        fai("799.1", H1_2020),
        fai("1924.7", subject=CITY),
        fai("1665.0", H1_2020, CITY),
    )
    assert format_percent(rate) == "40.6%"
    pull = pull_rate(fai("904.6"), fai("799.1", H1_2020), fai("1665.0", H1_2020, CITY))
    assert displayed_percent(pull) == D("6.3")
    with pytest.raises(StatsError, match="基期应为"):
        pull_rate(fai("904.6"), fai("799.1", H1_2019), fai("1665.0", H1_2019, CITY))
    with pytest.raises(StatsError, match="统计期不一致"):
        contribution_rate(
            fai("904.6"),
            fai("799.1", H1_2020),
            fai("1600.0", M5_2021, CITY),
            fai("1400.0", M5_2020, CITY),
        )


def test_it_refuses_contribution_when_the_total_did_not_change() -> None:
    with pytest.raises(StatsError, match="总体增量为零"):
        contribution_rate(D("10"), D("8"), D("100"), D("100"))
    with pytest.raises(StatsError, match="总体上年同期值为零"):
        pull_rate(D("10"), D("8"), D("0"))


def test_it_words_a_negative_pull_as_xiala() -> None:
    pull = pull_rate(D("700.0"), D("799.1"), D("1665.0"))
    assert pull_phrase(pull, target="全市固定资产投资") == "下拉全市固定资产投资增速6.0个百分点"


# --------------------------------------------------------------------------------------------
# Ranking, §9.6 ties and §9.8 十强 / 十快
# --------------------------------------------------------------------------------------------


def test_it_ranks_ties_as_1_2_2_4() -> None:
    ranks = competition_rank({"A": D("90"), "B": D("85"), "C": D("85"), "D": D("80")})
    assert ranks == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_it_ranks_doc_9_6_tail_77_93_77_93_75_50_as_9_9_11() -> None:
    hundredths = (9571, 9164, 8814, 8620, 8400, 8250, 8010, 7900, 7793, 7793, 7550)
    scores = {f"县{i}": D(h).scaleb(-2) for i, h in enumerate(hundredths, start=1)}
    assert scores["县11"] == D("75.50")
    ranks = competition_rank(scores)
    assert [ranks[f"县{i}"] for i in range(1, 12)] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 11]


def test_it_ranks_lower_is_better_indicators() -> None:
    energy = {"甲": D("0.52"), "乙": D("0.48"), "丙": D("0.52"), "丁": D("0.61")}
    assert competition_rank(energy, higher_is_better=False) == {"乙": 1, "甲": 2, "丙": 2, "丁": 4}


def test_it_ties_on_displayed_values_when_decimals_are_given() -> None:
    scores = {"A": D("91.644"), "B": D("91.636"), "C": D("91.62")}
    assert competition_rank(scores) == {"A": 1, "B": 2, "C": 3}
    assert competition_rank(scores, decimals=2) == {"A": 1, "B": 1, "C": 3}


def test_it_gives_doc_9_8_zone_p_rank_25_to_12_a_gain_of_13() -> None:
    change = rank_changes({"P": 25}, {"P": 12})["P"]
    assert change.gain == 13
    assert change.move is RankMove.UP
    assert rank_change_phrase(change) == "较上年进位13个位次"
    assert rank_change_phrase(RankChange(3, 5)) == "较上年退位2个位次"
    assert rank_change_phrase(RankChange(4, 4)) == "位次与上年持平"


def test_it_picks_doc_9_8_shiqiang_as_ranks_1_to_10_of_179() -> None:
    scores = {f"Z{i:03d}": D(1000 - i) for i in range(1, 180)}
    ranks = competition_rank(scores)
    assert top_n(ranks) == [f"Z{i:03d}" for i in range(1, 11)]


def test_it_includes_ties_at_the_boundary_of_a_top_n_list() -> None:
    ranks = {"A": 1, "B": 2, "C": 2, "D": 4}
    assert top_n(ranks, 2) == ["A", "B", "C"]


def test_it_pairs_only_units_ranked_in_both_years() -> None:
    changes = rank_changes({"A": 3, "B": 1, "X": 2}, {"A": 1, "B": 2, "N": 3})
    assert list(changes) == ["A", "B"]
    assert changes["B"].move is RankMove.DOWN


def test_it_picks_doc_9_8_shikuai_by_gain_with_higher_score_breaking_ties() -> None:
    previous = {"P": 25, "Q": 30, "R": 20, "S": 5, "T": 40}
    current = {"P": 12, "Q": 17, "R": 19, "S": 4, "T": 41}
    scores = {"P": D("88.0"), "Q": D("85.5"), "R": D("86.0"), "S": D("95.0"), "T": D("70.0")}
    changes = rank_changes(previous, current)
    assert changes["P"].gain == changes["Q"].gain == 13
    assert fastest_risers(changes, 2, current_scores=scores) == ["P", "Q"]
    assert fastest_risers(changes, 10, current_scores=scores) == ["P", "Q", "S", "R"]
    assert fastest_risers(changes, 10, current_scores=scores, exclude={"S"}) == ["P", "Q", "R"]


def test_it_keeps_an_unbreakable_tie_at_the_shikuai_boundary() -> None:
    changes = {"A": RankChange(20, 10), "B": RankChange(30, 25), "C": RankChange(30, 25)}
    assert fastest_risers(changes, 2) == ["A", "B", "C"]
    with pytest.raises(StatsError, match="缺少本年综合得分"):
        fastest_risers(changes, 2, current_scores={"A": D(1)})


def test_it_counts_titles_per_city_as_in_the_speech() -> None:
    shiqiang = [
        ("郑州经开区", "郑州"),
        ("郑州高新区", "郑州"),
        ("郑州航空港", "郑州"),
        ("本市高新区", "本市"),
        ("洛阳高新区", "洛阳"),
    ]
    counts = group_counts(shiqiang, key=lambda row: row[1])
    assert counts == {"郑州": 3, "本市": 1, "洛阳": 1}
    stars = [("A", "郑州", 3), ("B", "郑州", 1), ("C", "焦作", 2), ("D", "本市", 2)]
    two_star_plus = group_counts(stars, key=lambda r: r[1], where=lambda r: r[2] >= 2)
    assert two_star_plus == {"郑州": 1, "焦作": 1, "本市": 1}
    assert group_counts(stars, key=lambda r: r[1], where=lambda r: r[2] >= 5) == {}


# --------------------------------------------------------------------------------------------
# Group totals
# --------------------------------------------------------------------------------------------


def test_it_totals_park_values_per_city() -> None:
    rows = [("郑州", D("120.5")), ("焦作", D("80.0")), ("郑州", D("30.25")), ("本市", D("0"))]
    totals = group_totals(rows, key=lambda r: r[0], value=lambda r: r[1])
    assert totals == {"郑州": D("150.75"), "焦作": D("80.0"), "本市": D("0")}
    assert list(totals) == ["郑州", "焦作", "本市"]


def test_it_sums_figures_only_when_they_are_comparable() -> None:
    total = sum_figures([fai("500.0"), fai("404.6")], subject=ZONES)
    assert format_amount(total) == "904.6亿元"
    assert total.subject == ZONES
    assert total.period == H1_2021
    with pytest.raises(StatsError, match="统计期不一致"):
        sum_figures([fai("500.0"), fai("404.6", H1_2020)])
    with pytest.raises(StatsError, match="没有可汇总的数据"):
        sum_figures([])


# --------------------------------------------------------------------------------------------
# Phrases and the speech reconstructed from plausible levels
# --------------------------------------------------------------------------------------------


def test_it_builds_the_amount_and_share_sentence_with_one_decimal() -> None:
    sentence = figure_sentence(fai("904.6"), whole=fai("1924.7", subject=CITY))
    assert sentence == "完成固定资产投资904.6亿元，占全市的47.0%"


def test_it_formats_amounts_in_their_own_units() -> None:
    count = Figure(D("61"), "个", H1_2021, "产业项目", "观摩项目", CITY)
    assert format_amount(count, 0) == "61个"
    assert amount_phrase(fai("904.6")) == "完成固定资产投资904.6亿元"
    assert join_clauses("甲", "", "乙") == "甲，乙"


def test_it_reconstructs_the_speechs_investment_share_sentence() -> None:
    sentence = figure_sentence(
        fai("904.6"),
        whole=fai("1924.7", subject=CITY),
        include_subject=True,
        drop_trailing_zero=True,
    )
    assert f"上半年，{sentence}" == "上半年，18家产业集聚区完成固定资产投资904.6亿元，占全市的47%"


def test_it_reconstructs_the_speechs_revenue_sentence() -> None:
    part = Figure(yi("1762.7"), "万元", M5_2021, INDUSTRY, REV, ZONES)
    whole = Figure(yi("2749.9"), "万元", M5_2021, INDUSTRY, REV, CITY)
    base = Figure(yi("1656.7"), "万元", M5_2020, INDUSTRY, REV, ZONES)
    sentence = figure_sentence(part, whole=whole, growth=yoy(part, base), drop_trailing_zero=True)
    assert sentence == "完成规模以上工业主营业务收入1762.7亿元，占全市的64.1%，同比增长6.4%"


def test_it_reconstructs_the_speechs_profit_sentence() -> None:
    def profit(amount: str, period: Period, subject: str) -> Figure:
        return Figure(yi(amount), "万元", period, INDUSTRY, PROFIT, subject)

    m5_2019 = Period(2019, 1, 5)
    zones = yoy(profit("126.5", M5_2021, ZONES), profit("100.0", M5_2020, ZONES))
    city = yoy(profit("230.2", M5_2021, CITY), profit("200.0", M5_2020, CITY))
    zones_last_year = yoy(profit("100.0", M5_2020, ZONES), profit("90.66", m5_2019, ZONES))
    assert (zones.percent(), city.percent(), zones_last_year.percent()) == (
        D("26.5"),
        D("15.1"),
        D("10.3"),
    )
    sentence = join_clauses(
        PROFIT + growth_phrase(zones, prefix=""),
        gap_phrase(pp_difference(zones, city), "全市工业"),
        change_phrase(pp_difference(zones, zones_last_year)),
    )
    assert sentence == "利润总额增长26.5%，高于全市工业11.4个百分点，同比提高16.2个百分点"


def test_it_reconstructs_the_speechs_investment_growth_sentence() -> None:
    zones = yoy(fai("904.6"), fai("799.1", H1_2020))
    zones_last_year = yoy(fai("799.1", H1_2020), fai("658.2", H1_2019))
    city = yoy(fai("1924.7", subject=CITY), fai("1665.0", H1_2020, CITY))
    assert (zones.percent(), zones_last_year.percent(), city.percent()) == (
        D("13.2"),
        D("21.4"),
        D("15.6"),
    )
    sentence = join_clauses(
        "全市产业集聚区" + FAI + growth_phrase(zones, prefix="", up_word="仅增长"),
        change_phrase(pp_difference(zones, zones_last_year), prefix="较去年同期"),
        gap_phrase(pp_difference(zones, city), "全市固定资产投资增速"),
    )
    assert sentence == (
        "全市产业集聚区固定资产投资仅增长13.2%，较去年同期下降8.2个百分点，"
        "低于全市固定资产投资增速2.4个百分点"
    )


def test_it_keeps_growth_results_immutable() -> None:
    growth = Growth(D("0.064"), GrowthSource.PUBLISHED)
    with pytest.raises(AttributeError):
        growth.rate = D("0.1")  # type: ignore[misc]
