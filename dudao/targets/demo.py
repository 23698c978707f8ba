"""Demo annual targets (演示数据, fictional): last year's and this year's sheets from the province
to 示范市 and from 示范市 to its counties and parks, the counties in three classes, the
province's comparable ranks for the city, and a few weak links already turned into
improvement tasks through 督查督办's service.

Targets are set from the demo's own figures (statistics and projects, read through their public
selectors) so that the sheet reads like a real one: most units near 序时进度, some ahead and a
few clearly behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation, path_segment
from dudao.projects import selectors as projects
from dudao.stats import selectors as stats
from dudao.targets import selectors, services
from dudao.targets.models import (
    ProvinceRank,
    TargetIndicator,
    TargetRow,
    TargetSet,
    UnitClass,
)

K = Organisation.Kind
CLASS_NAMES = ("一类", "二类", "三类")
MEASURES = (
    "梳理在建项目投资计划，逐项目明确月度投资节点，对进度滞后项目实行周调度。",
    "加快谋划储备项目转化，推动已签约项目尽早开工入统。",
    "组织重点企业稳产扩产对接会，协调解决用能、用工和资金问题。",
)


def _province(city: Organisation) -> Organisation:
    """The province above 示范市; at city scale a fictional one outside the city's tree."""
    above = Organisation.objects.filter(kind=K.PROVINCE_GOV).first()
    if above is not None:
        return above
    org = Organisation.objects.create(
        code="HA-DEMO",
        name="河南省人民政府（演示）",
        short_name="省政府（演示）",
        kind=K.PROVINCE_GOV,
        scope_base="own",
        path="tmp-HA-DEMO",
        scope_path="",
        depth=1,
    )
    org.path = path_segment(org.pk)
    org.scope_path = org.path
    Organisation.objects.filter(pk=org.pk).update(path=org.path, scope_path=org.path)
    return org


def _pct(rng_value: int) -> Decimal:
    return Decimal(rng_value) / 1000


class _Sheet:
    """Rows of one demo sheet, collected then written in bulk."""

    def __init__(self, target_set: TargetSet, ind: dict[str, TargetIndicator]) -> None:
        self.target_set = target_set
        self.ind = ind
        self.rows: list[TargetRow] = []

    def add(self, unit: Organisation, code: str, kind: str, value: Decimal, weight: int) -> None:
        self.rows.append(
            TargetRow(
                target_set=self.target_set,
                unit=unit,
                indicator=self.ind[code],
                kind=kind,
                target_value=value.quantize(Decimal("0.01")),
                weight=Decimal(weight),
            )
        )


def _classes(
    ctx: DemoContext,
    city: Organisation,
    year: int,
    counties: list[Organisation],
    parks: list[Organisation],
) -> None:
    """The counties in three classes by last year's 固定资产投资, the parks in their own."""
    user = ctx.users["demo_supervisor"]
    size = stats.unit_figures(user, "fai", dt.date(year - 1, 12, 1), [c.pk for c in counties])
    ranked = sorted(counties, key=lambda c: -(size[c.pk].value if c.pk in size else 0))
    thirds = (len(ranked) + 2) // 3
    for n, name in enumerate(CLASS_NAMES):
        members = ranked[n * thirds : (n + 1) * thirds]
        if members:
            uc = UnitClass.objects.create(
                year=year,
                owner=city,
                name=name,
                sort_order=n + 1,
                basis=f"按{year - 1}年固定资产投资规模（演示数据）",
            )
            uc.members.set(members)
    if parks:
        uc = UnitClass.objects.create(
            year=year, owner=city, name="园区组", sort_order=9, basis="产业集聚区单独排队"
        )
        uc.members.set(parks)


def _city_sheet(
    ctx: DemoContext,
    sheet: _Sheet,
    *,
    counties: list[Organisation],
    parks: list[Organisation],
    year: int,
    month: int,
) -> dict[int, Decimal]:
    """市 → 县/园区: targets a little above last year's figures; returns the counties' starts."""
    rng, user = ctx.rng, ctx.users["demo_supervisor"]
    everyone = [c.pk for c in counties + parks]
    december = dt.date(year - 1, 12, 1)
    fai = stats.unit_figures(user, "fai", december, everyone)
    revenue = stats.unit_figures(user, "industrial_revenue", december, everyone)
    tax = stats.unit_figures(user, "tax_revenue", december, [p.pk for p in parks])
    energy = stats.unit_figures(user, "energy_consumption", december, [c.pk for c in counties])
    invest = projects.unit_figures(user, "ytd_investment", year, month, [c.pk for c in counties])
    starts = projects.unit_figures(user, "starts", year, month, [c.pk for c in counties])

    def up(base: Decimal, low: int, high: int) -> Decimal:
        return base * (1 + _pct(rng.randint(low, high)))

    for c in counties:
        if c.pk in fai:
            sheet.add(c, "fai", "absolute", up(fai[c.pk].value, 20, 220), 3)
        sheet.add(c, "fai", "growth", Decimal(rng.choice((6, 7, 8, 9))), 2)
        if c.pk in revenue:
            sheet.add(c, "industrial_revenue", "absolute", up(revenue[c.pk].value, 20, 200), 2)
        sheet.add(c, "profit", "growth", Decimal(rng.choice((5, 8, 10))), 1)
        if c.pk in energy:
            sheet.add(c, "energy_consumption", "absolute", up(energy[c.pk].value, -30, 60), 1)
        done = invest.get(c.pk, Decimal(0))
        if done > 0:
            sheet.add(c, "project_investment", "absolute", up(done * 12 / month, -80, 350), 2)
        sheet.add(c, "project_starts", "count", starts.get(c.pk, Decimal(0)) + rng.randint(0, 4), 1)
    for p in parks:
        if p.pk in revenue:
            sheet.add(p, "industrial_revenue", "absolute", up(revenue[p.pk].value, 20, 220), 2)
        if p.pk in tax:
            sheet.add(p, "tax_revenue", "absolute", up(tax[p.pk].value, 0, 200), 1)
        sheet.add(p, "fai", "growth", Decimal(rng.choice((8, 10, 12))), 1)
    return starts


def _province_sheet(
    ctx: DemoContext, sheet: _Sheet, city: Organisation, year: int, starts: Decimal
) -> None:
    """省 → 市: growth targets, the new starts and the revenue of 示范市."""
    user = ctx.users["demo_supervisor"]
    sheet.add(city, "fai", "growth", Decimal(8), 3)
    sheet.add(city, "profit", "growth", Decimal(10), 1)
    sheet.add(city, "project_starts", "count", starts + 5, 1)
    revenue = stats.unit_figures(user, "industrial_revenue", dt.date(year - 1, 12, 1), [city.pk])
    if city.pk in revenue:
        sheet.add(
            city, "industrial_revenue", "absolute", revenue[city.pk].value * Decimal("1.08"), 2
        )


@generator(order=50, name="年度目标")
def targets(ctx: DemoContext) -> None:
    rng = ctx.rng
    user = ctx.users["demo_supervisor"]
    city = ctx.orgs["SFS"]
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    in_city = Organisation.objects.filter(path__startswith=city.path).order_by("sort_order", "path")
    counties = list(in_city.filter(kind=K.COUNTY_GOV))
    parks = list(in_city.filter(kind=K.PARK_COMMITTEE))
    province = _province(city)
    ind = {i.code: i for i in TargetIndicator.objects.all()}
    created_rows = 0
    for year in (last.year - 1, last.year):
        month = 12 if year < last.year else last.month
        _classes(ctx, city, year, counties, parks)
        city_sheet = _Sheet(
            TargetSet.objects.create(
                year=year,
                issuer=city,
                level=TargetSet.Level.CITY_TO_COUNTY,
                document=f"示政〔{year}〕{rng.randint(3, 12)}号（演示）",
                title=f"{year}年示范市下达各县（市、区）和园区主要经济指标目标（演示数据）",
                status=TargetSet.Status.APPROVED,
                approved_at=timezone.now(),
            ),
            ind,
        )
        starts = _city_sheet(
            ctx, city_sheet, counties=counties, parks=parks, year=year, month=month
        )
        prov_sheet = _Sheet(
            TargetSet.objects.create(
                year=year,
                issuer=province,
                level=TargetSet.Level.PROVINCE_TO_CITY,
                document=f"豫政〔{year}〕{rng.randint(2, 9)}号（演示）",
                title=f"{year}年省下达示范市主要经济指标目标（演示数据）",
                status=TargetSet.Status.APPROVED,
                approved_at=timezone.now(),
            ),
            ind,
        )
        _province_sheet(ctx, prov_sheet, city, year, sum(starts.values(), Decimal(0)))
        TargetRow.objects.bulk_create(city_sheet.rows + prov_sheet.rows, batch_size=1000)
        created_rows += len(city_sheet.rows) + len(prov_sheet.rows)
        for r in prov_sheet.rows:
            ProvinceRank.objects.create(
                year=year,
                month=month,
                unit=city,
                indicator=r.indicator,
                rank=rng.randint(3, 15),
                of=18,
            )
    # A few weak links of last month already handed to 督查督办.
    weak = [
        r
        for r in selectors.weak_links(user, last.year, last.month)
        if r.row.unit.kind == K.COUNTY_GOV
    ][:3]
    for n, found in enumerate(weak):
        services._create_improvement(
            actor=user,
            row=found.row,
            year=last.year,
            month=last.month,
            owner=found.row.unit,
            deadline=today + dt.timedelta(days=30 + 10 * n),
            measure=MEASURES[n % len(MEASURES)],
            responsible_person="分管副县长",
            gap_display=found.progress.gap_display,
        )
    ctx.counts["target_rows"] = created_rows
    ctx.counts["target_improvements"] = len(weak)
