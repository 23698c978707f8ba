"""Aggregation of a tour's scores: pure Python and Decimal, no Django (domain-research §3.3).

Pipeline for the judges' score methods:

1. card total = Σ criteria points of one judge at one site; scaled to 100 points when the sheet's
   maximum is not 100 (``scaled = total × 100 ÷ sheet maximum``);
2. ``zscore`` only: for every judge, z = (scaled − judge's mean) ÷ judge's population standard
   deviation (z = 0 when the judge gave fewer than two cards or all equal scores), mapped back
   to points as ``all cards' mean + z × all cards' standard deviation``;
3. site score = trimmed mean over the judges: when n ≥ ``min_judges_for_trim`` and at least
   one value is left, the ``trim_k`` lowest and ``trim_k`` highest values are dropped;
4. unit project part = Σ(type weight × mean site score of that type) ÷ Σ(weights of the types
   present); unit score = (1 − county weight) × project part + county weight × county-sheet part
   (the part that exists when only one does);
5. ranks per ranking group by the score rounded half-up to 2 decimals, ties 1-2-2-4.

Rank-vote method (济宁): a vote for rank r gives ``top − step × (r − 1)`` points; unit score
= Σ points ÷ number of votes it received.

Nothing is rounded before the end: intermediate values are kept unrounded and reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dudao.core.numbers import dec, round_half_up
from dudao.core.ranks import competition_rank

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SCORE_DECIMALS = 2

TRIMMED_MEAN = "trimmed_mean"
ZSCORE = "zscore"
RANK_VOTE = "rank_vote"


class ScoringError(ValueError):
    """A configuration that cannot be aggregated (Chinese message)."""


@dataclass(frozen=True)
class Config:
    method: str = TRIMMED_MEAN
    trim_k: int = 1
    min_judges_for_trim: int = 5
    type_weights: Mapping[int, Decimal] = field(default_factory=dict)
    county_weight: Decimal = ZERO
    vote_top_points: Decimal = HUNDRED
    vote_step: Decimal = Decimal(3)


@dataclass(frozen=True)
class SiteInfo:
    id: int
    unit: int
    county_session: bool
    category: int | None
    sheet_max: Decimal


@dataclass(frozen=True)
class UnitInfo:
    id: int
    group: int


@dataclass(frozen=True)
class Card:
    judge: int
    site: int
    total: Decimal


@dataclass(frozen=True)
class Vote:
    judge: int
    unit: int
    rank: int


@dataclass(frozen=True)
class Trim:
    values: tuple[Decimal, ...]
    kept: tuple[Decimal, ...]
    dropped_low: tuple[Decimal, ...]
    dropped_high: tuple[Decimal, ...]
    mean: Decimal | None


@dataclass
class SiteOutcome:
    site: int
    by_judge: dict[int, Decimal]  # value entering the mean (scaled or normalised)
    raw_by_judge: dict[int, Decimal]  # card totals as the judges gave them
    z_by_judge: dict[int, Decimal]
    trim: Trim

    @property
    def score(self) -> Decimal | None:
        return self.trim.mean


@dataclass
class UnitOutcome:
    unit: int
    group: int
    score: Decimal | None = None
    display: Decimal | None = None
    rank: int | None = None
    type_means: dict[int, Decimal] = field(default_factory=dict)
    project_part: Decimal | None = None
    county_part: Decimal | None = None
    votes: dict[int, int] = field(default_factory=dict)  # rank → count
    vote_points: Decimal | None = None
    vote_count: int = 0


@dataclass
class Outcome:
    method: str
    sites: dict[int, SiteOutcome]
    units: dict[int, UnitOutcome]
    judge_stats: dict[int, tuple[Decimal, Decimal, int]]  # judge → (mean, sd, n) for z-scores
    overall: tuple[Decimal, Decimal] | None  # (mean, sd) of all cards for z-scores


def mean(values: Iterable[Decimal]) -> Decimal | None:
    items = list(values)
    if not items:
        return None
    return sum(items, ZERO) / len(items)


def population_sd(values: list[Decimal], centre: Decimal) -> Decimal:
    if len(values) < 2:
        return ZERO
    variance = sum(((v - centre) ** 2 for v in values), ZERO) / len(values)
    return variance.sqrt()


def trimmed_mean(values: Iterable[Decimal], *, trim_k: int, min_judges: int) -> Trim:
    """Drop the trim_k lowest and highest values when there are at least min_judges values
    and something is left; return the mean of the rest (unrounded)."""
    ordered = tuple(sorted(dec(v) for v in values))
    n = len(ordered)
    k = trim_k if (trim_k > 0 and n >= min_judges and n - 2 * trim_k >= 1) else 0
    kept = ordered[k : n - k] if k else ordered
    return Trim(
        values=ordered,
        kept=kept,
        dropped_low=ordered[:k],
        dropped_high=ordered[n - k :] if k else (),
        mean=mean(kept),
    )


def vote_points(rank: int, *, top: Decimal, step: Decimal) -> Decimal:
    """Points of one vote for rank r: top − step × (r − 1) (济宁: 100, 97, 94 …)."""
    if rank < 1:
        raise ScoringError("名次必须从1开始。")
    return top - step * (rank - 1)


def rank_vote_score(
    counts: Mapping[int, int], *, top: Decimal = HUNDRED, step: Decimal = Decimal(3)
) -> Decimal | None:
    """Σ(votes at rank r × points of r) ÷ total votes; None without votes."""
    total = sum(counts.values())
    if total == 0:
        return None
    points = sum((vote_points(r, top=top, step=step) * n for r, n in counts.items()), ZERO)
    return points / total


def _scaled(total: Decimal, sheet_max: Decimal) -> Decimal:
    return total if sheet_max == HUNDRED else total * HUNDRED / sheet_max


def _normalise(
    cards: list[Card], sites: Mapping[int, SiteInfo]
) -> tuple[
    dict[tuple[int, int], Decimal],
    dict[tuple[int, int], Decimal],
    dict[int, tuple[Decimal, Decimal, int]],
    tuple[Decimal, Decimal] | None,
]:
    scaled = {(c.judge, c.site): _scaled(c.total, sites[c.site].sheet_max) for c in cards}
    if not scaled:
        return scaled, {}, {}, None
    every = list(scaled.values())
    overall_mean = mean(every) or ZERO
    overall_sd = population_sd(every, overall_mean)
    per_judge: dict[int, list[Decimal]] = defaultdict(list)
    for (judge, _site), value in scaled.items():
        per_judge[judge].append(value)
    stats: dict[int, tuple[Decimal, Decimal, int]] = {}
    for judge, values in per_judge.items():
        centre = mean(values) or ZERO
        stats[judge] = (centre, population_sd(values, centre), len(values))
    z: dict[tuple[int, int], Decimal] = {}
    normalised: dict[tuple[int, int], Decimal] = {}
    for key, value in scaled.items():
        centre, sd, _n = stats[key[0]]
        z[key] = ZERO if sd.is_zero() else (value - centre) / sd
        normalised[key] = overall_mean + z[key] * overall_sd
    return normalised, z, stats, (overall_mean, overall_sd)


def _unit_scores(
    config: Config,
    units: Mapping[int, UnitInfo],
    sites: Mapping[int, SiteInfo],
    site_out: dict[int, SiteOutcome],
) -> dict[int, UnitOutcome]:
    result = {u.id: UnitOutcome(unit=u.id, group=u.group) for u in units.values()}
    by_type: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    county_scores: dict[int, list[Decimal]] = defaultdict(list)
    for site_id, outcome in site_out.items():
        if outcome.score is None:
            continue
        info = sites[site_id]
        if info.county_session:
            county_scores[info.unit].append(outcome.score)
        else:
            by_type[info.unit][info.category or 0].append(outcome.score)
    for unit_id, unit in result.items():
        weighted, weights = ZERO, ZERO
        for category, scores in by_type.get(unit_id, {}).items():
            type_mean = mean(scores) or ZERO
            unit.type_means[category] = type_mean
            weight = dec(config.type_weights.get(category, Decimal(1)))
            weighted += weight * type_mean
            weights += weight
        unit.project_part = weighted / weights if weights > 0 else None
        unit.county_part = mean(county_scores.get(unit_id, []))
        cw = dec(config.county_weight)
        if unit.project_part is not None and unit.county_part is not None and cw > 0:
            unit.score = (1 - cw) * unit.project_part + cw * unit.county_part
        elif unit.project_part is not None:
            unit.score = unit.project_part
        else:
            unit.score = unit.county_part
    return result


def _rank(units: dict[int, UnitOutcome]) -> None:
    groups: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for unit in units.values():
        if unit.score is not None:
            unit.display = round_half_up(unit.score, SCORE_DECIMALS)
            groups[unit.group][unit.unit] = unit.score
    for scores in groups.values():
        for unit_id, rank in competition_rank(scores, decimals=SCORE_DECIMALS).items():
            units[unit_id].rank = rank


def aggregate(
    config: Config,
    *,
    units: Iterable[UnitInfo],
    sites: Iterable[SiteInfo] = (),
    cards: Iterable[Card] = (),
    votes: Iterable[Vote] = (),
) -> Outcome:
    """Aggregate a tour; see the module docstring for every step."""
    unit_map = {u.id: u for u in units}
    site_map = {s.id: s for s in sites}
    if config.method == RANK_VOTE:
        outcomes = {u.id: UnitOutcome(unit=u.id, group=u.group) for u in unit_map.values()}
        for vote in votes:
            counts = outcomes[vote.unit].votes
            counts[vote.rank] = counts.get(vote.rank, 0) + 1
        for unit in outcomes.values():
            unit.vote_count = sum(unit.votes.values())
            unit.vote_points = sum(
                (
                    vote_points(r, top=config.vote_top_points, step=config.vote_step) * n
                    for r, n in unit.votes.items()
                ),
                ZERO,
            )
            unit.score = rank_vote_score(
                unit.votes, top=config.vote_top_points, step=config.vote_step
            )
        _rank(outcomes)
        return Outcome(config.method, {}, outcomes, {}, None)
    if config.method not in (TRIMMED_MEAN, ZSCORE):
        raise ScoringError(f"未知的评分方法：{config.method}")
    card_list = [c for c in cards if c.site in site_map]
    raw = {(c.judge, c.site): c.total for c in card_list}
    normalised, z, stats, overall = _normalise(card_list, site_map)
    if config.method == TRIMMED_MEAN:
        used = {k: _scaled(v, site_map[k[1]].sheet_max) for k, v in raw.items()}
        z, stats, overall = {}, {}, None
    else:
        used = normalised
    per_site: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for (judge, site), value in used.items():
        per_site[site][judge] = value
    site_out: dict[int, SiteOutcome] = {}
    for site_id in site_map:
        values = per_site.get(site_id, {})
        site_out[site_id] = SiteOutcome(
            site=site_id,
            by_judge=values,
            raw_by_judge={j: raw[(j, site_id)] for j in values},
            z_by_judge={j: z[(j, site_id)] for j in values if (j, site_id) in z},
            trim=trimmed_mean(
                values.values(), trim_k=config.trim_k, min_judges=config.min_judges_for_trim
            ),
        )
    unit_out = _unit_scores(config, unit_map, site_map, site_out)
    _rank(unit_out)
    return Outcome(config.method, site_out, unit_out, stats, overall)
