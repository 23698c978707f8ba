"""The 亩均效益 scoring engine: pure Python over plain values (no database), so a province of
60,000 enterprises is scored in one pass and every intermediate number is kept.

For each scale (规上/规下) separately:

1. metric value = numerator ÷ denominator of the enterprise's data (missing when either is
   missing or the denominator is 0);
2. benchmark B = the regime's published value, or the aggregate ratio Σnumerator ÷
   Σdenominator over the enterprises of the scale (city average) or of the scale and park
   (park average) that have both figures;
3. item score = min(value ÷ B, cap) × weight; a missing value scores 0, or the average item
   score of the enterprises of the scale that have it (rule per item);
4. total = Σ item scores + 加分 − 减分 (each capped by the regime), rounded half-up to the
   regime's decimals once (core.numbers) — the published score, on which ranks are made;
5. graded enterprises are ranked 1-2-2-4 (core.ranks) and graded on rank/N with half-open
   bands (rules.grade_for); the not-graded classes keep their score and are managed as B.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dudao.core.numbers import ZERO, FigureError, add, div, mul, round_half_up, sub
from dudao.core.ranks import competition_rank
from dudao.enterprises.rules import METRICS, Bands, Grade, grade_for

CITY = "city"
PARK = "park"
FIXED = "fixed"
AVERAGE = "average"
_PERCENTILE = Decimal("0.000001")


@dataclass(frozen=True)
class ItemSpec:
    metric: str
    weight: Decimal
    benchmark: str = "city_avg"  # city_avg | park_avg | fixed
    benchmark_value: Decimal | None = None
    cap: Decimal | None = None
    missing: str = "zero"  # zero | average


@dataclass(frozen=True)
class Spec:
    items: Mapping[str, Sequence[ItemSpec]]  # scale → items
    bands: Bands = field(default_factory=Bands)
    bonus_cap: Decimal | None = None
    penalty_cap: Decimal | None = None
    decimals: int = 2


@dataclass(frozen=True)
class Subject:
    key: int
    park: int | None
    scale: str
    data: Mapping[str, Decimal]
    ungraded: str = ""
    bonus: Decimal = ZERO  # Σ positive adjustments
    penalty: Decimal = ZERO  # Σ |negative adjustments|


@dataclass
class Outcome:
    key: int
    scale: str
    items: list[dict[str, Any]]
    item_score: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal  # rounded to the regime's decimals
    rank: int | None = None
    count: int | None = None
    percentile: Decimal | None = None
    grade: str = Grade.B.value
    graded: bool = True
    ungraded: str = ""


@dataclass
class Yardstick:
    """What a run measured against: benchmarks per scale (city and per park) and the average
    item scores used for missing values. Kept with the run as JSON (strings)."""

    city: dict[str, dict[str, Decimal]]
    parks: dict[str, dict[int, dict[str, Decimal]]]
    averages: dict[str, dict[str, Decimal]]

    def as_json(self) -> tuple[dict[str, Any], dict[str, Any]]:
        benchmarks = {
            scale: {
                "city": {m: str(v) for m, v in self.city.get(scale, {}).items()},
                "parks": {
                    str(p): {m: str(v) for m, v in values.items()}
                    for p, values in self.parks.get(scale, {}).items()
                },
            }
            for scale in set(self.city) | set(self.parks)
        }
        averages = {s: {m: str(v) for m, v in a.items()} for s, a in self.averages.items()}
        return benchmarks, averages

    @classmethod
    def from_json(cls, benchmarks: Mapping[str, Any], averages: Mapping[str, Any]) -> Yardstick:
        city = {s: {m: Decimal(v) for m, v in b["city"].items()} for s, b in benchmarks.items()}
        parks = {
            s: {int(p): {m: Decimal(v) for m, v in vals.items()} for p, vals in b["parks"].items()}
            for s, b in benchmarks.items()
        }
        avg = {s: {m: Decimal(v) for m, v in a.items()} for s, a in averages.items()}
        return cls(city, parks, avg)


def metric_value(metric: str, data: Mapping[str, Decimal]) -> Decimal | None:
    """numerator ÷ denominator, or None when a figure is missing or the denominator is 0."""
    spec = METRICS[metric]
    num = data.get(spec.numerator)
    den = data.get(spec.denominator)
    if num is None or den is None or den == 0:
        return None
    return div(num, den)


def _benchmarks(spec: Spec, subjects: Sequence[Subject]) -> Yardstick:  # noqa: PLR0912 - one pass per source
    sums: dict[tuple[str, int | None, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for subject in subjects:
        for item in spec.items.get(subject.scale, ()):
            if item.benchmark == "fixed":
                continue
            parts = METRICS[item.metric]
            num = subject.data.get(parts.numerator)
            den = subject.data.get(parts.denominator)
            if num is None or den is None or den == 0:
                continue
            for where in (None, subject.park) if item.benchmark == "park_avg" else (None,):
                pair = sums[(subject.scale, where, item.metric)]
                pair[0] = add(pair[0], num)
                pair[1] = add(pair[1], den)
    city: dict[str, dict[str, Decimal]] = defaultdict(dict)
    parks: dict[str, dict[int, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for scale, items in spec.items.items():
        for item in items:
            if item.benchmark == "fixed":
                if item.benchmark_value is None or item.benchmark_value <= 0:
                    raise FigureError(f"“{METRICS[item.metric].label}”的公布基准值须大于0。")
                city[scale][item.metric] = item.benchmark_value
    for (scale, where, metric), (num, den) in sums.items():
        value = div(num, den)
        if value <= 0:
            label = METRICS[metric].label
            raise FigureError(f"“{label}”的平均值不大于0，无法作为基准值，请改用公布基准值。")
        if where is None:
            city[scale].setdefault(metric, value)
        else:
            parks[scale][where][metric] = value
    return Yardstick(dict(city), {s: dict(p) for s, p in parks.items()}, {})


def _benchmark_for(item: ItemSpec, subject: Subject, yard: Yardstick) -> Decimal | None:
    if item.benchmark == "park_avg":
        if subject.park is None:
            return yard.city.get(subject.scale, {}).get(item.metric)
        return yard.parks.get(subject.scale, {}).get(subject.park, {}).get(item.metric)
    return yard.city.get(subject.scale, {}).get(item.metric)


def _raw_items(spec: Spec, subject: Subject, yard: Yardstick) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in spec.items.get(subject.scale, ()):
        value = metric_value(item.metric, subject.data)
        bench = _benchmark_for(item, subject, yard)
        row: dict[str, Any] = {
            "metric": item.metric,
            "weight": item.weight,
            "value": value,
            "benchmark": bench,
            "ratio": None,
            "capped": False,
            "score": None,
            "missing": value is None or bench is None,
            "missing_rule": item.missing,
        }
        if value is not None and bench is not None:
            ratio = div(value, bench)
            if item.cap is not None and ratio > item.cap:
                ratio = item.cap
                row["capped"] = True
            row["ratio"] = ratio
            row["score"] = mul(ratio, item.weight)
        rows.append(row)
    return rows


def _finish(spec: Spec, subject: Subject, rows: list[dict[str, Any]], yard: Yardstick) -> Outcome:
    averages = yard.averages.get(subject.scale, {})
    subtotal = ZERO
    for row in rows:
        if row["missing"]:
            row["score"] = (
                averages.get(row["metric"], ZERO) if row["missing_rule"] == AVERAGE else ZERO
            )
        subtotal = add(subtotal, row["score"])
    bonus = subject.bonus if spec.bonus_cap is None else min(subject.bonus, spec.bonus_cap)
    penalty = (
        subject.penalty if spec.penalty_cap is None else min(subject.penalty, spec.penalty_cap)
    )
    total = round_half_up(sub(add(subtotal, bonus), penalty), spec.decimals)
    return Outcome(
        key=subject.key,
        scale=subject.scale,
        items=rows,
        item_score=subtotal,
        bonus=bonus,
        penalty=penalty,
        total=total,
        graded=not subject.ungraded,
        ungraded=subject.ungraded,
    )


def score_one(spec: Spec, subject: Subject, yard: Yardstick) -> Outcome:
    """One enterprise's outcome against a given yardstick (not ranked)."""
    return _finish(spec, subject, _raw_items(spec, subject, yard), yard)


def evaluate(spec: Spec, subjects: Iterable[Subject]) -> tuple[list[Outcome], Yardstick]:
    """Score, rank and grade every subject; return the outcomes and the yardstick used."""
    subjects = list(subjects)
    yard = _benchmarks(spec, subjects)
    raw = [(s, _raw_items(spec, s, yard)) for s in subjects]
    # Average item score of the scale's enterprises that have the value (for the AVERAGE rule).
    sums: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [ZERO, 0])
    for subject, rows in raw:
        for row in rows:
            if not row["missing"]:
                pair = sums[(subject.scale, row["metric"])]
                pair[0] = add(pair[0], row["score"])
                pair[1] += 1
    for (scale, metric), (total, count) in sums.items():
        yard.averages.setdefault(scale, {})[metric] = div(total, Decimal(count))
    outcomes = [_finish(spec, s, rows, yard) for s, rows in raw]
    for scale in spec.items:
        graded = {o.key: o.total for o in outcomes if o.scale == scale and o.graded}
        ranks = competition_rank(graded)
        count = len(graded)
        for outcome in outcomes:
            if outcome.scale == scale and outcome.graded:
                place(outcome, ranks[outcome.key], count, spec.bands)
    return outcomes, yard


def place(outcome: Outcome, rank: int, count: int, bands: Bands) -> None:
    """Give a graded outcome its rank, N, percentile and grade."""
    outcome.rank = rank
    outcome.count = count
    outcome.percentile = div(Decimal(rank), Decimal(count)).quantize(_PERCENTILE)
    outcome.grade = grade_for(rank, count, bands)


def rank_among(total: Decimal, others: Iterable[Decimal]) -> int:
    """Competition rank of `total` among the other published totals (1 + how many beat it)."""
    return 1 + sum(1 for other in others if other > total)


def items_json(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The item rows as stored (Decimals as strings, None kept)."""
    return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in rows]
