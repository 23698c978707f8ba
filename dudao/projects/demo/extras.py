"""Demo texts (problems, next steps, progress phrases), the project lists and the quarterly
targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from dudao.demo.registry import DemoContext
from dudao.projects.demo.registry import L, S
from dudao.projects.models import Project


def _json(value: Any) -> str | None:
    """JSON as text: SQLite stores it so, and COPY lets PostgreSQL parse it into jsonb."""
    import json

    return None if value is None else json.dumps(value)


PROBLEMS = [
    "用地指标尚未落实，影响二期开工",
    "环评批复延迟，设备进场推迟",
    "融资未到位，施工进度放缓",
    "临时用电增容未完成",
    "征迁剩余3户未签约",
]
NEXT_STEPS = [
    "加快主体施工，确保按节点推进",
    "协调供电部门完成增容",
    "推进设备采购和安装调试",
    "做好冬季施工组织",
    "对接金融机构落实贷款",
]


def _progress_text(rng: Any, dates: dict[str, tuple[Any, Any]], y: int, m: int) -> str:
    at = date(y, m, 28)
    reached = [c for c, (_, a) in dates.items() if a and a <= at]
    if "PRODUCE" in reached:
        return "已投产，产能逐步释放"
    if "COMPLETE" in reached:
        return "已竣工验收，试生产准备中"
    if "MAIN" in reached:
        return str(rng.choice(["主体完工，设备安装中", "主体封顶，内部装修中"]))
    if "START" in reached:
        return str(rng.choice(["基础施工", "主体施工中", "钢结构吊装中"]))
    return str(rng.choice(["前期手续办理中", "施工图设计审查中", "土地组卷报批中"]))


def _lists_and_targets(
    *,
    ctx: DemoContext,
    projects: list[Project],
    py: int,
    pm: int,
    milestones: list[tuple[Any, ...]],
    nodes: dict[str, Any],
) -> None:
    from collections import Counter

    from dudao.projects.models import ProjectList, QuarterTarget

    rng = ctx.rng
    lists = {
        "province": ProjectList.objects.create(
            code=f"SZD{py}", name=f"省重点{py}", year=py, sort_order=1
        ),
        "city": ProjectList.objects.create(
            code=f"SZ{py}", name=f"市重点{py}", year=py, sort_order=2
        ),
        "tour": ProjectList.objects.create(
            code=f"GM{py}H1", name=f"观摩{py}上半年", year=py, sort_order=3
        ),
    }
    through = Project.lists.through
    rows = []
    for p in projects:
        if p.level == L.PROVINCE:
            rows.append(through(project_id=p.pk, projectlist_id=lists["province"].pk))
        if p.level in (L.PROVINCE, L.CITY):
            rows.append(through(project_id=p.pk, projectlist_id=lists["city"].pk))
    # the speech's tour: 61 industrial and 24 urban projects
    industry = [p for p in projects if p.category.code == "industry" and p.stage != S.PREPARATION]
    urban = [p for p in projects if p.category.code == "urban" and p.stage != S.PREPARATION]
    for p in rng.sample(industry, min(61, len(industry))) + rng.sample(urban, min(24, len(urban))):
        rows.append(through(project_id=p.pk, projectlist_id=lists["tour"].pk))
    through.objects.bulk_create(rows, batch_size=5000)
    # quarterly targets: the planned starts/completions/productions of each quarter
    role_of = {
        nodes["START"].pk: "start",
        nodes["COMPLETE"].pk: "complete",
        nodes["PRODUCE"].pk: "produce",
    }
    county_of = {p.pk: p.county_id for p in projects}
    planned: Counter[tuple[int, int, str]] = Counter()
    for pid, node_id, planned_date, _ in milestones:
        if node_id in role_of and planned_date and planned_date.year == py:
            planned[(county_of[pid], (planned_date.month - 1) // 3 + 1, role_of[node_id])] += 1
    targets = [
        QuarterTarget(
            county_id=c,
            year=py,
            quarter=q,
            metric=metric,
            target=max(1, n + rng.choice([-1, 0, 0, 1])),
        )
        for (c, q, metric), n in planned.items()
    ]
    QuarterTarget.objects.bulk_create(targets, batch_size=2000)
