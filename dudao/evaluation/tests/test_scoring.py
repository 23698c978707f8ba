"""The scoring strategies (pure): every method, missing values, gates, ties, 十强/十快, stars."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.evaluation import scoring
from dudao.evaluation.scoring import GateSpec, IndicatorSpec, StarRuleSpec, score_all
from dudao.stats import engine

D = Decimal


def spec(method: str, weight: str = "30", **params: object) -> IndicatorSpec:
    return IndicatorSpec("x", "指标", method, D(weight), scoring.normalise_params(method, params))


def one(method: str, value: str | None, weight: str = "30", **params: object) -> scoring.ItemScore:
    inputs = {"p": {} if value is None else {"x": D(value)}}
    return score_all([spec(method, weight, **params)], [], inputs)["p"].items[0]


def test_ratio_is_value_over_benchmark_times_weight_huangyan_example() -> None:
    # domain-research §9.9: 24.0 万元/亩 ÷ 24.097 × 30 = 29.88
    item = one("ratio", "24.0", benchmark="24.097")
    assert item.score == D("29.8792")  # 29.87924…
    assert engine.format_decimal(item.score, 2) == "29.88"
    assert item.formula.startswith("24 ÷ 基准值 24.097 × 权重 30")


def test_completion_is_capped() -> None:
    assert one("completion", "96", weight="0.5", target="100").score == D("0.48")  # [S76]
    capped = one("completion", "150", weight="40", target="100", cap="1.2")
    assert capped.score == D("48")
    assert capped.factor == D("1.2")
    assert "封顶" in capped.formula


def test_tiered_points_take_the_highest_tier_reached() -> None:
    tiers = [["100000", "20"], ["50000", "10"], ["10000", "6"], ["0", "3"]]
    assert one("tiered", "120000", tiers=tiers).score == D("20")
    assert one("tiered", "50000", tiers=tiers).score == D("10")  # lower bound inclusive
    assert one("tiered", "9999.99", tiers=tiers).score == D("3")
    assert one("tiered", "-1", tiers=tiers).score == D("0")


def test_events_add_or_deduct_with_a_cap() -> None:
    assert one("events", "3", unit_points="-0.3").score == D("-0.9")
    assert one("events", "10", unit_points="-0.5", cap="2").score == D("-2")
    assert one("events", None, unit_points="1").score == D("0")


def test_rank_to_points_jining_style() -> None:
    indicator = spec("rank", "100", top="100", step="3", floor="0")
    inputs = {k: {"x": D(v)} for k, v in {"a": "9", "b": "8", "c": "8", "d": "1"}.items()}
    scored = score_all([indicator], [], inputs)
    assert [scored[k].items[0].points for k in "abcd"] == [D(100), D(97), D(97), D(91)]
    assert [scored[k].items[0].position for k in "abcd"] == [1, 2, 2, 4]


def test_percentile_bands_on_rank_over_n() -> None:
    # §9.9: in 200, rank 50 → 25.0% → A; 51 → 25.5% → B; 150 → 75% → C; 191 → 95.5% → D
    bands = [["0.25", "100"], ["0.70", "80"], ["0.95", "60"], ["1", "40"]]
    indicator = spec("percentile", "10", bands=bands)
    inputs = {n: {"x": D(1000 - n)} for n in range(1, 201)}
    scored = score_all([indicator], [], inputs)
    assert scored[50].items[0].points == D(100)
    assert scored[51].items[0].points == D(80)
    assert scored[150].items[0].points == D(60)
    assert scored[191].items[0].points == D(40)
    assert scored[50].items[0].score == D(10)


def test_missing_value_scores_zero_and_says_so() -> None:
    item = one("ratio", None, benchmark="2")
    assert item.missing
    assert item.score == 0
    assert item.formula == "未填报，按0分计"


def test_total_ranks_with_ties_and_gates() -> None:
    indicators = [spec("ratio", "100", benchmark="1")]
    gates = [GateSpec("g1", "重大事故", "no_ranking"), GateSpec("g2", "违纪", "no_awards")]
    inputs = {
        "a": {"x": D("0.9")},
        "b": {"x": D("0.8")},
        "c": {"x": D("0.8")},
        "d": {"x": D("0.99"), "g1": D(1)},
        "e": {"x": D("0.5"), "g2": D(1)},
    }
    scored = score_all(indicators, gates, inputs)
    assert {k: v.rank for k, v in scored.items()} == {"a": 1, "b": 2, "c": 2, "d": None, "e": 4}
    assert scored["d"].excluded
    assert scored["d"].reasons == ["重大事故"]
    assert scored["e"].no_awards
    assert not scored["e"].excluded


def test_bonus_and_deduction_are_kept_apart() -> None:
    indicators = [
        spec("ratio", "50", benchmark="1"),
        IndicatorSpec("plus", "加分", "events", D(0), {"unit_points": "1"}),
        IndicatorSpec("minus", "减分", "events", D(0), {"unit_points": "-0.25"}),
    ]
    park = score_all(indicators, [], {"p": {"x": D(1), "plus": D(2), "minus": D(3)}})["p"]
    assert (park.items_total, park.bonus, park.deduction) == (D(50), D(2), D("0.75"))
    assert park.total == D("51.25")


def test_total_is_rounded_half_up_on_the_displayed_decimals() -> None:
    park = score_all([spec("ratio", "1", benchmark="8")], [], {"p": {"x": D(1)}}, decimals=2)["p"]
    assert park.items_total == D("0.125")
    assert park.total == D("0.13")


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("ratio", {"benchmark": "0"}, "基准值必须大于0。"),
        ("ratio", {"benchmark": "abc"}, "基准值应为数字"),
        ("completion", {}, "目标值应为数字"),
        ("tiered", {"tiers": []}, "请至少填写一档分档。"),
        ("tiered", {"tiers": [["1", "2"], ["1", "3"]]}, "分档下限不能重复。"),
        ("events", {"unit_points": "0"}, "每次分值不能为0。"),
        ("rank", {"top": "10", "floor": "20"}, "最低分不能高于第一名分值。"),
        ("percentile", {"bands": [["0.5", "1"]]}, "最后一档的百分位上限应为1"),
        ("percentile", {"bands": [["1.5", "1"]]}, "百分位上限应在0到1之间"),
        ("magic", {}, "未知的计分方法"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(
    method: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(scoring.ScoringError, match=message):
        scoring.normalise_params(method, params)


def test_strong_list_includes_ties_at_the_boundary_and_skips_the_ineligible() -> None:
    ranks = dict(zip("abcdefghijkl", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 12], strict=True))
    assert scoring.strong_list(ranks, 10) == list("abcdefghijk")
    assert "c" not in scoring.strong_list(ranks, 10, ineligible={"c"})


def test_fast_list_takes_rank_gains_among_parks_ranked_both_years() -> None:
    previous = {"a": 25, "b": 3, "c": 10, "d": 8}
    current = {"a": 12, "b": 1, "c": 9, "d": 8, "new": 2}
    scores = {"a": D(80), "b": D(99), "c": D(85), "d": D(86), "new": D(98)}
    fast, changes = scoring.fast_list(previous, current, scores, size=2, min_gain=1)
    assert fast == ["a", "b"]  # gains 13 and 2; c gains 1; d 0; "new" was not ranked before
    assert changes["a"].gain == 13


def test_star_eligibility_takes_the_highest_level_whose_conditions_hold() -> None:
    rules = [
        StarRuleSpec(2, D(60), None, []),
        StarRuleSpec(3, D(80), 20, [{"indicator": "rev", "min": "3000000"}]),
    ]
    assert scoring.star_eligibility(rules, D(85), 5, {"rev": D(3000000)}) == 3
    assert scoring.star_eligibility(rules, D(85), 5, {"rev": D(2999999)}) == 2
    assert scoring.star_eligibility(rules, D(85), 25, {"rev": D(4000000)}) == 2
    assert scoring.star_eligibility(rules, D(50), 1, {}) is None
    assert scoring.star_eligibility([], D(99), 1, {}) is None
