"""What follows from a year's ranks: rank changes, 十强, 十快 and star eligibility; the
scoring specs read from a regime. Internal: called from inside the public services."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.evaluation import scoring
from dudao.evaluation.models import (
    InputValue,
    Regime,
    Result,
    Title,
    TitleKind,
)

if TYPE_CHECKING:
    pass


def _specs(regime: Regime) -> tuple[list[scoring.IndicatorSpec], list[scoring.GateSpec]]:
    indicators = [
        scoring.IndicatorSpec(
            code=i.code,
            name=i.name,
            method=i.method,
            weight=Decimal(i.weight),
            params=i.params,
            dimension=i.dimension.name if i.dimension else "",
            unit=i.unit,
        )
        for i in regime.indicators.select_related("dimension")
    ]
    gates = [scoring.GateSpec(g.code, g.name, g.effect) for g in regime.gates.all()]
    return indicators, gates


def _star_specs(regime: Regime) -> list[scoring.StarRuleSpec]:
    return [
        scoring.StarRuleSpec(r.level, r.min_score, r.max_rank, r.conditions)
        for r in regime.star_rules.all()
    ]


def _inputs_by_park(regime: Regime, year: int) -> dict[int, dict[str, Decimal]]:
    inputs: dict[int, dict[str, Decimal]] = {}
    for park_id, code, value in InputValue.objects.filter(regime=regime, year=year).values_list(
        "park_id", "code", "value"
    ):
        inputs.setdefault(park_id, {})[code] = value
    return inputs


def _previous_ranks(regime: Regime, year: int) -> dict[int, int]:
    for source in (regime, regime.predecessor):
        if source is None:
            continue
        ranks = dict(
            Result.objects.filter(regime=source, year=year - 1, rank__isnull=False).values_list(
                "park_id", "rank"
            )
        )
        if ranks:
            return ranks
    return {}


def _derive(regime: Regime, year: int, *, cascade: bool = True) -> None:
    """Recompute what follows from a year's ranks: rank changes, 十强, 十快, star eligibility.

    The next year's rank changes and 十快 depend on this year's ranks, so they follow.
    """
    results = list(Result.objects.filter(regime=regime, year=year))
    if results:
        previous = _previous_ranks(regime, year)
        for r in results:
            r.prev_rank = previous.get(r.park_id)
            r.rank_gain = None if r.rank is None or r.prev_rank is None else r.prev_rank - r.rank
        Result.objects.bulk_update(results, ["prev_rank", "rank_gain"], batch_size=500)
        Title.objects.filter(regime=regime, year=year, source=Title.Source.COMPUTED).delete()
        ranks = {r.park_id: r.rank for r in results if r.rank is not None}
        ineligible = {r.park_id for r in results if r.no_awards}
        strong = scoring.strong_list(ranks, regime.strong_size, ineligible)
        scores = {r.park_id: r.score or Decimal(0) for r in results}
        exclude = set(ineligible) | (set(strong) if regime.fast_excludes_strong else set())
        fast, changes = scoring.fast_list(
            previous,
            ranks,
            scores,
            size=regime.fast_size,
            min_gain=regime.fast_min_gain,
            exclude=exclude,
        )
        titles = [
            Title(
                regime=regime,
                year=year,
                park_id=pid,
                kind=TitleKind.STRONG,
                source=Title.Source.COMPUTED,
                basis=f"综合排名第{ranks[pid]}位",
            )
            for pid in strong
        ] + [
            Title(
                regime=regime,
                year=year,
                park_id=pid,
                kind=TitleKind.FAST,
                source=Title.Source.COMPUTED,
                basis=f"位次由第{changes[pid].previous}位升至第{changes[pid].current}位"
                f"（提升{changes[pid].gain}位）",
            )
            for pid in fast
        ]
        Title.objects.bulk_create(titles)
        _refresh_star_eligibility(regime, year=year, results=results)
    if cascade:
        for successor in [regime, *regime.successors.all()]:
            if Result.objects.filter(regime=successor, year=year + 1).exists():
                _derive(successor, year + 1, cascade=False)


def _refresh_star_eligibility(
    regime: Regime, *, year: int | None = None, results: list[Result] | None = None
) -> None:
    rules = _star_specs(regime)
    if results is None:
        qs = Result.objects.filter(regime=regime)
        results = list(qs if year is None else qs.filter(year=year))
    inputs_by_year: dict[int, dict[int, dict[str, Decimal]]] = {}
    for r in results:
        if r.year not in inputs_by_year:
            inputs_by_year[r.year] = _inputs_by_park(regime, r.year) if rules else {}
        r.star_eligible = (
            None
            if r.excluded or r.no_awards
            else scoring.star_eligibility(
                rules, r.score, r.rank, inputs_by_year[r.year].get(r.park_id, {})
            )
        )
    Result.objects.bulk_update(results, ["star_eligible"], batch_size=500)
