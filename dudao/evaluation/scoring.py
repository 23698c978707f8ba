"""Scoring strategies of a regime: pure functions, Decimal only, no Django.

Each indicator has a method with parameters (domain-research §1.4); every item keeps the raw
value, the factor or points, the score and a Chinese formula line, so a published score can be
traced. Ranks with ties (1-2-2-4), rank changes and the 十快 list come from dudao.core.ranks.

Methods (item score):
* ratio       value ÷ benchmark × weight                 (optional cap on the ratio)
* completion  min(value ÷ target, cap) × weight          (cap optional)
* tiered      points of the highest tier whose lower bound ≤ value (weight not applied)
* events      count × unit_points, limited to ±cap (positive: 加分, negative: 减分)
* rank        parks ranked by value (1-2-2-4): points_r = max(top − step × (r − 1), floor);
              score = points_r ÷ top × weight
* percentile  r ÷ N of the value rank falls in the first band with r ÷ N ≤ upper:
              score = band points ÷ 100 × weight
A missing value scores 0 (marked 未填报); events without a value count 0 events.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from dudao.core import numbers
from dudao.core import ranks as ranking

K = TypeVar("K", bound=Hashable)

RATIO, COMPLETION, TIERED, EVENTS, RANK, PERCENTILE = (
    "ratio",
    "completion",
    "tiered",
    "events",
    "rank",
    "percentile",
)
METHODS = (RATIO, COMPLETION, TIERED, EVENTS, RANK, PERCENTILE)
NO_RANKING, NO_AWARDS = "no_ranking", "no_awards"
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_ITEM_PLACES = 4


class ScoringError(ValueError):
    """A regime's parameters cannot be used; the message is Chinese, user-facing."""


def _num(value: Any, what: str, *, positive: bool = False, allow_negative: bool = True) -> Decimal:
    try:
        number = numbers.dec(value if not isinstance(value, float) else repr(value))
    except numbers.FigureError:
        raise ScoringError(f"{what}应为数字，实为「{value}」。") from None
    if positive and number <= 0:
        raise ScoringError(f"{what}必须大于0。")
    if not allow_negative and number < 0:
        raise ScoringError(f"{what}不能为负数。")
    return number


def _pairs(raw: Any, what: str) -> list[tuple[Decimal, Decimal]]:
    if not isinstance(raw, list | tuple) or not raw:
        raise ScoringError(f"请至少填写一档{what}。")
    pairs = []
    for row in raw:
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise ScoringError(f"{what}每档应为两个数：{row!r}")
        pairs.append((_num(row[0], what), _num(row[1], f"{what}分值")))
    return pairs


def _flag(params: Mapping[str, Any]) -> bool:
    value = params.get("higher_is_better", True)
    return value not in (False, "false", "0", 0, "否")


def normalise_params(  # noqa: PLR0912 - one branch per method
    method: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate a method's parameters; return them as JSON-safe strings (or raise)."""
    if method not in METHODS:
        raise ScoringError(f"未知的计分方法「{method}」。")
    out: dict[str, Any] = {}

    def cap() -> None:
        if params.get("cap") not in (None, ""):
            out["cap"] = str(_num(params["cap"], "封顶值", positive=True))

    if method == RATIO:
        out["benchmark"] = str(_num(params.get("benchmark"), "基准值", positive=True))
        cap()
    elif method == COMPLETION:
        out["target"] = str(_num(params.get("target"), "目标值", positive=True))
        cap()
    elif method == TIERED:
        tiers = sorted(_pairs(params.get("tiers"), "分档"), key=lambda t: t[0], reverse=True)
        if len({t[0] for t in tiers}) != len(tiers):
            raise ScoringError("分档下限不能重复。")
        out["tiers"] = [[str(a), str(b)] for a, b in tiers]
    elif method == EVENTS:
        out["unit_points"] = str(_num(params.get("unit_points"), "每次分值"))
        if _num(out["unit_points"], "每次分值").is_zero():
            raise ScoringError("每次分值不能为0。")
        cap()
    elif method == RANK:
        top = _num(params.get("top", "100"), "第一名分值", positive=True)
        step = _num(params.get("step", "3"), "每降一位减分", allow_negative=False)
        floor = _num(params.get("floor", "0"), "最低分", allow_negative=False)
        if floor > top:
            raise ScoringError("最低分不能高于第一名分值。")
        out.update(top=str(top), step=str(step), floor=str(floor))
        out["higher_is_better"] = _flag(params)
    else:
        bands = sorted(_pairs(params.get("bands"), "百分位分档"), key=lambda b: b[0])
        for upper, _points in bands:
            if not _ZERO < upper <= 1:
                raise ScoringError("百分位上限应在0到1之间（如0.25表示前25%）。")
        if bands[-1][0] != 1:
            raise ScoringError("最后一档的百分位上限应为1（覆盖全部园区）。")
        out["bands"] = [[str(a), str(b)] for a, b in bands]
        out["higher_is_better"] = _flag(params)
    return out


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    method: str
    weight: Decimal
    params: Mapping[str, Any]
    dimension: str = ""
    unit: str = ""


@dataclass(frozen=True)
class GateSpec:
    code: str
    name: str
    effect: str


@dataclass
class ItemScore:
    code: str
    name: str
    dimension: str
    method: str
    weight: Decimal
    raw: Decimal | None
    score: Decimal
    formula: str
    factor: Decimal | None = None
    points: Decimal | None = None
    position: int | None = None
    missing: bool = False

    def as_dict(self) -> dict[str, Any]:
        def s(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "code": self.code,
            "name": self.name,
            "dimension": self.dimension,
            "method": self.method,
            "weight": str(self.weight),
            "raw": s(self.raw),
            "factor": s(self.factor),
            "points": s(self.points),
            "position": self.position,
            "score": str(self.score),
            "formula": self.formula,
            "missing": self.missing,
        }


@dataclass
class ParkScore(Generic[K]):
    key: K
    items: list[ItemScore] = field(default_factory=list)
    items_total: Decimal = _ZERO
    bonus: Decimal = _ZERO
    deduction: Decimal = _ZERO
    total: Decimal = _ZERO
    excluded: bool = False
    no_awards: bool = False
    reasons: list[str] = field(default_factory=list)
    rank: int | None = None


def _q(value: Decimal) -> Decimal:
    return numbers.round_half_up(value, _ITEM_PLACES)


def _f(value: Decimal) -> str:
    """A number as written in a formula line (no exponent, trailing zeros kept as stored)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _value_ranks(values: Mapping[K, Decimal], higher_is_better: bool) -> tuple[dict[K, int], int]:
    return ranking.competition_rank(values, higher_is_better=higher_is_better), len(values)


def _item(  # noqa: PLR0911 - one return per method reads best
    spec: IndicatorSpec,
    raw: Decimal | None,
    position: int | None,
    population: int,
) -> ItemScore:
    p, w = spec.params, spec.weight
    base = ItemScore(spec.code, spec.name, spec.dimension, spec.method, w, raw, _ZERO, "")
    if spec.method == EVENTS:
        count = raw if raw is not None else _ZERO
        unit = Decimal(p["unit_points"])
        points = count * unit
        formula = f"{_f(count)} 次 × {_f(unit)} 分 = {_f(points)}"
        cap = Decimal(p["cap"]) if p.get("cap") else None
        if cap is not None and abs(points) > cap:
            points = cap if points > 0 else -cap
            formula += f"，超过上限取 {_f(points)}"
        base.score, base.formula, base.raw = _q(points), formula, count
        return base
    if raw is None:
        base.missing, base.formula = True, "未填报，按0分计"
        return base
    if spec.method in (RATIO, COMPLETION):
        denominator = Decimal(p["benchmark"] if spec.method == RATIO else p["target"])
        factor = raw / denominator
        label = "基准值" if spec.method == RATIO else "目标值"
        formula = f"{_f(raw)} ÷ {label} {_f(denominator)}"
        cap = Decimal(p["cap"]) if p.get("cap") else None
        if cap is not None and factor > cap:
            factor = cap
            formula += f"（超过封顶值，取 {_f(cap)}）"
        score = factor * w
        base.factor, base.score = _q(factor), _q(score)
        base.formula = f"{formula} × 权重 {_f(w)} = {_f(base.score)}"
        return base
    if spec.method == TIERED:
        for lower, points in ((Decimal(a), Decimal(b)) for a, b in p["tiers"]):
            if raw >= lower:
                base.points = base.score = _q(points)
                base.formula = f"{_f(raw)} ≥ {_f(lower)}，得 {_f(points)} 分"
                return base
        base.formula = f"{_f(raw)} 低于最低档，得0分"
        return base
    if position is None:  # pragma: no cover - ranked methods give every value a position
        raise ScoringError(f"「{spec.name}」缺少排位。")
    base.position = position
    if spec.method == RANK:
        top, step, floor = Decimal(p["top"]), Decimal(p["step"]), Decimal(p["floor"])
        points = max(top - step * (position - 1), floor)
        base.points = points
        base.score = _q(points / top * w)
        base.formula = (
            f"第{position}位：max({_f(top)} − {_f(step)} × {position - 1}, {_f(floor)}) = "
            f"{_f(points)}；{_f(points)} ÷ {_f(top)} × 权重 {_f(w)} = {_f(base.score)}"
        )
        return base
    share = Decimal(position) / Decimal(population)
    for upper, points in ((Decimal(a), Decimal(b)) for a, b in p["bands"]):
        if share <= upper:
            base.factor, base.points = _q(share), points
            base.score = _q(points / _HUNDRED * w)
            base.formula = (
                f"第{position}位 / {population} = {numbers.format_percent(share, 1)} ≤ "
                f"{numbers.format_percent(upper, 0)}，档分 {_f(points)}；"
                f"{_f(points)} ÷ 100 × 权重 {_f(w)} = {_f(base.score)}"
            )
            return base
    raise ScoringError("百分位分档未覆盖全部园区。")  # pragma: no cover - normalise_params


def _add_up(park: ParkScore[K], decimals: int) -> None:
    """Items total, 加分 and 减分 (events), and the total rounded half-up to `decimals`."""
    for item in park.items:
        if item.method != EVENTS:
            park.items_total += item.score
        elif item.score > 0:
            park.bonus += item.score
        else:
            park.deduction -= item.score
    park.total = numbers.round_half_up(park.items_total + park.bonus - park.deduction, decimals)


def score_all(
    indicators: Sequence[IndicatorSpec],
    gates: Sequence[GateSpec],
    inputs: Mapping[K, Mapping[str, Decimal]],
    *,
    decimals: int = 2,
) -> dict[K, ParkScore[K]]:
    """Score every park of `inputs`; rank the ones not excluded (ties 1-2-2-4)."""
    results: dict[K, ParkScore[K]] = {}
    for key, values in inputs.items():
        park = ParkScore(key)
        for gate in gates:
            if values.get(gate.code, _ZERO) != 0:
                park.reasons.append(gate.name)
                if gate.effect == NO_RANKING:
                    park.excluded = True
                else:
                    park.no_awards = True
        results[key] = park
    ranked_pool = [k for k, r in results.items() if not r.excluded]
    for spec in indicators:
        positions: dict[K, int] = {}
        population = 0
        if spec.method in (RANK, PERCENTILE):
            present = {k: inputs[k][spec.code] for k in ranked_pool if spec.code in inputs[k]}
            positions, population = _value_ranks(present, higher_is_better=_flag(spec.params))
        for key, park in results.items():
            raw = inputs[key].get(spec.code)
            park.items.append(_item(spec, raw, positions.get(key), population))
    for park in results.values():
        _add_up(park, decimals)
    ranks = ranking.competition_rank({k: results[k].total for k in ranked_pool})
    for key, rank in ranks.items():
        results[key].rank = rank
    return results


def strong_list(ranks: Mapping[K, int], size: int, ineligible: Collection[K] = ()) -> list[K]:
    """十强: parks ranked ≤ size (ties at the boundary included), without the ineligible."""
    eligible = {k: r for k, r in ranks.items() if k not in ineligible}
    return [k for k, r in sorted(eligible.items(), key=lambda kv: kv[1]) if r <= size]


def fast_list(
    previous: Mapping[K, int],
    current: Mapping[K, int],
    scores: Mapping[K, Decimal],
    *,
    size: int,
    min_gain: int,
    exclude: Collection[K] = (),
) -> tuple[list[K], dict[K, ranking.RankChange]]:
    """十快: the largest rank gains among parks ranked in both years (core.ranks.fastest_risers)."""
    changes = ranking.rank_changes(previous, current)
    scored = {k: scores.get(k, _ZERO) for k in changes}
    return (
        ranking.fastest_risers(
            changes, size, current_scores=scored, exclude=exclude, min_gain=min_gain
        ),
        changes,
    )


@dataclass(frozen=True)
class StarRuleSpec:
    level: int
    min_score: Decimal | None
    max_rank: int | None
    conditions: Sequence[Mapping[str, str]]


def star_eligibility(
    rules: Sequence[StarRuleSpec],
    score: Decimal | None,
    rank: int | None,
    inputs: Mapping[str, Decimal],
) -> int | None:
    """The highest level whose every set condition holds (None without rules or a match)."""
    for rule in sorted(rules, key=lambda r: r.level, reverse=True):
        if rule.min_score is not None and (score is None or score < rule.min_score):
            continue
        if rule.max_rank is not None and (rank is None or rank > rule.max_rank):
            continue
        if all(
            c["indicator"] in inputs and inputs[c["indicator"]] >= Decimal(c["min"])
            for c in rule.conditions
        ):
            return rule.level
    return None
