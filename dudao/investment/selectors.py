"""Reads of 招商引资, always from the user's scope (out of scope is 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.core import numbers
from dudao.core.lights import Light
from dudao.investment import rules
from dudao.investment.models import (
    PIPELINE,
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
    StallRule,
    ThreeBatchEntry,
    ThreeBatchPeriod,
)
from dudao.orgs.models import Organisation

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from dudao.accounts.models import User

YI = Decimal("10000")  # 1 亿元 = 10,000 万元
# Size bands of the board (合同投资额): 亿元以上, 10亿以上, 50亿以上 (lower bound in 万元).
BANDS: dict[str, tuple[str, Decimal]] = {
    "1": ("1亿元以上", YI),
    "10": ("10亿元以上", 10 * YI),
    "50": ("50亿元以上", 50 * YI),
}
STAGE_CHOICES = [(s.value, s.label) for s in Stage]


def visible_deals(actor: User) -> QuerySet[Deal]:
    return Deal.objects.visible_to(actor)


def get_deal(actor: User, pk: int) -> Deal:
    return get_object_or_404(
        visible_deals(actor).select_related(
            "county",
            "responsible_org",
            "chain",
            "signing_event",
            "project",
            "override_by",
            "supervision_task",
        ),
        pk=pk,
    )


def deal_for_project(actor: User, project_id: int) -> Deal | None:
    """The deal a registry project came from (the other side of the link), in scope."""
    return visible_deals(actor).filter(project_id=project_id).first()


@dataclass(frozen=True)
class DealFilter:
    county: int | None = None
    chain: int | None = None
    stage: str = ""
    band: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> DealFilter:
        def num(key: str) -> int | None:
            value = str(data.get(key, "") or "").strip()
            return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None

        stage = str(data.get("stage", "") or "")
        band = str(data.get("band", "") or "")
        return cls(
            county=num("county"),
            chain=num("chain"),
            stage=stage if stage in Stage.values else "",
            band=band if band in BANDS else "",
            q=str(data.get("q", "") or "").strip()[:50],
        )


def _filtered(actor: User, f: DealFilter, *, with_stage: bool = True) -> QuerySet[Deal]:
    qs = visible_deals(actor)
    if f.county:
        qs = qs.filter(county_id=f.county)
    if f.chain:
        qs = qs.filter(chain_id=f.chain)
    if f.band:
        qs = qs.filter(contract_investment__gte=BANDS[f.band][1])
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(investor__icontains=f.q) | Q(code__icontains=f.q))
    if with_stage and f.stage:
        qs = qs.filter(stage=f.stage)
    return qs


# The deal list's sortable columns (URL key → ORM fields), for dudao.core.listing; the
# default is the newest lead first.
DEAL_SORTS: dict[str, tuple[str, ...]] = {
    "lead": ("-lead_on", "-pk"),
    "code": ("code",),
    "name": ("name",),
    "investor": ("investor",),
    "county": ("county__path",),
    "chain": ("chain__name",),
    "stage": ("stage",),
    "amount": ("-contract_investment",),
    "signed": ("-first_signed_on",),
    "screening": ("screening",),
}


def list_deals(actor: User, f: DealFilter, order: str = "") -> QuerySet[Deal]:
    orders = {
        "amount": ("-contract_investment", "-id"),
        "stage": ("stage", "-id"),
        "signed": ("-first_signed_on", "-id"),
        "name": ("name", "id"),
    }
    return (
        _filtered(actor, f)
        .select_related("county", "responsible_org", "chain")
        .order_by(*orders.get(order, ("-lead_on", "-id")))
    )


@dataclass(frozen=True)
class StageColumn:
    stage: str
    label: str
    count: int
    amount_wan: Decimal

    @property
    def amount_yi(self) -> str:
        return numbers.format_yi(self.amount_wan, 2)


def pipeline_board(actor: User, f: DealFilter) -> list[StageColumn]:
    """Counts and 合同投资额 by stage (one grouped query); the stage filter is not applied, the
    board shows every column."""
    rows = {
        r["stage"]: r
        for r in _filtered(actor, f, with_stage=False)
        .order_by()
        .values("stage")
        .annotate(n=Count("id"), amount=Sum("contract_investment"))
    }
    out = []
    for stage in (*PIPELINE, Stage.TERMINATED):
        r = rows.get(stage, {})
        out.append(
            StageColumn(
                stage=stage,
                label=str(Stage(stage).label),
                count=int(r.get("n", 0)),
                amount_wan=Decimal(r.get("amount") or 0),
            )
        )
    return out


def timeline(deal: Deal) -> QuerySet[DealEvent]:
    return deal.events.select_related("actor", "organisation").order_by("created_at", "id")


def checks(deal: Deal) -> QuerySet[DealCheck]:
    return deal.checks.select_related("standard").order_by("point", "passed", "id")


def fundings(deal: Deal) -> QuerySet[DealFunding]:
    return deal.fundings.select_related("reporting_org", "verifier_org").order_by("month")


def stall_rules() -> dict[str, StallRule]:
    return {r.kind: r for r in StallRule.objects.all()}


def stalls(deals: Iterable[Deal], today: dt.date | None = None) -> dict[int, rules.Stall]:
    """The stalled light of each deal (one query for the rules)."""
    today = today or timezone.localdate()
    table = stall_rules()
    return {d.pk: rules.stall_of(d, table, today) for d in deals}


# The stages a stall light can be lit in (see rules.stall_of); other stages are always grey.
STALLABLE = (Stage.SIGNED, Stage.REGISTERED, Stage.APPROVED, Stage.STARTED, Stage.COMPLETED)
DIGEST_DEAL_LINES = 20


def stalled_deals_by_unit(
    today: dt.date | None = None,
) -> dict[int, list[tuple[Deal, rules.Stall]]]:
    """Every yellow or red stalled deal, per responsible unit, worst and longest first (for the
    daily digest; system-wide, no user scope)."""
    today = today or timezone.localdate()
    table = stall_rules()
    out: dict[int, list[tuple[Deal, rules.Stall]]] = {}
    deals = Deal.objects.filter(stage__in=STALLABLE).only(
        "pk",
        "code",
        "name",
        "stage",
        "responsible_org_id",
        "signed_on",
        "registered_on",
        "planned_production_on",
    )
    for deal in deals.order_by("pk").iterator(chunk_size=2000):
        stall = rules.stall_of(deal, table, today)
        if stall.light in (Light.YELLOW, Light.RED):
            out.setdefault(deal.responsible_org_id, []).append((deal, stall))
    for rows in out.values():
        rows.sort(key=lambda r: (-r[1].light.severity, -r[1].days, r[0].code))
    return out


def stalled_digest_lines(today: dt.date) -> dict[int, list[str]]:
    """The digest lines of each responsible unit's stalled deals (registered with 督查督办's
    daily digest in InvestmentConfig.ready)."""
    out: dict[int, list[str]] = {}
    for org_id, rows in stalled_deals_by_unit(today).items():
        body = [f"推进停滞的招商项目 {len(rows)} 个："]
        body.extend(
            f"【招商】{deal.code} {deal.name}（{deal.stage_label()}，"
            f"{stall.text}，{stall.light.label}）"
            for deal, stall in rows[:DIGEST_DEAL_LINES]
        )
        if len(rows) > DIGEST_DEAL_LINES:
            body.append(f"……等共 {len(rows)} 个，请在“招商引资”中查看。")
        out[org_id] = body
    return out


def county_choices(actor: User) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(actor).filter(
        kind=Organisation.Kind.COUNTY_GOV, is_active=True
    )


def chain_choices(actor: User) -> QuerySet[IndustryChain]:
    """The chains a user may attach a deal to: the city's and those of the user's own area."""
    org = actor.organisation
    ancestors = _ancestor_paths(org.scope_path)
    return IndustryChain.objects.filter(
        Q(organisation__path__in=ancestors) | Q(organisation__path__startswith=org.scope_path)
    ).select_related("organisation")


def _ancestor_paths(path: str) -> list[str]:
    segments = path.split(".")[:-1]
    return [".".join(segments[:n]) + "." for n in range(1, len(segments) + 1)]


def chain_for(actor: User, pk: int) -> IndustryChain:
    return get_object_or_404(chain_choices(actor), pk=pk)


def signing_events_for(actor: User) -> QuerySet[SigningEvent]:
    org = actor.organisation
    return SigningEvent.objects.filter(
        Q(organiser__path__in=_ancestor_paths(org.scope_path))
        | Q(organiser__path__startswith=org.scope_path)
    )


def responsible_choices(actor: User) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(actor).filter(is_active=True)


def entry_standards() -> QuerySet[EntryStandard]:
    return EntryStandard.objects.select_related("jurisdiction").order_by(
        "-is_active", "metric", "industry_prefix", "id"
    )


def funding_in_scope(actor: User, pk: int) -> DealFunding:
    return get_object_or_404(
        DealFunding.objects.select_related("deal", "reporting_org").filter(
            deal__in=visible_deals(actor).values("pk")
        ),
        pk=pk,
    )


def periods_with_counts() -> QuerySet[ThreeBatchPeriod]:
    """Every 期次 with the number of deals on each list (in every scope: the lists are public
    within the city; the entries themselves are read through `period_entries`)."""
    return ThreeBatchPeriod.objects.annotate(
        signing=Count("entries", filter=Q(entries__list=ThreeBatchEntry.List.SIGNING)),
        start=Count("entries", filter=Q(entries__list=ThreeBatchEntry.List.START)),
        production=Count("entries", filter=Q(entries__list=ThreeBatchEntry.List.PRODUCTION)),
    ).order_by("-number")


def get_period(pk: int) -> ThreeBatchPeriod:
    return get_object_or_404(ThreeBatchPeriod, pk=pk)


def period_entries(actor: User, period: ThreeBatchPeriod) -> dict[str, list[ThreeBatchEntry]]:
    """The period's three lists, only the deals in the actor's scope."""
    out: dict[str, list[ThreeBatchEntry]] = {k: [] for k in ThreeBatchEntry.List.values}
    for entry in (
        period.entries.filter(deal__in=visible_deals(actor).values("pk"))
        .select_related("deal", "deal__county")
        .order_by("list", "-amount", "id")
    ):
        out[entry.list].append(entry)
    return out


COVERAGE_COLOURS = {"strong": "#2e7d32", "weak": "#f9a825", "gap": "#c62828"}


def chain_graph(actor: User, chain: IndustryChain) -> dict[str, Any]:
    """The chain as an ECharts graph: the chain, its three segments, its nodes coloured by
    coverage (强链 green, 弱链 yellow, 缺链 red), each with its enterprises and the deals in the
    actor's scope attached to it. Three queries."""
    nodes = list(chain.nodes.all())
    deal_counts = dict(
        visible_deals(actor)
        .filter(chain_node__chain=chain)
        .exclude(stage=Stage.TERMINATED)
        .order_by()
        .values_list("chain_node")
        .annotate(n=Count("id"))
    )
    firms: dict[int, list[ChainEnterprise]] = {n.pk: [] for n in nodes}
    for firm in ChainEnterprise.objects.filter(node__chain=chain).order_by("role", "id"):
        firms[firm.node_id].append(firm)
    data: list[dict[str, Any]] = [
        {"id": "chain", "name": chain.name, "symbolSize": 56, "itemStyle": {"color": "#1f4e8c"}}
    ]
    links: list[dict[str, str]] = []
    for value, label in ChainNode.Segment.choices:
        data.append(
            {
                "id": f"seg-{value}",
                "name": str(label),
                "symbolSize": 40,
                "itemStyle": {"color": "#5b7db1"},
            }
        )
        links.append({"source": "chain", "target": f"seg-{value}"})
    rows = []
    for node in nodes:
        count = int(deal_counts.get(node.pk, 0))
        anchors = [f.name for f in firms[node.pk] if f.role == ChainEnterprise.Role.ANCHOR]
        targets = [f.name for f in firms[node.pk] if f.role == ChainEnterprise.Role.TARGET]
        data.append(
            {
                "id": f"node-{node.pk}",
                "name": node.name,
                "symbolSize": 26 + min(count, 10) * 2,
                "itemStyle": {"color": COVERAGE_COLOURS[node.coverage]},
                "tip": f"{node.get_coverage_display()}；行业代码 {node.industry_code or '—'}；"
                f"骨干企业 {len(anchors)} 家；招商目标 {len(targets)} 家；"
                f"在谈及落地项目 {count} 个",
            }
        )
        links.append({"source": f"seg-{node.segment}", "target": f"node-{node.pk}"})
        rows.append({"node": node, "deals": count, "anchors": anchors, "targets": targets})
    return {"graph": {"nodes": data, "links": links}, "rows": rows}
