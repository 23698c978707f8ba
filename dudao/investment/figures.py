"""The metrics of 招商引资 (domain-research §5.3), computed once here for pages, API and bench.

Every metric keeps its numerator, denominator and definition variant (`rules.Ratio`), shown
with `core.numbers` rounding (half-up, 1 decimal); a zero denominator is shown as "—".

Base set of a county and year: the deals whose *first* signing falls in the year (§5.2: a deal
counts once, at its first signing; 增资 deals are not new projects, so they are left out of the
project counts but their 增资额 counts in 签约金额; 升格 counts as a project without its amount).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Sum

from dudao.core import numbers
from dudao.core.ranks import competition_rank
from dudao.investment import rules
from dudao.investment.models import AssessmentWeight, Deal, DealFunding, Stage

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation

ZERO = Decimal("0")

LABELS = {
    "performance": "合同履约率",
    "performance_loose": "履约率（宽口径）",
    "start": "开工率",
    "production": "投产率",
    "funds": "资金到位率",
    "fit": "产业契合度",
}
VARIANTS = {
    "performance": "合同履约率（已注册落地项目数 ÷ 新签合同项目数）",
    "performance_loose": "履约率（1 − 终止项目数 ÷ 签约项目总数，渭南口径）",
    "start": "开工率（开工及以后阶段项目数 ÷ 签约项目数）",
    "production": "投产率（投产及以后阶段项目数 ÷ 签约项目数）",
    "funds": "资金到位率（已核实到位资金 ÷ 签约且未终止项目的合同投资额）",
    "fit": "产业契合度（归入产业链的项目数 ÷ 签约项目数）",
}


@dataclass
class CountyFigures:
    county_id: int
    name: str
    signed: int = 0
    signed_amount: Decimal = ZERO
    terminated: int = 0
    registered: int = 0
    started: int = 0
    producing: int = 0
    in_chain: int = 0
    contract_live: Decimal = ZERO
    funds_verified: Decimal = ZERO
    ratios: dict[str, rules.Ratio] = field(default_factory=dict)

    @property
    def ratio_list(self) -> list[rules.Ratio]:
        """The ratios in the column order of VARIANTS."""
        return [self.ratios[k] for k in VARIANTS]

    def finish(self) -> None:
        n = Decimal(self.signed)
        self.ratios = {
            "performance": rules.Ratio(
                "合同履约率", VARIANTS["performance"], Decimal(self.registered), n
            ),
            "performance_loose": rules.Ratio(
                "履约率", VARIANTS["performance_loose"], n - self.terminated, n
            ),
            "start": rules.Ratio("开工率", VARIANTS["start"], Decimal(self.started), n),
            "production": rules.Ratio("投产率", VARIANTS["production"], Decimal(self.producing), n),
            "funds": rules.Ratio(
                "资金到位率", VARIANTS["funds"], self.funds_verified, self.contract_live
            ),
            "fit": rules.Ratio("产业契合度", VARIANTS["fit"], Decimal(self.in_chain), n),
        }


def assessment_queries(
    actor: User, year: int, county_ids: list[int]
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The two queries behind `county_figures` (the benchmark times their bare SQL as the
    floor): the deals first signed in the year, and their verified funds summed per county."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    deals = (
        Deal.objects.visible_to(actor)
        .filter(first_signed_on__gte=start, first_signed_on__lte=end, county_id__in=county_ids)
        .values_list("pk", "county_id", "stage", "signing_kind", "contract_investment", "chain_id")
    )
    funds = (
        DealFunding.objects.filter(
            verified=True,
            month__lte=end,
            deal__first_signed_on__gte=start,
            deal__first_signed_on__lte=end,
            deal__county_id__in=county_ids,
        )
        .exclude(deal__stage=Stage.TERMINATED)
        .exclude(deal__signing_kind=Deal.SigningKind.CAPITAL_INCREASE)
        .values("deal__county_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    return deals, funds


def county_figures(actor: User, year: int, counties: list[Organisation]) -> list[CountyFigures]:
    """Per county (of `counties`, in that order) for deals first signed in `year`; funds are the
    verified 到位资金 of those deals up to the end of the year. Two queries."""
    rows = {c.pk: CountyFigures(county_id=c.pk, name=c.short_name or c.name) for c in counties}
    deals, funds = assessment_queries(actor, year, list(rows))
    for _pk, county_id, stage, kind, contract, chain_id in deals.iterator(chunk_size=2000):
        row = rows[county_id]
        row.signed_amount += rules.signing_amount(kind, contract)
        if rules.signing_count(kind) == 0:
            continue
        row.signed += 1
        idx = rules.stage_index(stage)
        if stage == Stage.TERMINATED:
            row.terminated += 1
            continue
        row.contract_live += contract
        row.registered += idx >= rules.stage_index(Stage.REGISTERED)
        row.started += idx >= rules.stage_index(Stage.STARTED)
        row.producing += idx >= rules.stage_index(Stage.PRODUCING)
        row.in_chain += chain_id is not None
    per_county: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in funds:
        per_county[r["deal__county_id"]] += r["s"] or ZERO
    for county_id, row in rows.items():
        row.funds_verified = per_county[county_id]
        row.finish()
    return list(rows.values())


@dataclass
class Conversion:
    """签约→开工 and 开工→投产 of the deals a county put on 三个一批 lists (all periods)."""

    county_id: int
    name: str
    sign_to_start: rules.Ratio
    start_to_production: rules.Ratio


def batch_conversions(actor: User, counties: list[Organisation]) -> list[Conversion]:
    """Per county: of the deals on any 签约一批, how many have started since (not terminated);
    of those on any 开工一批, how many are in production. Two queries."""
    from dudao.investment.models import ThreeBatchEntry

    lists: dict[tuple[int, str], set[int]] = defaultdict(set)
    reached: dict[int, str] = {}
    rows = (
        ThreeBatchEntry.objects.filter(deal__in=Deal.objects.visible_to(actor).values("pk"))
        .values_list("deal__county_id", "list", "deal_id", "deal__stage")
        .order_by()
    )
    for county_id, kind, deal_id, stage in rows:
        lists[(county_id, kind)].add(deal_id)
        reached[deal_id] = stage
    out = []
    for county in counties:
        signing = lists.get((county.pk, ThreeBatchEntry.List.SIGNING), set())
        start = lists.get((county.pk, ThreeBatchEntry.List.START), set())
        started = sum(
            1 for d in signing if rules.stage_index(reached[d]) >= rules.stage_index(Stage.STARTED)
        )
        producing = sum(
            1 for d in start if rules.stage_index(reached[d]) >= rules.stage_index(Stage.PRODUCING)
        )
        out.append(
            Conversion(
                county_id=county.pk,
                name=county.short_name or county.name,
                sign_to_start=rules.Ratio(
                    "签约→开工",
                    "签约一批项目中已开工的个数 ÷ 签约一批项目数",
                    Decimal(started),
                    Decimal(len(signing)),
                ),
                start_to_production=rules.Ratio(
                    "开工→投产",
                    "开工一批项目中已投产的个数 ÷ 开工一批项目数",
                    Decimal(producing),
                    Decimal(len(start)),
                ),
            )
        )
    return out


@dataclass
class Assessed:
    """A county's assessment score (Σ weight × min(ratio, cap); "—" ratios earn 0) and rank."""

    figures: CountyFigures
    score: Decimal
    rank: int
    parts: list[tuple[str, Decimal]]

    @property
    def score_display(self) -> str:
        return numbers.format_decimal(self.score, 2)


def county_assessment(
    actor: User, year: int, counties: list[Organisation]
) -> tuple[list[Assessed], list[AssessmentWeight]]:
    """The §5.4-style ranking of counties on this year's ratios with the weights held as data;
    ties ranked 1-2-2-4 on the score rounded to 2 decimals (`core.ranks`)."""
    weights = list(AssessmentWeight.objects.all())
    rows = county_figures(actor, year, counties)
    scored: dict[int, tuple[Decimal, list[tuple[str, Decimal]]]] = {}
    for row in rows:
        parts = []
        total = ZERO
        for w in weights:
            ratio = row.ratios[w.key].value
            credited = ZERO if ratio is None else min(ratio, Decimal(w.cap))
            points = numbers.mul(credited, Decimal(w.weight))
            parts.append((str(w.get_key_display()), points))
            total = numbers.add(total, points)
        scored[row.county_id] = (total, parts)
    ranks = competition_rank({k: v[0] for k, v in scored.items()}, decimals=2)
    out = [
        Assessed(
            figures=row,
            score=numbers.round_half_up(scored[row.county_id][0], 2),
            rank=ranks[row.county_id],
            parts=scored[row.county_id][1],
        )
        for row in rows
    ]
    return sorted(out, key=lambda a: (a.rank, a.figures.name)), weights
