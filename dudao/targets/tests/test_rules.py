"""Hand-computed examples of the target rules (docs/targets.md, domain research §9.5, §9.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.core.lights import Light
from dudao.targets import rules

D = Decimal
T = rules.Thresholds(
    yellow_from=D(10),
    red_above=D(30),
    weak_from=D(10),
    rate_yellow_from=D(1),
    rate_red_above=D(3),
    rate_weak_from=D(1),
)


def level(value: str, display: str = "") -> rules.Actual:
    return rules.Actual(D(value), display or value)


def test_schedule_is_elapsed_months_or_the_curve() -> None:
    assert rules.schedule_pct(8) == D("66.7")
    assert rules.schedule_pct(8, decimals=2) == D("66.67")
    assert rules.schedule_pct(6) == D("50.0")
    curve = [5, 10, 18, 26, 35, 45, 54, 63, 72, 81, 90, 100]
    assert rules.schedule_pct(6, curve) == D("45.0")


def test_the_speech_example_ahead_of_schedule() -> None:
    # 1–8月 完成 74.0% vs 序时 66.7% → 超序时进度 7.3 个百分点 (from the displayed rates)
    e = rules.evaluate(
        kind="absolute", target=D(100), higher=True, month=8, actual=level("74"), thresholds=T
    )
    assert (e.completion, e.schedule, e.gap) == (D("74.0"), D("66.7"), D("7.3"))
    assert e.gap_display == "超序时进度7.3个百分点"
    assert e.light == Light.GREEN
    assert not e.weak


@pytest.mark.parametrize(
    ("done", "gap", "light", "weak"),
    [
        ("0.50", "-25.0", Light.YELLOW, True),  # project A: 25.0% vs 50.0%
        ("0.30", "-35.0", Light.RED, True),  # project B: 15.0%
        ("0.90", "-5.0", Light.GREEN, False),  # project C: 45.0%, 基本达到
        ("0.80", "-10.0", Light.YELLOW, False),  # exactly 10 behind: yellow, not yet weak
        ("0.40", "-30.0", Light.YELLOW, True),  # exactly 30: still yellow (red is > 30)
    ],
)
def test_lights_and_weak_links_of_section_9_5(
    done: str, gap: str, light: Light, weak: bool
) -> None:
    e = rules.evaluate(
        kind="absolute", target=D(2), higher=True, month=6, actual=level(done), thresholds=T
    )
    assert e.gap == D(gap)
    assert e.light == light
    assert e.weak is weak


def test_a_falling_indicator_is_ahead_when_it_uses_less_than_schedule() -> None:
    # energy cap 1000 t; 1–6月 used 420 t = 42.0% of the cap vs 序时 50.0% → 8.0 pp better
    e = rules.evaluate(
        kind="absolute", target=D(1000), higher=False, month=6, actual=level("420"), thresholds=T
    )
    assert (e.completion, e.gap) == (D("42.0"), D("8.0"))
    assert e.gap_display == "低于序时进度8.0个百分点"
    assert e.light == Light.GREEN
    # used 650 t = 65.0% → 15.0 pp over schedule: yellow and a weak link
    e = rules.evaluate(
        kind="absolute", target=D(1000), higher=False, month=6, actual=level("650"), thresholds=T
    )
    assert e.gap == D("-15.0")
    assert e.gap_display == "超出序时进度15.0个百分点"
    assert e.light == Light.YELLOW
    assert e.weak


def test_a_zero_target() -> None:
    floor = rules.evaluate(
        kind="count", target=D(0), higher=True, month=6, actual=level("2"), thresholds=T
    )
    assert floor.completion is None
    assert floor.gap is None
    assert floor.light == Light.GREEN
    assert floor.gap_display == "—"
    ceiling_met = rules.evaluate(
        kind="count", target=D(0), higher=False, month=6, actual=level("0"), thresholds=T
    )
    assert ceiling_met.light == Light.GREEN
    assert not ceiling_met.weak
    ceiling_broken = rules.evaluate(
        kind="count", target=D(0), higher=False, month=6, actual=level("1"), thresholds=T
    )
    assert ceiling_broken.light == Light.RED
    assert ceiling_broken.weak


def test_a_growth_target_gap_is_in_points_of_growth() -> None:
    # target growth 8.0%, actual 6.04% shown as 6.0% → 2.0 个百分点 below, not "25%"
    e = rules.evaluate(
        kind="growth", target=D(8), higher=True, month=6, actual=level("6.04"), thresholds=T
    )
    assert e.completion is None
    assert e.schedule is None
    assert e.gap == D("-2.0")
    assert e.gap_display == "低于目标增速2.0个百分点"
    assert e.light == Light.YELLOW
    assert e.weak
    e = rules.evaluate(
        kind="growth", target=D(8), higher=True, month=6, actual=level("-3.26"), thresholds=T
    )
    assert e.gap == D("-11.3")
    assert e.light == Light.RED
    e = rules.evaluate(
        kind="growth", target=D("8.0"), higher=True, month=6, actual=level("8.04"), thresholds=T
    )
    assert e.gap == D("0.0")
    assert e.gap_display == "与目标增速持平"


def test_missing_actual_is_grey_and_never_none_in_the_sentence() -> None:
    e = rules.evaluate(
        kind="absolute", target=D(100), higher=True, month=3, actual=None, thresholds=T
    )
    assert e.light == Light.GREY
    assert not e.weak
    assert e.gap_display == "—"
    text = rules.sentence(
        unit_name="甲县",
        indicator_name="固定资产投资",
        kind="absolute",
        month=3,
        higher=True,
        target_display="100.0亿元",
        actual=None,
        growth_text="",
        evaluation=e,
    )
    assert text == "甲县固定资产投资1–3月数据尚未报送或未审核，暂无法评价（年度目标100.0亿元）。"
    assert "None" not in text


def test_growth_sentence_reads_decline_not_negative_growth() -> None:
    e = rules.evaluate(
        kind="growth", target=D(8), higher=True, month=6, actual=level("-3.2"), thresholds=T
    )
    text = rules.sentence(
        unit_name="乙县",
        indicator_name="固定资产投资",
        kind="growth",
        month=6,
        higher=True,
        target_display="8.0%",
        actual=level("-3.2", "-3.2%"),
        growth_text="同比下降3.2%",
        evaluation=e,
        trend="较上月改善0.4个百分点",
    )
    assert text == (
        "乙县固定资产投资1–6月同比下降3.2%，目标增速8.0%，低于目标增速11.2个百分点，"
        "较上月改善0.4个百分点。"
    )
    assert "增长-" not in text


def test_forecast_linear_and_seasonal() -> None:
    linear = rules.evaluate(
        kind="absolute", target=D(100), higher=True, month=6, actual=level("45"), thresholds=T
    )
    assert linear.forecast == D(90)
    assert linear.forecast_method == "按线性估算"
    seasonal = rules.evaluate(
        kind="absolute",
        target=D(100),
        higher=True,
        month=6,
        actual=level("45"),
        thresholds=T,
        last_year_ytd=D(40),
        last_year_full=D(100),
    )
    assert seasonal.forecast == D("112.5")
    assert seasonal.forecast_method == "按上年同期进度估算"
    stock = rules.evaluate(
        kind="absolute",
        target=D(100),
        higher=True,
        month=6,
        actual=rules.Actual(D(90), "90家", cumulative=False),
        thresholds=T,
    )
    assert stock.forecast is None


def test_weighted_score_and_trend() -> None:
    # (3 × 107.3 + 1 × 75.0) ÷ 4 = 99.225 → 99.23; a row without a gap does not count
    assert rules.weighted_score([(D(3), D("7.3")), (D(1), D("-25.0")), (D(2), None)]) == D("99.23")
    assert rules.weighted_score([(D(1), None)]) is None
    assert rules.trend_phrase(D("-3.2"), D("-4.4")) == "较上月改善1.2个百分点"
    assert rules.trend_phrase(D("-3.2"), D("-1.0")) == "较上月下滑2.2个百分点"
    assert rules.trend_phrase(D("1.0"), D("1.0")) == "与上月持平"
    assert rules.trend_phrase(None, D("1.0")) == ""


def test_curve_check() -> None:
    assert rules.check_curve([]) == ""
    assert rules.check_curve([10] * 11) != ""
    assert (
        rules.check_curve([5, 10, 8, 26, 35, 45, 54, 63, 72, 81, 90, 100])
        == "月度序时曲线应逐月不减。"
    )
    assert (
        rules.check_curve([5, 10, 18, 26, 35, 45, 54, 63, 72, 81, 90, 99])
        == "月度序时曲线12月应为100。"
    )
