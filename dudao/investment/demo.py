"""Demo 招商引资 of the fictional 示范市: three industry chains, about 150 deals in every stage
(on time, stalled, terminated, failing an entry standard and overridden), signing events, and
monthly funds in place (most verified by the city). Province scale (benchmarks): 5,000 deals
over every county of the province with 36 months of funds each, bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dudao.accounts.models import User
from dudao.demo.registry import DemoContext, generator
from dudao.investment import rules
from dudao.investment.models import (
    PIPELINE,
    STAGE_DATE_FIELD,
    ChainEnterprise,
    ChainNode,
    Deal,
    DealCheck,
    DealEvent,
    DealFunding,
    EntryStandard,
    IndustryChain,
    SigningEvent,
    Stage,
    ThreeBatchEntry,
    ThreeBatchPeriod,
)
from dudao.orgs.models import Organisation

# Per chain: (segment, node, industry code, coverage, anchor enterprise or "", target or "")
NODES = [
    [
        ("up", "钢材及铸锻件", "3130", "strong", "示范钢铁集团有限公司（演示）", ""),
        ("up", "液压与传动件", "3444", "gap", "", "华东液压科技股份（演示）"),
        ("mid", "数控机床", "3421", "weak", "示范机床有限公司（演示）", "江南数控股份（演示）"),
        ("mid", "工程机械整机", "3511", "strong", "中原重工集团（演示）", ""),
        ("down", "工业机器人集成", "3491", "gap", "", "深南机器人有限公司（演示）"),
    ],
    [
        ("up", "铝土矿及氧化铝", "3216", "strong", "示范铝业有限公司（演示）", ""),
        ("mid", "高性能铝合金板带", "3252", "weak", "", "北方新材料股份（演示）"),
        ("mid", "碳纤维", "3091", "gap", "", "东海碳纤维集团（演示）"),
        ("down", "新型建材", "3021", "strong", "示范建材集团（演示）", ""),
    ],
    [
        ("up", "小麦及面粉", "1311", "strong", "示范面业有限公司（演示）", ""),
        ("mid", "速冻食品", "1432", "strong", "中原冷链食品股份（演示）", ""),
        ("mid", "休闲食品", "1419", "weak", "", "南方休闲食品集团（演示）"),
        ("down", "冷链物流", "5951", "gap", "", "华中冷链物流有限公司（演示）"),
    ],
]
# Fictional USCCs with a valid check character (GB 32100 §7.3), one per anchor.
DEMO_USCC = "91410100MA0000000"

# (chain, kind, GB/T 4754 prefixes, industry codes used, project name stems)
CHAINS = [
    (
        "装备制造",
        "leading",
        "34,35",
        ("3411", "3435", "3511"),
        ("智能装备产业园", "数控机床", "工程机械配套", "液压件"),
    ),
    (
        "新材料",
        "emerging",
        "30,32",
        ("3091", "3099", "3251"),
        ("高性能铝材", "特种陶瓷", "碳纤维复合材料", "新型建材"),
    ),
    (
        "食品",
        "distinctive",
        "13,14",
        ("1351", "1391", "1469"),
        ("冷链食品", "面制品精深加工", "休闲食品", "中央厨房"),
    ),
]
INVESTORS = (
    "示范控股集团",
    "华中实业有限公司",
    "东方智造股份",
    "长江投资集团",
    "港汇国际（香港）",
    "中原食品集团",
)
# Share of deals per final stage (every stage present, some terminated).
STAGE_WEIGHTS = [
    (Stage.LEAD, 12),
    (Stage.NEGOTIATING, 14),
    (Stage.SIGNED, 18),
    (Stage.REGISTERED, 12),
    (Stage.APPROVED, 9),
    (Stage.STARTED, 12),
    (Stage.COMPLETED, 6),
    (Stage.PRODUCING, 8),
    (Stage.AT_CAPACITY, 4),
    (Stage.TERMINATED, 5),
]


def _counties(ctx: DemoContext) -> list[tuple[Organisation, Organisation]]:
    """(county, responsible unit): the county's 发改委 in 示范市, the county itself elsewhere."""
    counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).order_by("path"))
    if not ctx.is_province:
        counties = [c for c in counties if c.path.startswith(ctx.orgs["SFS"].path)]
    out = []
    for county in counties:
        unit = ctx.orgs.get(f"{county.code}-FGJ", county)
        out.append((county, unit))
    return out


@generator(order=60, name="招商引资")
def investment(ctx: DemoContext) -> None:
    supervisor = ctx.users.get("demo_supervisor")
    counties = _counties(ctx)
    if supervisor is None or not counties:
        return
    rng = ctx.rng
    today = timezone.localdate()
    city = ctx.orgs["SFS"]
    chains = [
        IndustryChain.objects.create(
            name=n, kind=k, organisation=city, industry_prefixes=p, sort_order=i
        )
        for i, (n, k, p, _codes, _stems) in enumerate(CHAINS)
    ]
    nodes = _chain_nodes(chains)
    events = [
        SigningEvent.objects.create(
            name=name, kind=kind, held_on=today - dt.timedelta(days=days), organiser=city
        )
        for name, kind, days in (
            ("示范市春季招商引资推介会（演示）", "event", 520),
            ("河南省“三个一批”第十期（演示）", "three_batch", 400),
            ("示范市秋季重点项目集中签约（演示）", "event", 250),
            ("河南省“三个一批”第十二期（演示）", "three_batch", 120),
        )
    ]
    standards = list(EntryStandard.objects.filter(is_active=True).select_related("jurisdiction"))
    stages = [s for s, w in STAGE_WEIGHTS for _ in range(w)]
    total = 5_000 if ctx.is_province else 150
    deals: list[Deal] = []
    for n in range(total):
        county, unit = counties[n % len(counties)]
        ci = rng.randrange(3)
        _name, _kind, _p, codes, stems = CHAINS[ci]
        target = (
            stages[rng.randrange(len(stages))] if n >= len(STAGE_WEIGHTS) else STAGE_WEIGHTS[n][0]
        )
        contract = Decimal(rng.choice((3000, 8000, 12000, 25000, 50000, 120000, 600000)))
        weak = rng.random() < 0.18  # about one in six falls short of one entry standard
        fixed = (contract * Decimal("0.8")).quantize(Decimal("1"))
        intensity = Decimal(rng.choice((330, 380, 450)))
        land = max((fixed / intensity).quantize(Decimal("1")), Decimal(5))
        tax_per_mu = Decimal(rng.choice((22, 26)) if weak else rng.choice((35, 48)))
        deal = Deal(
            code=f"ZS{today.year}-{n + 1:05d}",
            name=f"{county.short_name or county.name}{stems[n % len(stems)]}项目（演示）",
            investor=INVESTORS[n % len(INVESTORS)],
            investor_origin=rng.choice(
                ("province", "out_of_province", "out_of_province", "foreign")
            ),
            is_fortune500=rng.random() < 0.05,
            county=county,
            responsible_org=unit,
            leader="（演示）包联副县长",
            chain=chains[ci] if rng.random() < 0.85 else None,
            industry_code=codes[n % len(codes)],
            signing_kind=rng.choice(("new",) * 8 + ("upgrade", "capital_increase", "owner_change")),
            contract_investment=contract,
            fixed_asset_investment=fixed,
            out_of_province_amount=contract if n % 3 else Decimal(0),
            land_mu=land,
            expected_output=land * Decimal(rng.choice((380, 420, 520))),
            expected_tax=land * tax_per_mu,
            plot_ratio=Decimal(rng.choice(("1.1", "1.4"))),
            building_coverage=Decimal(rng.choice((42, 55))),
            rd_intensity=Decimal(rng.choice(("2.2", "2.5", "3.0"))),
            pollution_class="high" if rng.random() < 0.02 else "low",
            tech_level="low" if rng.random() < 0.02 else rng.choice(("high", "medium")),
            created_by=supervisor,
            lead_on=today,
        )
        if deal.chain is not None:
            deal.chain_node = nodes[ci][n % len(nodes[ci])]
        _date_stages(deal, target, today, rng.randrange(60, 1000), rng)
        deals.append(deal)
    Deal.objects.bulk_create(deals, batch_size=2000)
    saved = list(Deal.objects.select_related("county").order_by("pk"))
    timeline: list[DealEvent] = []
    checks: list[DealCheck] = []
    funds: list[DealFunding] = []
    for deal in saved:
        if deal.first_signed_on:
            deal.signing_event = events[deal.pk % len(events)] if deal.pk % 2 else None
        _screen(deal, standards, checks, supervisor)
        if not ctx.is_province:
            _events(deal, supervisor, timeline)
        _funds(deal, supervisor, ctx, today, funds)
    Deal.objects.bulk_update(
        saved, ["signing_event", "screening", "override_reason", "override_by"], batch_size=2000
    )
    DealEvent.objects.bulk_create(timeline, batch_size=2000)
    DealCheck.objects.bulk_create(checks, batch_size=2000)
    DealFunding.objects.bulk_create(funds, batch_size=5000)
    _three_batch(saved, supervisor, today)
    ctx.counts["deals"] = len(saved)
    ctx.counts["deal_funds"] = len(funds)


def _date_stages(deal: Deal, target: str, today: dt.date, age: int, rng: random.Random) -> None:
    """Date the stages up to `target` between `age` days ago and today."""
    day = today - dt.timedelta(days=age)
    terminated = target == Stage.TERMINATED
    last = rng.choice(PIPELINE[1:6]) if terminated else target
    steps = rules.stage_index(last) + 1
    gap = max(age // (steps + 1), 1)
    for stage in PIPELINE[:steps]:
        setattr(deal, STAGE_DATE_FIELD[stage], min(day, today))
        day += dt.timedelta(days=rng.randrange(max(gap // 2, 1), gap + 1))
    deal.stage = last
    if rules.stage_index(last) >= rules.stage_index(Stage.SIGNED):
        deal.first_signed_on = deal.signed_on
        deal.agreement_type = "formal"
    if rules.stage_index(last) >= rules.stage_index(Stage.REGISTERED):
        deal.uscc = "91110000600037341L"
    if rules.stage_index(last) >= rules.stage_index(Stage.APPROVED):
        deal.project_code = f"{today:%y%m}-410100-30-03-{rng.randrange(10**6):06d}"
    if rules.stage_index(last) >= rules.stage_index(Stage.STARTED) and deal.started_on:
        deal.planned_production_on = deal.started_on + dt.timedelta(days=rng.randrange(200, 700))
    if terminated:
        deal.stage = Stage.TERMINATED
        deal.terminated_on = min(day, today)
        deal.termination_reason = rng.choice(("investor", "policy", "other"))
        deal.termination_note = "（演示）投资方战略调整，项目终止"


def _screen(
    deal: Deal, standards: list[EntryStandard], checks: list[DealCheck], supervisor: User
) -> None:
    if deal.first_signed_on is None:
        return
    results = rules.screen(deal, standards, deal.first_signed_on, deal.county.path)
    for r in results:
        checks.append(
            DealCheck(
                deal=deal,
                point=DealCheck.Point.SIGNING,
                standard=r.standard,
                label=r.label,
                value=r.value,
                passed=r.passed,
                message=r.message[:200],
                checked_on=deal.first_signed_on,
            )
        )
    failed = any(not r.passed for r in results)
    beyond = rules.stage_index(deal.stage) > rules.stage_index(Stage.SIGNED) or deal.is_terminated
    if not failed:
        deal.screening = Deal.Screening.PASSED
    elif beyond:
        deal.screening = Deal.Screening.OVERRIDDEN
        deal.override_reason = "（演示）列入市重点项目，经市政府专题会议研究同意"
        deal.override_by = supervisor
    else:
        deal.screening = Deal.Screening.FAILED


def _events(deal: Deal, supervisor: User, out: list[DealEvent]) -> None:
    out.append(
        DealEvent(
            deal=deal,
            action="create",
            to_stage=Stage.LEAD,
            happened_on=deal.lead_on,
            actor=supervisor,
        )
    )
    previous: str = Stage.LEAD
    for stage in PIPELINE[1:]:
        on = getattr(deal, STAGE_DATE_FIELD[stage])
        if on is None:
            break
        out.append(
            DealEvent(
                deal=deal,
                action="advance",
                from_stage=previous,
                to_stage=stage,
                happened_on=on,
                evidence=f"（演示）{Stage(stage).label}材料",
                actor=supervisor,
            )
        )
        previous = stage
    if deal.is_terminated and deal.terminated_on:
        out.append(
            DealEvent(
                deal=deal,
                action="terminate",
                from_stage=previous,
                to_stage=Stage.TERMINATED,
                happened_on=deal.terminated_on,
                note=deal.termination_note,
                actor=supervisor,
            )
        )


def _funds(
    deal: Deal, supervisor: User, ctx: DemoContext, today: dt.date, out: list[DealFunding]
) -> None:
    """Monthly funds from the month after signing (36 months at province scale)."""
    if deal.first_signed_on is None:
        return
    month = (deal.first_signed_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months: list[dt.date] = []
    while month <= today.replace(day=1) and len(months) < 36:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    if ctx.is_province:
        months = [
            (today.replace(day=1) - dt.timedelta(days=31 * k)).replace(day=1) for k in range(36)
        ]
    if not months:
        return
    share = deal.contract_investment / Decimal(len(months) * 3)
    org = deal.responsible_org
    for k, m in enumerate(months):
        verified = k < len(months) - 2
        out.append(
            DealFunding(
                deal=deal,
                month=m,
                amount=share.quantize(Decimal("0.01")),
                evidence="（演示）银行进账单",
                reported_by=supervisor,
                reporting_org=org,
                verified=verified,
                verified_by=supervisor if verified else None,
                verifier_org=ctx.orgs["SFS-DCS"] if verified else None,
                verified_at=timezone.now() if verified else None,
            )
        )


def _three_batch(deals: list[Deal], supervisor: User, today: dt.date) -> None:
    """Six quarterly 期次 (the last ~18 months), each with the deals that reached 签约 / 开工 /
    投产 in the quarter before it; 投产一批 are mostly the previous period's 开工一批."""
    periods = [
        ThreeBatchPeriod.objects.create(
            number=7 + k,
            held_on=today - dt.timedelta(days=91 * (5 - k) + 10),
            venue="（演示）郑州主会场，各市县分会场",
        )
        for k in range(6)
    ]
    entries: list[ThreeBatchEntry] = []
    for i, period in enumerate(periods):
        since = periods[i - 1].held_on if i else period.held_on - dt.timedelta(days=91)
        for kind, field in (
            (ThreeBatchEntry.List.SIGNING, "signed_on"),
            (ThreeBatchEntry.List.START, "started_on"),
            (ThreeBatchEntry.List.PRODUCTION, "producing_on"),
        ):
            for deal in deals:
                on = getattr(deal, field)
                if on is not None and since < on <= period.held_on and not deal.is_terminated:
                    entries.append(
                        ThreeBatchEntry(
                            period=period,
                            list=kind,
                            deal=deal,
                            amount=deal.contract_investment,
                            added_by=supervisor,
                        )
                    )
    ThreeBatchEntry.objects.bulk_create(entries, batch_size=2000)


def _chain_nodes(chains: list[IndustryChain]) -> list[list[ChainNode]]:
    """The nodes of the three demo chains with their anchors (valid USCCs) and targets."""
    out: list[list[ChainNode]] = []
    serial = 0
    for chain, rows in zip(chains, NODES, strict=True):
        made = []
        for k, (segment, name, code, coverage, anchor, target) in enumerate(rows):
            node = ChainNode.objects.create(
                chain=chain,
                segment=segment,
                name=name,
                industry_code=code,
                coverage=coverage,
                sort_order=k,
            )
            if anchor:
                serial += 1
                uscc = _uscc(f"{DEMO_USCC[:-2]}{serial:02d}")
                ChainEnterprise.objects.create(
                    node=node, role="anchor", name=anchor, uscc=uscc, origin="province"
                )
            if target:
                ChainEnterprise.objects.create(
                    node=node,
                    role="target",
                    name=target,
                    origin="out_of_province",
                    is_fortune500=k % 2 == 0,
                )
            made.append(node)
        out.append(made)
    return out


def _uscc(body: str) -> str:
    """`body` (17 characters) with the check character that python-stdnum accepts."""
    from dudao.core.exceptions import DomainError
    from dudao.projects.rules import normalise_uscc

    for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        try:
            return normalise_uscc(body + c)
        except DomainError:
            continue
    raise ValueError(body)
