"""/api/v1/cockpit: the same figures as the cockpit page, as the page shows them (strings)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from dudao.cockpit import selectors
from dudao.core.http import AuthedHttpRequest
from dudao.projects.selectors import api_period

router = Router(tags=["领导驾驶舱"])


class CockpitUnitOut(Schema):
    id: int
    name: str


class KpiOut(Schema):
    code: str
    name: str
    unit: str
    value: str
    growth: str
    growth_source: str
    rank: str
    share: str
    months: list[str]
    series: list[str]
    note: str
    target_gap: str
    target_light: str


class KpisOut(Schema):
    period_label: str
    peers: int
    link: str
    items: list[KpiOut]


class CockpitTargetOut(Schema):
    metric: str
    label: str
    target: int | None
    actual: int


class LaggingOut(Schema):
    name: str
    rate: str
    lag: str
    light: str


class ProjectsOut(Schema):
    period: str
    quarter: int
    projects: int
    plan: str
    done: str
    rate: str
    elapsed: str
    lag: str
    light: str
    reached: str
    red: int
    yellow: int
    targets: list[CockpitTargetOut]
    lagging: list[LaggingOut]
    link: str


class CockpitStandingOut(Schema):
    name: str
    class_name: str
    rank_in_class: int | None
    rank_change: int | None
    weak_links: int
    rows: int


class WeakRowOut(Schema):
    indicator: str
    gap: str
    light: str
    sentence: str


class TargetsOut(Schema):
    period: str
    ranked: bool
    rows_total: int | None
    weak_total: int | None
    units: list[CockpitStandingOut]
    weak_rows: list[WeakRowOut]
    link: str


class ChaseOut(Schema):
    name: str
    open: int
    overdue: int
    escalated: int


class SupervisionOut(Schema):
    open: int
    overdue: int
    escalated: int
    units: list[ChaseOut]
    link: str


class CategoryAgeOut(Schema):
    name: str
    counts: list[int]
    total: int


class LedgerOut(Schema):
    total: int
    overdue: int
    bands: list[str]
    band_totals: list[int]
    categories: list[CategoryAgeOut]
    link: str


class TourRowOut(Schema):
    group: str
    name: str
    score: str
    rank: int | None
    own: bool


class ToursOut(Schema):
    title: str
    rows: list[TourRowOut]
    link: str


class MetricOut(Schema):
    code: str
    label: str
    unit: str


class SquareOut(Schema):
    org_id: int
    name: str
    x: int
    y: int
    url: str
    metrics: dict[str, str | None]


class MapOut(Schema):
    metrics: list[MetricOut]
    squares: list[SquareOut]
    outline_url: str | None
    outline_no: str


class CockpitOut(Schema):
    unit: CockpitUnitOut
    root: CockpitUnitOut
    generated_at: str
    kpis: KpisOut
    projects: ProjectsOut
    targets: TargetsOut
    supervision: SupervisionOut
    ledger: LedgerOut
    tours: ToursOut | None
    map: MapOut | None


@router.get(
    "/cockpit",
    response=CockpitOut,
    url_name="cockpit",
    summary="领导驾驶舱：本市（或某县）的主要指标、项目、年度目标、督查、台账和观摩排名",
    description=(
        "unit 为空时是调用者数据范围的顶层单位（市或县），否则为范围内某县的组织 id；"
        "范围外或不存在的单位返回 404。period 为项目和年度目标的月份"
        "（YYYY-MM，默认最近一个已截止填报的月份），格式不对返回 400。所有数字与页面显示一致。"
    ),
)
def cockpit(
    request: AuthedHttpRequest, unit: str | None = None, period: str | None = None
) -> dict[str, Any]:
    unit_id = selectors.parse_unit_id(unit)
    chosen = api_period(period) if (period or "").strip() else None
    return selectors.cockpit(request.user, unit_id, period=chosen).as_dict()
