"""The leaders' cockpit: the city (or one county) at a glance.

Nothing is computed here. Every figure comes from the owning module's public selector —
statistics (`stats.selectors.unit_headlines`), projects (`city_analysis`, `quarter_targets`,
`target_totals`), supervision (`chase_summary`), the ledger (`open_ageing`), tours
(`latest_published_results`) — and is shown with that module's formatting. The cockpit only
chooses which unit to show, picks that unit's row, and lays the tiles out.

Scope: the cockpit's root is the actor's scope root (a city government, or a county's for a
county leader). `?unit=<id>` narrows it to one county inside that root; anything else is 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dudao.cockpit.models import MapOutline, MapTile
from dudao.core.lights import Light
from dudao.core.numbers import format_yi
from dudao.inspections import selectors as inspections
from dudao.orgs.models import Organisation
from dudao.problems import selectors as problems
from dudao.projects import rules as project_rules
from dudao.projects import selectors as projects
from dudao.projects.selectors import TargetTotal
from dudao.stats import selectors as stats
from dudao.supervision import selectors as supervision
from dudao.targets import selectors as targets

if TYPE_CHECKING:
    from dudao.accounts.models import User

K = Organisation.Kind
# The units a cockpit can narrow to (one square each on the map).
DRILL_KINDS = (K.COUNTY_GOV,)
MAP_KINDS = (K.COUNTY_GOV, K.PARK_COMMITTEE)
DASH = "—"


# --- which unit -------------------------------------------------------------------------------


def scope_root(actor: User) -> Organisation:
    """The organisation at the top of the actor's data scope (404 without a business scope)."""
    org = actor.organisation
    if not actor.has_business_role:
        raise Http404("您没有可查看的数据范围。")
    root = Organisation.objects.filter(path=org.scope_path, is_active=True).first()
    if root is None:
        raise Http404("您没有可查看的数据范围。")
    return root


def parse_unit_id(value: Any) -> int | None:
    """`?unit=` as an id: empty → None; anything but a positive id that fits a column → 404."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12 or int(text) < 1:
        raise Http404("没有这个单位，或不在您的数据范围内。")
    return int(text)


def resolve_unit(actor: User, unit_id: int | None) -> tuple[Organisation, Organisation]:
    """(root, unit): the cockpit of the actor's scope root, or of one county inside it."""
    root = scope_root(actor)
    if unit_id is None or unit_id == root.pk:
        return root, root
    unit = (
        Organisation.objects.filter(
            pk=unit_id, kind__in=DRILL_KINDS, is_active=True, path__startswith=root.path
        )
        .exclude(pk=root.pk)
        .first()
    )
    if unit is None:
        raise Http404("没有这个单位，或不在您的数据范围内。")
    return root, unit


def default_period(today: dt.date | None = None) -> tuple[int, int]:
    """The month the cockpit reports on: the last month whose reporting deadline has passed
    (the month before the one being reported now)."""
    return projects.previous_month(*projects.reporting_period(today))


# --- tiles ------------------------------------------------------------------------------------


@dataclass
class Kpi:
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
    target_gap: str = ""
    target_light: str = ""


@dataclass
class KpiTile:
    period_label: str
    peers: int
    items: list[Kpi]
    link: str


@dataclass
class ProjectsTile:
    year: int
    month: int
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
    targets: list[TargetTotal]
    lagging: list[tuple[str, str, str, str]]  # (county, rate, lag, light) of the worst counties
    link: str


@dataclass
class TargetsTile:
    year: int
    month: int
    ranked: bool  # whether the units' ranks within their class are meaningful here
    units: list[targets.UnitStanding]  # the city: units with weak links first; a county: its own
    weak_rows: list[targets.TargetProgress]  # a county's weak target rows (at most 8)
    rows_total: int | None  # a county: its target rows and how many are weak links
    weak_total: int | None
    link: str


@dataclass
class SupervisionTile:
    open: int
    overdue: int
    escalated: int
    units: list[supervision.ChaseRow]
    link: str


@dataclass
class LedgerTile:
    ageing: problems.OpenAgeing
    link: str


@dataclass
class TourRow:
    group: str
    name: str
    score: str
    rank: int | None
    own: bool


@dataclass
class ToursTile:
    title: str
    rows: list[TourRow]
    link: str


@dataclass
class MapSquare:
    org_id: int
    name: str
    x: int
    y: int
    url: str
    metrics: dict[str, str | None]


@dataclass
class MapTileData:
    metrics: list[tuple[str, str, str]]  # (code, label, unit)
    squares: list[MapSquare]
    outline_url: str | None
    outline_no: str


@dataclass
class Cockpit:
    root: Organisation
    unit: Organisation
    generated_at: dt.datetime
    kpis: KpiTile
    projects: ProjectsTile
    targets: TargetsTile
    supervision: SupervisionTile
    ledger: LedgerTile
    tours: ToursTile | None
    map: MapTileData | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_root(self) -> bool:
        return self.unit.pk == self.root.pk

    def as_dict(self) -> dict[str, Any]:
        """The figures as the API and the wall screen take them (strings, as displayed)."""
        p = self.projects
        return {
            "unit": {"id": self.unit.pk, "name": self.unit.display_name},
            "root": {"id": self.root.pk, "name": self.root.display_name},
            "generated_at": timezone.localtime(self.generated_at).isoformat(timespec="seconds"),
            "kpis": {
                "period_label": self.kpis.period_label,
                "peers": self.kpis.peers,
                "link": self.kpis.link,
                "items": [vars(k) for k in self.kpis.items],
            },
            "projects": {
                "period": f"{p.year}-{p.month:02d}",
                "quarter": p.quarter,
                "projects": p.projects,
                "plan": p.plan,
                "done": p.done,
                "rate": p.rate,
                "elapsed": p.elapsed,
                "lag": p.lag,
                "light": p.light,
                "reached": p.reached,
                "red": p.red,
                "yellow": p.yellow,
                "targets": [
                    {"metric": t.metric, "label": t.label, "target": t.target, "actual": t.actual}
                    for t in p.targets
                ],
                "lagging": [
                    {"name": n, "rate": r, "lag": lag, "light": light}
                    for n, r, lag, light in p.lagging
                ],
                "link": p.link,
            },
            "targets": {
                "period": f"{self.targets.year}-{self.targets.month:02d}",
                "ranked": self.targets.ranked,
                "rows_total": self.targets.rows_total,
                "weak_total": self.targets.weak_total,
                "units": [
                    {
                        "name": u.unit_name,
                        "class_name": u.class_name,
                        "rank_in_class": u.rank_in_class if self.targets.ranked else None,
                        "rank_change": u.rank_change if self.targets.ranked else None,
                        "weak_links": u.weak_links,
                        "rows": u.rows,
                    }
                    for u in self.targets.units
                ],
                "weak_rows": [
                    {
                        "indicator": r.indicator_name,
                        "gap": r.gap_display,
                        "light": r.light,
                        "sentence": r.sentence,
                    }
                    for r in self.targets.weak_rows
                ],
                "link": self.targets.link,
            },
            "supervision": {
                "open": self.supervision.open,
                "overdue": self.supervision.overdue,
                "escalated": self.supervision.escalated,
                "units": [
                    {"name": u.name, "open": u.open, "overdue": u.overdue, "escalated": u.escalated}
                    for u in self.supervision.units
                ],
                "link": self.supervision.link,
            },
            "ledger": {
                "total": self.ledger.ageing.total,
                "overdue": self.ledger.ageing.overdue,
                "bands": self.ledger.ageing.bands,
                "band_totals": self.ledger.ageing.band_totals,
                "categories": [
                    {"name": n, "counts": c, "total": t}
                    for n, c, t in self.ledger.ageing.categories
                ],
                "link": self.ledger.link,
            },
            "tours": None
            if self.tours is None
            else {
                "title": self.tours.title,
                "rows": [vars(r) for r in self.tours.rows],
                "link": self.tours.link,
            },
            "map": None
            if self.map is None
            else {
                "metrics": [{"code": c, "label": lbl, "unit": u} for c, lbl, u in self.map.metrics],
                "squares": [vars(s) for s in self.map.squares],
                "outline_url": self.map.outline_url,
                "outline_no": self.map.outline_no,
            },
            **self.extra,
        }


def _pct(value: Decimal | None) -> str:
    return DASH if value is None else f"{value}%"


def _lag(value: Decimal | None) -> str:
    """The lag in 个百分点 as the projects pages write it (低/超)."""
    if value is None:
        return DASH
    return f"低{value}个百分点" if value > 0 else f"超{-value}个百分点"


def _target_of(rows: list[targets.TargetProgress]) -> dict[str, targets.TargetProgress]:
    """indicator code → the target row shown on its tile: the growth target when the sheet has
    both a level and a growth target for it (the headline tiles show 同比), else the first."""
    chosen: dict[str, targets.TargetProgress] = {}
    for r in rows:
        if r.indicator_code not in chosen or r.kind == "growth":
            chosen[r.indicator_code] = r
    return chosen


def _kpi_tile(actor: User, unit: Organisation, memo: targets.MonthMemo) -> KpiTile:
    h = stats.unit_headlines(actor, unit)
    goals: dict[str, targets.TargetProgress] = {}
    if h.period is not None and h.rows:
        goals = _target_of(
            targets.progress_for_units(
                actor,
                year=h.period.year,
                month=h.period.month,
                unit_ids=[unit.pk],
                indicator_codes=[r.indicator.code for r in h.rows],
                memo=memo,
            )
        )
    items = [
        Kpi(
            code=r.indicator.code,
            name=r.indicator.name,
            unit=r.indicator.display_unit,
            value=r.value,
            growth=r.growth,
            growth_source=r.growth_source,
            rank=r.rank if h.peers > 1 else DASH,
            share=r.share,
            months=r.months,
            series=r.series,
            note=r.note,
            target_gap=goals[r.indicator.code].gap_display if r.indicator.code in goals else "",
            target_light=goals[r.indicator.code].light if r.indicator.code in goals else "",
        )
        for r in h.rows
    ]
    # The city's cluster summary explains the catalogue, its sources and its 同比 rules.
    link = reverse("stats:summary")
    return KpiTile(h.period_label, h.peers, items, link)


def _projects_tile(
    actor: User, unit: Organisation, root: Organisation, year: int, month: int
) -> tuple[ProjectsTile, list[projects.UnitRow]]:
    a = projects.city_analysis(actor, year, month, with_ranks=False)
    quarter = project_rules.quarter_of(month)
    target_rows = projects.quarter_targets(actor, year, quarter)
    if unit.pk != root.pk or root.kind == K.COUNTY_GOV:
        row = next((r for r in a.counties if r.key == unit.pk), None)
        if row is None:
            raise Http404("没有这个单位，或不在您的数据范围内。")
        target_rows = [t for t in target_rows if t.county.pk == unit.pk]
        link = reverse("projects:county", args=[unit.pk]) + f"?period={year}-{month:02d}"
        lagging: list[tuple[str, str, str, str]] = []
    else:
        row = a.total
        link = reverse("projects:analysis") + f"?period={year}-{month:02d}"
        behind = sorted(
            (r for r in a.counties if r.progress is not None and r.progress.lag is not None),
            key=lambda r: (-(r.progress.lag or Decimal(0)), r.name),  # type: ignore[union-attr]
        )
        lagging = [
            (r.name, _pct(r.progress.rate_pct), _lag(r.progress.lag), r.progress.light.value)
            for r in behind[:5]
            if r.progress is not None and (r.progress.lag or 0) > 0
        ]
    prog = row.progress
    tile = ProjectsTile(
        year=year,
        month=month,
        quarter=quarter,
        projects=row.projects,
        plan=format_yi(row.plan),
        done=format_yi(row.done),
        rate=_pct(prog.rate_pct if prog else None),
        elapsed=_pct(prog.elapsed_pct if prog else a.elapsed_pct),
        lag=_lag(prog.lag if prog else None),
        light=(prog.light if prog else Light.GREY).value,
        reached=prog.reached if prog else "未报",
        red=row.lights.get(Light.RED.value, 0),
        yellow=row.lights.get(Light.YELLOW.value, 0),
        targets=projects.target_totals(target_rows),
        lagging=lagging,
        link=link,
    )
    return tile, a.counties


def _targets_tile(
    actor: User,
    unit: Organisation,
    root: Organisation,
    year: int,
    month: int,
    *,
    memo: targets.MonthMemo,
    with_change: bool,
) -> TargetsTile:
    """The city: 分类排队 standings, units with the most weak links first. One county: its weak
    target rows (and, for a city-wide reader, its standing in its class; a county leader's own
    scope holds no other unit of the class, so no rank is shown there). `with_change`: the rank
    change (only the API returns it); `memo` shares the month's evaluation with the KPI tile."""
    link = reverse("targets:weak_links") + f"?period={year}-{month:02d}"
    if unit.pk == root.pk and root.kind != K.COUNTY_GOV:
        standings = targets.standings(
            actor, year=year, month=month, with_change=with_change, memo=memo
        )
        units = sorted(
            (s for s in standings if s.weak_links), key=lambda s: (-s.weak_links, s.unit_name)
        )
        return TargetsTile(year, month, True, units[:10], [], None, None, link)
    own: list[targets.UnitStanding] = []
    ranked = root.kind != K.COUNTY_GOV
    if ranked:  # first: the unit's rows are then read from the whole scope's evaluation
        own = [
            s
            for s in targets.standings(
                actor, year=year, month=month, with_change=with_change, memo=memo
            )
            if s.unit_id == unit.pk
        ]
    rows = targets.progress_for_units(actor, year=year, month=month, unit_ids=[unit.pk], memo=memo)
    weak = [r for r in rows if r.weak]
    return TargetsTile(year, month, ranked, own, weak[:8], len(rows), len(weak), link)


def _supervision_tile(actor: User, unit: Organisation, root: Organisation) -> SupervisionTile:
    s = supervision.chase_summary(actor, under=None if unit.pk == root.pk else unit)
    return SupervisionTile(
        s.open, s.overdue, s.escalated, s.rows[:8], reverse("supervision:overview")
    )


def _ledger_tile(actor: User, unit: Organisation, root: Organisation) -> LedgerTile:
    county = None if unit.pk == root.pk else unit
    link = reverse("problems:list") + ("" if county is None else f"?county={county.pk}")
    return LedgerTile(problems.open_ageing(actor, county=county), link)


def _tours_tile(actor: User, unit: Organisation, root: Organisation) -> ToursTile | None:
    report = inspections.latest_published_results(actor)
    if report is None:
        return None
    own_id = None if unit.pk == root.pk and root.kind != K.COUNTY_GOV else unit.pk
    rows = [
        TourRow(
            str(group),
            r.unit.county.display_name,
            inspections.display_score(r.display),
            r.rank,
            r.unit.county_id == own_id,
        )
        for group, members in report.groups
        for r in members
    ]
    return ToursTile(report.tour.name, rows, reverse("inspections:results", args=[report.tour.pk]))


MAP_METRICS: list[tuple[str, str, str]] = [
    ("rate", "项目投资完成率", "%"),
    ("lag", "低于序时进度", "个百分点"),
    ("red", "红灯项目", "个"),
]


def _map(actor: User, root: Organisation, counties: list[projects.UnitRow]) -> MapTileData | None:
    tiles = list(
        MapTile.objects.filter(
            organisation__path__startswith=root.path,
            organisation__is_active=True,
            organisation__kind__in=MAP_KINDS,
        )
        .select_related("organisation")
        .order_by("grid_y", "grid_x")
    )
    if not tiles:
        return None
    by_county = {r.key: r for r in counties}
    squares = []
    for t in tiles:
        org = t.organisation
        row = by_county.get(org.pk)
        metrics: dict[str, str | None] = dict.fromkeys(c for c, _, _ in MAP_METRICS)
        if row is not None and row.progress is not None:
            p = row.progress
            metrics["rate"] = None if p.rate_pct is None else str(p.rate_pct)
            metrics["lag"] = None if p.lag is None else str(p.lag)
            metrics["red"] = str(row.lights.get(Light.RED.value, 0))
        if org.kind in DRILL_KINDS and org.pk != root.pk:
            url = reverse("cockpit:home") + f"?unit={org.pk}"
        elif org.pk == root.pk:
            url = reverse("cockpit:home")
        else:
            url = ""
        squares.append(MapSquare(org.pk, org.display_name, t.grid_x, t.grid_y, url, metrics))
    city = root if root.kind == K.CITY_GOV else None
    outline = (
        None
        if city is None
        else MapOutline.objects.filter(city=city, is_active=True).only("pk", "approval_no").first()
    )
    return MapTileData(
        MAP_METRICS,
        squares,
        None if outline is None else reverse("cockpit:outline", args=[outline.pk]),
        "" if outline is None else outline.approval_no,
    )


def cockpit(
    actor: User,
    unit_id: int | None = None,
    *,
    period: tuple[int, int] | None = None,
    with_rank_change: bool = True,
) -> Cockpit:
    """Every tile of the cockpit of the actor's root, or of one county inside it (404 else).
    ``with_rank_change=False`` (the page, which does not show it) skips evaluating last month's
    targets for the 分类排队 rank change; the API keeps returning it."""
    root, unit = resolve_unit(actor, unit_id)
    year, month = period or default_period()
    projects_tile, counties = _projects_tile(actor, unit, root, year, month)
    memo = targets.MonthMemo(actor)  # this request's target evaluations, each done once
    # The targets tile first: the KPI tile's target gaps are then read from its evaluation.
    targets_tile = _targets_tile(
        actor, unit, root, year, month, memo=memo, with_change=with_rank_change
    )
    return Cockpit(
        root=root,
        unit=unit,
        generated_at=timezone.now(),
        kpis=_kpi_tile(actor, unit, memo),
        projects=projects_tile,
        targets=targets_tile,
        supervision=_supervision_tile(actor, unit, root),
        ledger=_ledger_tile(actor, unit, root),
        tours=_tours_tile(actor, unit, root),
        map=_map(actor, root, counties) if unit.pk == root.pk else None,
    )


# --- the layout and the outline (admin) --------------------------------------------------------


def layout_units(actor: User) -> list[tuple[Organisation, MapTile | None]]:
    """The counties and parks of the actor's city (by the organisation tree) with their square;
    organisations are reference data every administrator may read."""
    city = layout_city(actor)
    if city is None:
        return []
    units = list(
        Organisation.objects.filter(
            path__startswith=city.path, kind__in=MAP_KINDS, is_active=True
        ).order_by("kind", "path")
    )
    tiles = {t.organisation_id: t for t in MapTile.objects.filter(organisation__in=units)}
    return [(u, tiles.get(u.pk)) for u in units]


def layout_city(actor: User) -> Organisation | None:
    """The city government above (or equal to) the actor's organisation."""
    return stats.city_of(actor.organisation)


def outlines(actor: User) -> list[MapOutline]:
    city = layout_city(actor)
    if city is None:
        return []
    return list(
        MapOutline.objects.filter(city=city)
        .select_related("uploaded_by")
        .defer("geojson")
        .order_by("-uploaded_at")
    )


def get_outline(actor: User, pk: int) -> MapOutline:
    """An outline of a city in the actor's reach (the city above or within their scope)."""
    outline = MapOutline.objects.filter(pk=pk, is_active=True).select_related("city").first()
    if outline is None:
        raise Http404("没有这个轮廓图。")
    org = actor.organisation
    if not (outline.city.path.startswith(org.scope_path) or org.path.startswith(outline.city.path)):
        raise Http404("没有这个轮廓图。")
    return outline
