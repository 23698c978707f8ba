"""The demo registry: about sixty projects per county, a third of them in a park."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.parks.selectors import reference_parks
from dudao.projects.models import Project, ProjectCategory

if TYPE_CHECKING:
    from dudao.parks.models import Park

S = Project.Stage
L = Project.Level

INDUSTRY_WORDS = [
    ("新能源电池", "3841"),
    ("智能装备", "3490"),
    ("新材料", "2651"),
    ("食品精深加工", "1399"),
    ("电子信息", "3971"),
    ("生物医药", "2710"),
    ("汽车零部件", "3670"),
    ("绿色建材", "3021"),
    ("现代物流", "5990"),
    ("纺织服装", "1810"),
]
URBAN_WORDS = ["老旧小区改造", "城市道路提升", "污水处理厂扩建", "公园绿地", "地下综合管廊"]
INFRA_WORDS = ["国道改建", "供水管网", "变电站", "物流通道", "水系连通"]
LIVELIHOOD_WORDS = ["人民医院新院区", "中学扩建", "养老服务中心", "保障性住房", "体育中心"]
SUFFIXES = ["一期", "二期", "项目", "建设项目", "扩建项目"]


@generator(order=20, name="重大项目")
def projects(ctx: DemoContext) -> None:
    from dudao.projects.defaults import ensure_defaults

    ensure_defaults()
    rng = ctx.rng
    categories = {c.code: c for c in ProjectCategory.objects.all()}
    counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).order_by("path"))
    if not counties:
        return
    parks_by_county: dict[int, list[Park]] = {}
    for local in reference_parks().exclude(county=None):
        parks_by_county.setdefault(local.county_id or 0, []).append(local)
    city_parks = list(reference_parks().filter(county=None, organisation__isnull=False))
    total = 20_000 if ctx.is_province else 600
    per_county = max(1, total // len(counties))
    rows: list[Project] = []
    for county in counties:
        local_parks = parks_by_county.get(county.pk, [])
        for n in range(per_county):
            park: Park | None
            roll = rng.random()
            park = None
            if roll < 0.55:
                category = categories["industry"]
                word, industry = rng.choice(INDUSTRY_WORDS)
                if local_parks and rng.random() < 0.8:
                    park = rng.choice(local_parks)
                elif city_parks and not ctx.is_province and rng.random() < 0.3:
                    park = rng.choice(city_parks)
                name = f"{county.short_name}{word}{SUFFIXES[n % len(SUFFIXES)]}"
                investment = Decimal(rng.randrange(5_000, 500_000))
            else:
                if roll < 0.75:
                    category, word = categories["urban"], rng.choice(URBAN_WORDS)
                elif roll < 0.9:
                    category, word = categories["infrastructure"], rng.choice(INFRA_WORDS)
                else:
                    category, word = categories["livelihood"], rng.choice(LIVELIHOOD_WORDS)
                industry = ""
                name = f"{county.short_name}{word}{SUFFIXES[n % len(SUFFIXES)]}"
                investment = Decimal(rng.randrange(3_000, 300_000))
            stage = rng.choices(
                [S.PREPARATION, S.NEW, S.CONTINUING, S.COMPLETED, S.PRODUCING],
                weights=[10, 30, 40, 10, 10],
            )[0]
            level = rng.choices([L.PROVINCE, L.CITY, L.COUNTY], weights=[15, 45, 40])[0]
            rows.append(
                Project(
                    name=f"{name}（{n + 1:03d}）",
                    category=category,
                    stage=stage,
                    level=level,
                    county=county,
                    park=park,
                    total_investment=investment,
                    builder_name=f"{county.short_name}{word}有限公司（演示）",
                    industry_code=industry,
                )
            )
    Project.objects.bulk_create(rows, batch_size=1000)
    ctx.counts["projects"] = len(rows)
