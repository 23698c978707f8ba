"""Demo enterprises (fictional, 演示数据): ~1,200 in 示范市's parks (60,000 across the province at
province scale) with two years of evaluation figures, some missing; a demo 亩均效益 regime per
year with its factor policy table; and each year's evaluation run for the city.

`generate` is also the province-scale generator of bench/suite_enterprises.py."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from dudao.demo.registry import DemoContext, generator
from dudao.enterprises.models import (
    AnnualValue,
    Enterprise,
    EnterpriseStatus,
    FactorPolicy,
    Regime,
    RegimeItem,
)
from dudao.enterprises.services.evaluation import _run_evaluation
from dudao.parks.models import Park

INDUSTRIES = ("1391", "2614", "2927", "3130", "3311", "3562", "3670", "3825", "3974", "4090")
WORDS = ("精工", "新材", "智能装备", "电子", "食品", "纺织", "化工", "机械", "汽车零部件", "生物")
SOURCES = {
    "tax": "税务部门",
    "revenue": "统计部门",
    "value_added": "统计部门",
    "energy": "统计部门",
    "power": "供电公司",
    "rnd": "统计部门",
    "employees": "统计部门",
    "land": "自然资源部门",
    "emissions": "生态环境部门",
}
DOC = "示范市工业企业亩均效益综合评价办法（演示）"
ABOVE = (  # (metric, weight, benchmark, missing rule): the 黄岩 structure, city averages
    ("tax_per_mu", 30, "city_avg", "zero"),
    ("va_per_mu", 20, "city_avg", "zero"),
    ("va_per_energy", 20, "city_avg", "zero"),
    ("va_per_emission", 10, "city_avg", "average"),
    ("labour_productivity", 10, "city_avg", "zero"),
    ("rnd_ratio", 10, "city_avg", "zero"),
)
BELOW = (("tax_per_mu", 50, "city_avg", "zero"), ("tax_per_power", 50, "city_avg", "zero"))
POLICIES = (
    ("A", "用地", "优先保障新增建设用地指标，技改扩能项目用地优先供应"),
    ("A", "电价", "不执行差别化电价，优先安排有序用电负荷"),
    ("A", "信贷", "列入银行重点支持名单，优先给予信用贷款"),
    ("B", "用地", "按正常程序保障用地需求"),
    ("B", "用能", "按正常程序安排用能指标"),
    ("C", "用能", "新增用能指标从严审核，引导开展节能技术改造"),
    ("C", "电价", "执行差别化电价（每千瓦时加价0.05元，示例）"),
    ("D", "用地", "原则上不新增供地，引导盘活闲置低效用地"),
    ("D", "电价", "执行差别化电价（每千瓦时加价0.10元，示例）"),
    ("D", "信贷", "列入帮扶名单，银行审慎授信"),
)


def _uscc(serial: int) -> str:
    body = f"91419900{serial:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def _d(value: float, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _figures(rng: random.Random, e: Enterprise, growth: float) -> dict[str, Decimal]:
    land = float(e.land_mu or 1)
    per_mu = rng.lognormvariate(2.6, 0.7) * growth  # ~13 万元/亩 median
    tax = land * per_mu if e.above_scale else land * per_mu * 0.5
    revenue = tax * rng.uniform(8, 25)
    value_added = revenue * rng.uniform(0.18, 0.35)
    return {
        "tax": _d(tax),
        "revenue": _d(revenue),
        "value_added": _d(value_added),
        "energy": _d(value_added / rng.uniform(1, 5)),
        "power": _d(tax / rng.uniform(0.1, 0.5)),
        "rnd": _d(revenue * rng.uniform(0, 0.05)),
        "employees": Decimal(max(5, int((e.employees or 20) * rng.uniform(0.9, 1.1)))),
        "land": _d(land),
        "emissions": _d(value_added / rng.uniform(2000, 8000), 4),
    }


def generate(
    rng: random.Random,
    parks: Sequence[tuple[int, int, str]],
    count: int,
    years: Sequence[int],
    *,
    missing: float = 0.03,
    start: int = 1,
) -> int:
    """Create `count` enterprises spread over `parks` ((park id, committee id, short name))
    with figures for `years` (each value missing with probability `missing`, 排放 more often).
    Returns the number of figures written."""
    enterprises = []
    for n in range(count):
        park_id, org_id, short = parks[n % len(parks)]
        above = rng.random() < 0.45
        enterprises.append(
            Enterprise(
                uscc=_uscc(start + n),
                name=f"{short}{rng.choice(WORDS)}演示企业{start + n}号有限公司",
                organisation_id=org_id,
                park_id=park_id,
                industry_code=rng.choice(INDUSTRIES),
                above_scale=above,
                land_own_mu=_d(rng.uniform(8, 200) if above else rng.uniform(3, 40)),
                land_leased_mu=_d(rng.uniform(0, 20)) if rng.random() < 0.2 else None,
                employees=rng.randint(80, 2000) if above else rng.randint(8, 120),
                ungraded_class=rng.choice(["utility", "startup", "construction"])
                if rng.random() < 0.03
                else "",
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=2000)
    today = timezone.localdate()
    EnterpriseStatus.objects.bulk_create(
        (
            EnterpriseStatus(enterprise=e, status=e.status, since=today, note="登记（演示）")
            for e in enterprises
        ),
        batch_size=2000,
    )
    values = []
    for e in enterprises:
        growth = 1.0
        for year in years:
            growth *= rng.uniform(0.9, 1.15)
            for item, value in _figures(rng, e, growth).items():
                gap = missing * (6 if item == "emissions" else 1)
                if rng.random() < gap:
                    continue
                values.append(
                    AnnualValue(
                        enterprise=e, year=year, item=item, value=value, source=SOURCES[item]
                    )
                )
    AnnualValue.objects.bulk_create(values, batch_size=5000)
    return len(values)


def regime(year: int) -> Regime:
    """The demo regime of a year (规上: the 黄岩 structure; 规下: 亩均税收 and 单位电耗税收)."""
    made = Regime.objects.create(
        year=year,
        name=f"示范市{year}年度工业企业亩均效益综合评价（演示）",
        source_doc=DOC,
        bonus_cap=Decimal(10),
        penalty_cap=Decimal(20),
    )
    rows = [
        RegimeItem(
            regime=made,
            scale=scale,
            metric=metric,
            weight=Decimal(weight),
            benchmark=bench,
            missing=rule,
            cap=Decimal(3),
            sort_order=i,
        )
        for scale, items in (("above", ABOVE), ("below", BELOW))
        for i, (metric, weight, bench, rule) in enumerate(items)
    ]
    RegimeItem.objects.bulk_create(rows)
    FactorPolicy.objects.bulk_create(
        FactorPolicy(regime=made, grade=g, factor=f, measure=m, source_doc=DOC, sort_order=i)
        for i, (g, f, m) in enumerate(POLICIES)
    )
    return made


@generator(order=70, name="企业亩均效益")
def enterprises(ctx: DemoContext) -> None:
    supervisor = ctx.users.get("demo_supervisor")
    city = ctx.orgs.get("SFS")
    if supervisor is None or city is None:
        return
    qs = Park.objects.filter(organisation__isnull=False).order_by("code")
    if not ctx.is_province:
        qs = qs.filter(organisation__path__startswith=city.path)
    parks = [(p.pk, p.organisation_id or 0, p.short_name or p.name) for p in qs]
    if not parks:
        return
    count = 60_000 if ctx.is_province else 1_200
    last = timezone.localdate().year - 1
    years = (last - 1, last)
    ctx.counts["enterprise_figures"] = generate(ctx.rng, parks, count, years)
    ctx.counts["enterprises"] = count
    for year in years:
        regime(year)
        _run_evaluation(actor=supervisor, year=year)


# The enterprise service generator registers itself on import (autodiscovery finds demo.py).
from dudao.enterprises import demo_service as _demo_service  # noqa: E402

__all__ = ["_demo_service", "enterprises", "generate", "regime"]
