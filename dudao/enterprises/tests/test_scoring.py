"""The 亩均效益 scoring engine (pure): the §9.9 worked example to the hundredth, the grading
bands at 25%, 25.5%, 70%, 95%, 95.5%, ties, a missing value, the not-graded classes, park
benchmarks, caps and 加分/减分 caps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.core.numbers import FigureError
from dudao.enterprises.rules import Bands, grade_for
from dudao.enterprises.scoring import ItemSpec, Spec, Subject, Yardstick, evaluate, score_one

D = Decimal
HUANGYAN_TAX = ItemSpec("tax_per_mu", D(30), "fixed", D("24.097"))


def test_the_worked_example_scores_29_88() -> None:
    spec = Spec(items={"above": [HUANGYAN_TAX]})
    [outcome], _ = evaluate(spec, [Subject(1, None, "above", {"tax": D(1200), "land": D(50)})])
    item = outcome.items[0]
    assert item["value"] == D(24)
    assert item["benchmark"] == D("24.097")
    assert outcome.total == D("29.88")


@pytest.mark.parametrize(
    ("rank", "grade"),
    [(1, "A"), (50, "A"), (51, "B"), (140, "B"), (141, "C"), (150, "C"), (190, "C"), (191, "D")],
)
def test_bands_are_half_open_on_rank_over_n(rank: int, grade: str) -> None:
    # 50/200 = 25.0% A; 51/200 = 25.5% B; 140/200 = 70% B; 190/200 = 95% C; 191/200 = 95.5% D.
    assert grade_for(rank, 200, Bands()) == grade


def _subjects(taxes: list[int], **extra: object) -> list[Subject]:
    return [
        Subject(i + 1, None, "above", {"tax": D(t), "land": D(10)}, **extra)  # type: ignore[arg-type]
        for i, t in enumerate(taxes)
    ]


def test_ties_share_a_rank_and_a_grade_and_the_next_rank_skips() -> None:
    spec = Spec(items={"above": [ItemSpec("tax_per_mu", D(100), "fixed", D(10))]})
    outcomes, _ = evaluate(spec, _subjects([40, 30, 30, 20]))
    by_key = {o.key: o for o in outcomes}
    assert [by_key[k].rank for k in (1, 2, 3, 4)] == [1, 2, 2, 4]
    assert by_key[2].grade == by_key[3].grade == "B"  # 2/4 = 50%
    assert by_key[4].grade == "D"


def test_a_missing_value_is_shown_missing_and_scores_by_its_rule() -> None:
    items = [
        ItemSpec("tax_per_mu", D(50), "fixed", D(10)),
        ItemSpec("va_per_energy", D(50), "fixed", D(2), missing="average"),
        ItemSpec("tax_per_power", D(10), "fixed", D(1)),
    ]
    data = [
        {"tax": D(100), "land": D(10), "value_added": D(40), "energy": D(10), "power": D(100)},
        {"tax": D(100), "land": D(10), "value_added": D(80), "energy": D(10)},  # no power
        {"tax": D(100), "land": D(10)},  # no value added nor energy
    ]
    spec = Spec(items={"above": items})
    outcomes, yard = evaluate(spec, [Subject(i, None, "above", d) for i, d in enumerate(data)])
    third = outcomes[2].items[1]
    assert third["missing"] is True
    assert third["value"] is None
    # Average of the item scores of those who have it: (4/2×50 + 8/2×50) / 2 = 150.
    assert yard.averages["above"]["va_per_energy"] == D(150)
    assert third["score"] == D(150)
    second_power = outcomes[1].items[2]
    assert second_power["missing"] is True
    assert second_power["score"] == 0  # the zero rule: scored 0, shown as missing
    assert outcomes[1].total == D(50 + 200)


def test_not_graded_classes_keep_a_score_are_managed_as_b_and_do_not_count_in_n() -> None:
    spec = Spec(items={"above": [ItemSpec("tax_per_mu", D(100), "fixed", D(10))]})
    subjects = [
        *_subjects([40, 30, 20, 10]),
        Subject(9, None, "above", {"tax": D(1), "land": D(10)}, "utility"),
    ]
    outcomes, _ = evaluate(spec, subjects)
    utility = next(o for o in outcomes if o.key == 9)
    assert (utility.graded, utility.grade, utility.rank, utility.total) == (False, "B", None, D(1))
    assert {o.count for o in outcomes if o.graded} == {4}


def test_scales_are_ranked_apart_and_averages_are_aggregate_ratios_per_park() -> None:
    spec = Spec(
        items={
            "above": [ItemSpec("tax_per_mu", D(100), "park_avg")],
            "below": [ItemSpec("tax_per_power", D(100), "city_avg", cap=D("1.5"))],
        }
    )
    subjects = [
        Subject(1, 7, "above", {"tax": D(300), "land": D(10)}),
        Subject(2, 7, "above", {"tax": D(100), "land": D(30)}),
        Subject(3, 8, "above", {"tax": D(50), "land": D(10)}),
        Subject(4, 8, "below", {"tax": D(90), "power": D(10)}),
        Subject(5, 8, "below", {"tax": D(10), "power": D(10)}),
    ]
    outcomes, yard = evaluate(spec, subjects)
    by_key = {o.key: o for o in outcomes}
    assert yard.parks["above"][7]["tax_per_mu"] == D(10)  # (300+100)/(10+30)
    assert by_key[1].total == D(300)
    assert by_key[3].total == D(100)  # alone in park 8: equals its benchmark
    assert yard.city["below"]["tax_per_power"] == D(5)
    assert by_key[4].items[0]["capped"] is True
    assert by_key[4].total == D(150)
    assert (by_key[4].count, by_key[1].count) == (2, 3)


def test_bonus_and_penalty_are_capped_by_the_regime() -> None:
    spec = Spec(
        items={"above": [ItemSpec("tax_per_mu", D(100), "fixed", D(10))]},
        bonus_cap=D(5),
        penalty_cap=D(3),
    )
    [a, b] = evaluate(
        spec,
        [
            Subject(1, None, "above", {"tax": D(100), "land": D(10)}, bonus=D(8)),
            Subject(2, None, "above", {"tax": D(100), "land": D(10)}, penalty=D(10)),
        ],
    )[0]
    assert (a.bonus, a.total) == (D(5), D(105))
    assert (b.penalty, b.total) == (D(3), D(97))


def test_a_benchmark_that_is_not_positive_is_refused() -> None:
    spec = Spec(items={"above": [ItemSpec("tax_per_mu", D(100))]})
    with pytest.raises(FigureError, match="无法作为基准值"):
        evaluate(spec, _subjects([0, 0]))


def test_score_one_uses_the_yardstick_it_is_given() -> None:
    spec = Spec(items={"above": [ItemSpec("tax_per_mu", D(100), "city_avg")]})
    yard = Yardstick.from_json({"above": {"city": {"tax_per_mu": "20"}, "parks": {}}}, {})
    outcome = score_one(spec, Subject(1, None, "above", {"tax": D(100), "land": D(10)}), yard)
    assert outcome.total == D(50)
