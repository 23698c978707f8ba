"""Demo data of 省级考评 (fictional, labelled 演示): the province's other cities' parks (only for
prefectures that have none yet), three years of "published" provincial rankings, titles and
star awards for every park of the province, and a worked example regime computed for
示范市's own parks so every scoring method can be seen at work.

The provincial figures are shaped to match the speech's comparison for the latest year
(2021): 示范市 has one 十强 (高新区) and three parks with two stars or more, 郑州 three 十强
and seven, 焦作 six, 新乡 five; among the 十快, 商丘 has three, 焦作 two, 示范市 none.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count

from dudao.demo.registry import DemoContext, generator
from dudao.evaluation import scoring, services
from dudao.evaluation.models import (
    Dimension,
    Indicator,
    InputValue,
    Method,
    Regime,
    Result,
    ResultSet,
    StarAward,
    Title,
    TitleKind,
    VetoGate,
)
from dudao.parks.models import Park
from dudao.regions.models import Region

PROVINCE_REGIME = "HN-CJQ-2017"
YEARS = (2019, 2020, 2021)
DOC = "豫集聚办〔{year}〕演示号（演示数据）"
PARKS_PER_CITY = 10

ZHENGZHOU, XINXIANG, JIAOZUO, SHANGQIU = "410100", "410700", "410800", "411400"
# Latest-year 十强 places of other cities' parks (city code → ranks); 高新区 takes rank 6.
STRONG_RANKS = {ZHENGZHOU: [1, 2, 5], "410300": [3], "411000": [4], XINXIANG: [7], "410500": [8]}
OUR_STRONG_RANK = 6
OTHER_STRONG_RANKS = {"411300": [9], "411100": [10]}
# Latest-year 十快 (largest rank gains): city → number of parks.
FAST = {SHANGQIU: 3, JIAOZUO: 2, "411600": 2, "411700": 1, "411500": 1, "410900": 1}
# Parks with ≥ 2 stars in the latest year, per city (the others get 0–4 at random).
STARRED = {"ours": 3, ZHENGZHOU: 7, JIAOZUO: 6, XINXIANG: 5}
OUR_STARRED = ("SFS-GXQ", "SFS-JKQ", "SFS-P01")
OUR_ADVANCED = "SFS-P01"  # the speech: “**区 … 入选全省‘十先进’”


def _other_parks(ctx: DemoContext) -> int:
    """Ten fictional parks for each prefecture of the province that has none yet."""
    have = set(
        Park.objects.filter(city_region__isnull=False)
        .values("city_region")
        .annotate(n=Count("id"))
        .values_list("city_region", flat=True)
    )
    rows = []
    for pref in Region.objects.filter(parent_id="410000").exclude(code__in=have).order_by("code"):
        short = pref.name.removesuffix("市")
        for n in range(1, PARKS_PER_CITY + 1):
            rows.append(
                Park(
                    code=f"DEMO-{pref.code}-{n:02d}",
                    name=f"{short}第{n}产业集聚区（演示）",
                    short_name=f"{short}{n}区",
                    kind=Park.Kind.CLUSTER,
                    city_region=pref,
                    sort_order=1000 + n,
                )
            )
    Park.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _our_parks(ctx: DemoContext, parks: Iterable[Park]) -> list[Park]:
    """示范市's parks: those whose 管委会 lies in the 示范市 organisation tree."""
    city = ctx.orgs.get("SFS")
    if city is None:
        return []
    return [
        p for p in parks if p.organisation is not None and p.organisation.path.startswith(city.path)
    ]


def _latest_ranks(
    rng: random.Random, ours: list[Park], by_city: dict[str, list[Park]]
) -> dict[int, int]:
    """Ranks of the latest year: the fixed 十强 places, everybody else shuffled after them."""
    fixed: dict[int, int] = {}
    gxq = next((p for p in ours if p.code == "SFS-GXQ"), None)
    if gxq is not None:
        fixed[gxq.pk] = OUR_STRONG_RANK
    for city, ranks in {**STRONG_RANKS, **OTHER_STRONG_RANKS}.items():
        for park, rank in zip(by_city.get(city, []), ranks, strict=False):
            fixed[park.pk] = rank
    everyone = [p.pk for p in ours] + [p.pk for ps in by_city.values() for p in ps]
    rest = [pk for pk in everyone if pk not in fixed]
    rng.shuffle(rest)
    free = [r for r in range(1, len(everyone) + 1) if r not in set(fixed.values())]
    return {**fixed, **dict(zip(rest, free, strict=True))}


def _previous(rng: random.Random, ranks: dict[int, int], gains: dict[int, int]) -> dict[int, int]:
    """A plausible previous-year ranking: small moves, large ones for the chosen risers."""
    key = {
        pk: rank + gains.get(pk, rng.randint(-6, 6)) + rng.random() / 10
        for pk, rank in ranks.items()
    }
    ordered = sorted(key, key=lambda pk: key[pk])
    return {pk: i for i, pk in enumerate(ordered, start=1)}


def _risers(
    rng: random.Random, ranks: dict[int, int], by_city: dict[str, list[Park]]
) -> dict[int, int]:
    """The latest year's 十快: parks ranked 30th or lower that climbed 25–60 places."""
    total = len(ranks)
    gains: dict[int, int] = {}
    for city, count in FAST.items():
        candidates = [p.pk for p in by_city.get(city, []) if 30 <= ranks[p.pk] <= total - 30]
        for pk in candidates[:count]:
            gains[pk] = rng.randint(25, min(60, total - ranks[pk]))
    return gains


def _score(rng: random.Random, rank: int) -> Decimal:
    """A published score that falls strictly with the rank (gap 0.27, noise below 0.2)."""
    raw = Decimal("98.5") - Decimal("0.27") * (rank - 1) - Decimal(rng.randint(0, 19)) / 100
    return raw.quantize(Decimal("0.01"))


def _stars(
    rng: random.Random, ranks: dict[int, int], ours: list[Park], by_city: dict[str, list[Park]]
) -> dict[int, int]:
    """Star levels of the latest year (0 = none), with the speech's ≥ 2-star counts."""
    levels: dict[int, int] = {}
    groups = {"ours": ours, **by_city}
    for city, parks in groups.items():
        ordered = sorted(parks, key=lambda p: ranks[p.pk])
        if city == "ours":
            top = [p for p in ordered if p.code in OUR_STARRED]
            ordered = top + [p for p in ordered if p.code not in OUR_STARRED]
        starred = STARRED.get(city, rng.randint(1, 4))
        for i, park in enumerate(ordered):
            if i < starred:
                best = ranks[park.pk] <= 10
                levels[park.pk] = rng.randint(4, 5) if best else rng.choice((2, 2, 3))
            else:
                levels[park.pk] = rng.choice((0, 1, 1))
    return levels


def _province(ctx: DemoContext, regime: Regime) -> None:
    rng = ctx.rng
    all_parks = list(Park.objects.filter(is_active=True).select_related("organisation"))
    ours = _our_parks(ctx, all_parks)
    by_city: dict[str, list[Park]] = {}
    for park in all_parks:
        if park not in ours and park.city_region_id:
            by_city.setdefault(park.city_region_id, []).append(park)
    for parks in by_city.values():
        parks.sort(key=lambda p: p.code)
    latest = _latest_ranks(rng, ours, by_city)
    middle = _previous(rng, latest, _risers(rng, latest, by_city))
    first = _previous(rng, middle, {})
    stars_latest = _stars(rng, latest, ours, by_city)
    for year, ranks in zip(YEARS, (first, middle, latest), strict=True):
        result_set = ResultSet.objects.create(
            regime=regime,
            year=year,
            source=ResultSet.Source.IMPORTED,
            source_doc=DOC.format(year=year + 1),
            parks=len(ranks),
        )
        Result.objects.bulk_create(
            [
                Result(
                    result_set=result_set,
                    regime=regime,
                    year=year,
                    park_id=pk,
                    score=_score(rng, rank),
                    rank=rank,
                    detail={"published": True, "source_doc": result_set.source_doc},
                )
                for pk, rank in ranks.items()
            ],
            batch_size=500,
        )
        services._derive(regime, year, cascade=False)
        _published_lists(ctx, regime, year, ranks, ours)
        behind = YEARS[-1] - year
        StarAward.objects.bulk_create(
            [
                StarAward(
                    regime=regime,
                    year=year,
                    park_id=pk,
                    level=max(level - (1 if behind and rng.random() < 0.3 * behind else 0), 1),
                    first_time=False,
                    source_doc=DOC.format(year=year + 1),
                )
                for pk, level in stars_latest.items()
                if level
            ],
            batch_size=500,
        )
    ctx.counts["evaluation_results"] = Result.objects.filter(regime=regime).count()


def _published_lists(
    ctx: DemoContext, regime: Regime, year: int, ranks: dict[int, int], ours: list[Park]
) -> None:
    """十先进 (10, drawn from ranks 11–60; 明湖 in the latest year) and 优秀 (the top 20)."""
    rng = ctx.rng
    our_ids = {p.pk for p in ours}
    pool = sorted(
        (pk for pk, r in ranks.items() if 11 <= r <= 60 and pk not in our_ids),
        key=lambda pk: ranks[pk],
    )
    advanced = rng.sample(pool, min(10, len(pool)))
    mine = next((p.pk for p in ours if p.code == OUR_ADVANCED), None)
    if year == YEARS[-1] and mine is not None:
        advanced = [*advanced[:9], mine]
    excellent = [pk for pk, r in sorted(ranks.items(), key=lambda kv: kv[1]) if r <= 20]
    doc = DOC.format(year=year + 1)
    Title.objects.bulk_create(
        [
            Title(
                regime=regime,
                year=year,
                park_id=pk,
                kind=kind,
                source=Title.Source.IMPORTED,
                source_doc=doc,
            )
            for kind, pks in ((TitleKind.ADVANCED, advanced), (TitleKind.EXCELLENT, excellent))
            for pk in pks
        ]
    )


EXAMPLE = "SFS-DEMO"


def _example(ctx: DemoContext) -> None:
    """A worked example regime for 示范市's parks, computed with every scoring method."""
    ours = sorted(
        _our_parks(ctx, Park.objects.filter(is_active=True).select_related("organisation")),
        key=lambda p: p.code,
    )
    actor = ctx.users.get("demo_supervisor")
    if not ours or actor is None:
        return
    regime = Regime.objects.create(
        code=EXAMPLE,
        name="示范市产业集聚区综合考评（示例）",
        first_year=YEARS[0],
        source_doc="演示数据：指标、权重和参数均为示例，不代表任何正式文件",
        description="用于演示六种计分方法和一票否决：数值、权重均为虚构。",
        strong_size=5,
        fast_size=3,
    )
    dims = [
        Dimension.objects.create(regime=regime, name=name, sort_order=i)
        for i, name in enumerate(("经济总量", "质量效益", "集群发展", "绿色发展"))
    ]
    specs: list[tuple[str, str, str, str, int, dict[str, Any], int]] = [
        ("revenue", "规上工业主营业务收入", "亿元", Method.RATIO, 30, {"benchmark": "150"}, 0),
        (
            "fai",
            "固定资产投资完成率",
            "%",
            Method.COMPLETION,
            20,
            {"target": "100", "cap": "1.2"},
            0,
        ),
        (
            "tax_mu",
            "亩均税收",
            "万元/亩",
            Method.PERCENTILE,
            20,
            {
                "bands": [["0.25", "100"], ["0.7", "80"], ["0.95", "60"], ["1", "40"]],
                "higher_is_better": True,
            },
            1,
        ),
        (
            "cluster",
            "主导产业集群营业收入",
            "亿元",
            Method.TIERED,
            15,
            {"tiers": [["300", "15"], ["100", "10"], ["50", "6"], ["0", "3"]]},
            2,
        ),
        (
            "energy",
            "万元工业增加值能耗降幅",
            "%",
            Method.RANK,
            15,
            {"top": "100", "step": "3", "floor": "40", "higher_is_better": True},
            3,
        ),
        ("env", "环保督察反馈问题", "个", Method.EVENTS, 0, {"unit_points": "-0.3", "cap": "3"}, 3),
    ]
    for i, (code, name, unit, method, weight, params, dim) in enumerate(specs):
        Indicator.objects.create(
            regime=regime,
            dimension=dims[dim],
            code=code,
            name=name,
            unit=unit,
            method=method,
            weight=Decimal(weight),
            params=scoring.normalise_params(method, params),
            sort_order=i,
        )
    VetoGate.objects.create(
        regime=regime,
        code="accident",
        name="发生较大生产安全事故",
        effect=VetoGate.Effect.NO_AWARDS,
    )
    rng = ctx.rng
    strength = {p.pk: 1.6 if p.code == "SFS-GXQ" else rng.uniform(0.4, 1.3) for p in ours}
    rows = []
    for y, year in enumerate(YEARS):
        for park in ours:
            s = strength[park.pk] * (1 + 0.08 * y) * rng.uniform(0.9, 1.1)
            values = {
                "revenue": Decimal(str(round(s * 120, 1))),
                "fai": Decimal(str(round(rng.uniform(70, 135), 1))),
                "tax_mu": Decimal(str(round(s * 9, 2))),
                "cluster": Decimal(str(round(s * 160, 1))),
                "energy": Decimal(str(round(rng.uniform(-1, 8), 2))),
                "env": Decimal(rng.choice((0, 0, 0, 1, 2))),
                "accident": Decimal(1 if (year, park.code) == (YEARS[1], "SFS-P05") else 0),
            }
            rows += [
                InputValue(regime=regime, year=year, park=park, code=c, value=v, updated_by=actor)
                for c, v in values.items()
            ]
    InputValue.objects.bulk_create(rows, batch_size=1000)
    for year in YEARS:
        services._compute_results(actor=actor, regime=regime, year=year)


@generator(order=40, name="省级考评")
def evaluation(ctx: DemoContext) -> None:
    """Other cities' parks (if missing), three years of provincial results, titles and stars,
    and the computed example regime of 示范市."""
    ctx.counts["evaluation_demo_parks"] = _other_parks(ctx)
    regime = Regime.objects.filter(code=PROVINCE_REGIME).first()
    if regime is not None:
        _province(ctx, regime)
    _example(ctx)
