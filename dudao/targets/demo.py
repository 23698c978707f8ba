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


@generator(order=50, name="年度目标")
def targets(ctx: DemoContext) -> None:  # noqa: PLR0915 - one pass over both years
    rng = ctx.rng
    user = ctx.users["demo_supervisor"]
    city = ctx.orgs["SFS"]
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    counties = list(
        Organisation.objects.filter(kind=K.COUNTY_GOV, path__startswith=city.path).order_by(
            "sort_order", "path"
        )
    )
    parks = list(
        Organisation.objects.filter(kind=K.PARK_COMMITTEE, path__startswith=city.path).order_by(
            "sort_order", "path"
        )
    )
    province = _province(city)
    ind = {i.code: i for i in TargetIndicator.objects.all()}
    years = (last.year - 1, last.year)
    created_rows = 0
    for year in years:
        month = 12 if year < last.year else last.month
        # Classes: by a list (the demo: by the size of last year's 固定资产投资).
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
        # 市 → 县/园区
        city_set = TargetSet.objects.create(
            year=year,
            issuer=city,
            level=TargetSet.Level.CITY_TO_COUNTY,
            document=f"示政〔{year}〕{rng.randint(3, 12)}号（演示）",
            title=f"{year}年示范市下达各县（市、区）和园区主要经济指标目标（演示数据）",
            status=TargetSet.Status.APPROVED,
            approved_at=timezone.now(),
        )
        rows: list[TargetRow] = []
        base_fai = stats.unit_figures(
            user, "fai", dt.date(year - 1, 12, 1), [c.pk for c in counties + parks]
        )
        base_rev = stats.unit_figures(
            user, "industrial_revenue", dt.date(year - 1, 12, 1), [c.pk for c in counties + parks]
        )
        base_tax = stats.unit_figures(
            user, "tax_revenue", dt.date(year - 1, 12, 1), [p.pk for p in parks]
        )
        base_energy = stats.unit_figures(
            user, "energy_consumption", dt.date(year - 1, 12, 1), [c.pk for c in counties]
        )
        inv = projects.unit_figures(user, "ytd_investment", year, month, [c.pk for c in counties])
        starts = projects.unit_figures(user, "starts", year, month, [c.pk for c in counties])

        def add(unit: Organisation, code: str, kind: str, value: Decimal, weight: str) -> None:
            rows.append(
                TargetRow(
                    target_set=city_set,
                    unit=unit,
                    indicator=ind[code],
                    kind=kind,
                    target_value=value.quantize(Decimal("0.01")),
                    weight=Decimal(weight),
                )
            )

        for c in counties:
            if c.pk in base_fai:
                add(
                    c,
                    "fai",
                    "absolute",
                    base_fai[c.pk].value * (1 + _pct(rng.randint(20, 220))),
                    "3",
                )
            add(c, "fai", "growth", Decimal(rng.choice((6, 7, 8, 9))), "2")
            if c.pk in base_rev:
                add(
                    c,
                    "industrial_revenue",
                    "absolute",
                    base_rev[c.pk].value * (1 + _pct(rng.randint(20, 200))),
                    "2",
                )
            add(c, "profit", "growth", Decimal(rng.choice((5, 8, 10))), "1")
            if c.pk in base_energy:
                add(
                    c,
                    "energy_consumption",
                    "absolute",
                    base_energy[c.pk].value * (1 + _pct(rng.randint(-30, 60))),
                    "1",
                )
            done = inv.get(c.pk, Decimal(0))
            if done > 0:
                add(
                    c,
                    "project_investment",
                    "absolute",
                    done * 12 / month * (1 + _pct(rng.randint(-80, 350))),
                    "2",
                )
            add(c, "project_starts", "count", starts.get(c.pk, Decimal(0)) + rng.randint(0, 4), "1")
        for p in parks:
            if p.pk in base_rev:
                add(
                    p,
                    "industrial_revenue",
                    "absolute",
                    base_rev[p.pk].value * (1 + _pct(rng.randint(20, 220))),
                    "2",
                )
            if p.pk in base_tax:
                add(
                    p,
                    "tax_revenue",
                    "absolute",
                    base_tax[p.pk].value * (1 + _pct(rng.randint(0, 200))),
                    "1",
                )
            add(p, "fai", "growth", Decimal(rng.choice((8, 10, 12))), "1")
        # 省 → 市
        prov_set = TargetSet.objects.create(
            year=year,
            issuer=province,
            level=TargetSet.Level.PROVINCE_TO_CITY,
            document=f"豫政〔{year}〕{rng.randint(2, 9)}号（演示）",
            title=f"{year}年省下达示范市主要经济指标目标（演示数据）",
            status=TargetSet.Status.APPROVED,
            approved_at=timezone.now(),
        )
        city_rev = stats.unit_figures(
            user, "industrial_revenue", dt.date(year - 1, 12, 1), [city.pk]
        )
        prov_rows = [
            TargetRow(target_set=prov_set, unit=city, indicator=ind["fai"], kind="growth", target_value=Decimal(8), weight=Decimal(3)),
            TargetRow(target_set=prov_set, unit=city, indicator=ind["profit"], kind="growth", target_value=Decimal(10), weight=Decimal(1)),
            TargetRow(target_set=prov_set, unit=city, indicator=ind["project_starts"], kind="count", target_value=Decimal(sum(starts.values(), Decimal(0)) + 5), weight=Decimal(1)),
        ]  # fmt: skip
        if city.pk in city_rev:
            prov_rows.append(
                TargetRow(
                    target_set=prov_set,
                    unit=city,
                    indicator=ind["industrial_revenue"],
                    kind="absolute",
                    target_value=(city_rev[city.pk].value * Decimal("1.08")).quantize(
                        Decimal("0.01")
                    ),
                    weight=Decimal(2),
                )
            )
        rows.extend(prov_rows)
        TargetRow.objects.bulk_create(rows, batch_size=1000)
        created_rows += len(rows)
        for r in prov_rows:
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
    for n, r in enumerate(weak):
        services._create_improvement(
            actor=user,
            row=r.row,
            year=last.year,
            month=last.month,
            owner=r.row.unit,
            deadline=today + dt.timedelta(days=30 + 10 * n),
            measure=MEASURES[n % len(MEASURES)],
            responsible_person="分管副县长",
            gap_display=r.progress.gap_display,
        )
    ctx.counts["target_rows"] = created_rows
    ctx.counts["target_improvements"] = len(weak)
