"""The analysis: per county × category, per park or list — completion rate, 序时进度, lag,
lights, ranks, reporting completeness — and the quarter targets (figures from `rules`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from dudao.core.lights import Light
from dudao.core.numbers import round_half_up
from dudao.core.ranks import competition_rank, rank_changes
from dudao.core.scoping import scope_path_of
from dudao.orgs.models import Organisation
from dudao.projects.models import (
    CountyMonthStat,
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectCategory,
    ProjectList,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
    QuarterTarget,
    covers_a_county,
)
from dudao.projects.rules import (
    RATE_DECIMALS,
    Progress,
    ProjectLight,
    combine,
    elapsed_pct,
    month_end,
    months_late,
    progress,
    quarter_bounds,
    quarter_of,
)
from dudao.projects.selectors.periods import MonthFreeze, month_freeze
from dudao.projects.selectors.registry import (
    _park_scoped,
    county_choices,
    lights_for,
    visible_projects,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

S = MonthlyReport.Status
LIGHT_VALUES = tuple(Light.values)
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass
class UnitRow:
    """One unit (county, park, category or list) in the analysis."""

    key: Any
    name: str
    projects: int = 0
    plan: Decimal = ZERO
    done: Decimal = ZERO
    progress: Progress | None = None
    lights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LIGHT_VALUES, 0))
    reported: int = 0
    on_time: int = 0
    rank: int | None = None
    rank_change: int | None = None

    @property
    def report_rate(self) -> Decimal | None:
        if not self.projects:
            return None
        return round_half_up(Decimal(self.reported) * HUNDRED / self.projects, 1)

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.projects:
            return None
        return round_half_up(Decimal(self.on_time) * HUNDRED / self.projects, 1)


@dataclass
class Analysis:
    year: int
    month: int
    elapsed_pct: Decimal
    counties: list[UnitRow]
    categories: list[UnitRow]
    total: UnitRow
    cells: dict[tuple[int, int], UnitRow]
    settings: ProjectSettings


def _county_category_done(
    counties: list[int], year: int, month: int
) -> dict[tuple[int, int], Decimal]:
    rows = (
        CountyMonthStat.objects.filter(county_id__in=counties, year=year, month__lte=month)
        .values_list("county_id", "category_id")
        .annotate(s=Sum("invest"))
    )
    return {(c, k): s or ZERO for c, k, s in rows}


def _finish(rows: Iterable[UnitRow], month: int, settings: ProjectSettings) -> None:
    """Sums of 万元 amounts keep two places (SQLite sums drop the scale), then the figures."""
    for row in rows:
        row.plan = Decimal(row.plan).quantize(CENT)
        row.done = Decimal(row.done).quantize(CENT)
        row.progress = progress(row.plan, row.done, month, settings)


def _cell_lights(
    projects: QuerySet[Project],
    *,
    freeze: MonthFreeze,
    park_scoped: bool,
    county_ids: list[int],
    year: int,
    month: int,
    settings: ProjectSettings,
    with_lights: bool = True,
) -> tuple[dict[tuple[int, int], dict[str, int]], dict[int, list[int]]]:
    """Light counts per county × category of the projects that have an approved report for the
    month or a start delay; the others are grey (counted by the caller); and the reporting
    counts per county (报送率/及时率: [reported, on time]). One scan of the month's reports
    counts both in SQL (the progress lights with the thresholds of `ProjectSettings.lag_light`
    as conditions on the lag stored at approval); without `with_lights` that is all. Then only
    the projects with a start delay are combined one by one (two queries)."""
    month_reports = MonthlyReport.objects.filter(year=year, month=month)
    if park_scoped:
        month_reports = month_reports.filter(project__in=projects.values("pk"))
    else:
        month_reports = month_reports.filter(county_id__in=county_ids)
    out: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reporting: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    # the SQL form of `settings.lag_light` (the same band); a NULL lag is grey
    approved = Q(status=S.APPROVED)
    bands = settings.lag_light_q("lag")
    red, yellow, green = bands[Light.RED], bands[Light.YELLOW], bands[Light.GREEN]
    submitted = Q(first_submitted_at__isnull=False)
    for c, k, active, n_sub, n_on_time, n_red, n_yellow, n_green, n_all in (
        month_reports.values_list("county_id", "project__category_id", "project__is_active")
        .annotate(
            sub=Count("id", filter=submitted),
            on_time=Count("id", filter=submitted & Q(is_late=False)),
            r=Count("id", filter=approved & red),
            y=Count("id", filter=approved & yellow),
            g=Count("id", filter=approved & green),
            n=Count("id", filter=approved),
        )
        .order_by()
    ):
        reporting[c][0] += n_sub
        reporting[c][1] += n_on_time
        if not active or not with_lights:
            continue
        cell = out[(c, k)]
        cell[Light.RED.value] += n_red
        cell[Light.YELLOW.value] += n_yellow
        cell[Light.GREEN.value] += n_green
        cell[Light.GREY.value] += n_all - n_red - n_yellow - n_green
    if not with_lights:
        return out, reporting
    reports = MonthlyReport.objects.filter(year=year, month=month, status=S.APPROVED)
    start_node = MilestoneNode.objects.filter(role=MilestoneNode.Role.START).first()
    late = ProjectMilestone.objects.filter(
        node_id=start_node.pk if start_node else 0, planned_date__lte=month_end(year, month)
    ).filter(Q(actual_date__isnull=True) | Q(actual_date__gt=month_end(year, month)))
    if park_scoped:
        reports = reports.filter(project__in=projects.values("pk"))
        late = late.filter(project__in=projects.values("pk"))
    else:
        reports = reports.filter(county_id__in=county_ids, project__is_active=True)
        late = late.filter(
            freeze.registered("project__"),
            project__county_id__in=county_ids,
            project__is_active=True,
        )
    # projects with a start delay: their light is the worse of progress and start delay
    start_light: dict[int, tuple[tuple[int, int], Light]] = {}
    for pid, c, k, planned, actual in late.values_list(
        "project_id",
        "project__county_id",
        "project__category_id",
        "planned_date",
        "actual_date",
    ):
        start_light[pid] = ((c, k), settings.start_light(months_late(planned, actual, year, month)))
    if not start_light:
        return out, reporting
    reported: dict[int, Light] = {}
    # usually a few hundred projects: looked up by id (a subquery when there are very many)
    delayed: Any = list(start_light) if len(start_light) <= 5000 else late.values("project_id")
    for pid, c, k, lag in reports.filter(project_id__in=delayed).values_list(
        "project_id", "county_id", "project__category_id", "lag"
    ):
        light = settings.lag_light(lag)
        out[(c, k)][light.value] -= 1  # counted above by its progress light alone
        reported[pid] = light
    for pid, (key, start) in start_light.items():
        out[key][combine(reported.get(pid, Light.GREY), start).value] += 1
    return out, reporting


def city_analysis(  # noqa: PLR0912 - four aggregates folded into one table
    actor: User, year: int, month: int, *, with_ranks: bool = True, with_lights: bool = True
) -> Analysis:
    """Per county and per category: count, plan, approved year-to-date, completion rate,
    序时进度, lag and light, project lights, 报送率/及时率, county ranks with change."""
    freeze = month_freeze(year, month)
    settings = freeze.settings()
    counties = county_choices(actor)
    county_ids = [c.pk for c in counties]
    categories = list(ProjectCategory.objects.filter(is_active=True))
    park_scoped = _park_scoped(actor)
    registered = freeze.registered()
    projects: QuerySet[Project] = Project.objects.filter(
        registered, county_id__in=county_ids, is_active=True
    )
    if park_scoped:
        projects = visible_projects(actor).filter(registered, is_active=True)
    # 1. project counts and plans per county × category
    cells: dict[tuple[int, int], UnitRow] = {}
    counts = projects.values_list("county_id", "category_id").annotate(n=Count("id"))
    for c, k, n in counts:
        cells[(c, k)] = UnitRow((c, k), "", projects=n)
    plans = ProjectYearPlan.objects.filter(year=year, project__is_active=True)
    plans = (
        plans.filter(project__in=projects.values("pk"))
        if park_scoped
        else plans.filter(freeze.registered("project__"), county_id__in=county_ids)
    )
    for c, k, s in plans.values_list("county_id", "project__category_id").annotate(
        s=Sum("planned_investment")
    ):
        cells.setdefault((c, k), UnitRow((c, k), "")).plan = s or ZERO
    # 2. approved year-to-date: the roll-up (a park committee: its own projects' reports)
    if park_scoped:
        done = {
            (c, k): s or ZERO
            for c, k, s in MonthlyReport.objects.filter(
                project__in=projects.values("pk"),
                year=year,
                month__lte=month,
                status=S.APPROVED,
            )
            .values_list("county_id", "project__category_id")
            .annotate(s=Sum("invest_month"))
        }
    else:
        done = _county_category_done(county_ids, year, month)
    for key, s in done.items():
        cells.setdefault(key, UnitRow(key, "")).done = s
    # 3. reporting completeness per county and 4. project lights (from the lag stored on each
    # approved report at approval time), one scan of the month's reports
    by_cell, reporting = _cell_lights(
        projects,
        freeze=freeze,
        park_scoped=park_scoped,
        county_ids=county_ids,
        year=year,
        month=month,
        settings=settings,
        with_lights=with_lights,
    )
    if with_lights:
        for key, by_light in by_cell.items():
            cell = cells.setdefault(key, UnitRow(key, ""))
            for light, n in by_light.items():
                cell.lights[light] += n
        # Every project without a light of its own is grey, also in a cell none of whose
        # projects has an approved report or a start delay this month.
        for cell in cells.values():
            lit = sum(n for light, n in cell.lights.items() if light != Light.GREY.value)
            cell.lights[Light.GREY.value] = cell.projects - lit
    # roll cells up
    county_rows = {c.pk: UnitRow(c.pk, c.short_name or c.name) for c in counties}
    category_rows = {k.pk: UnitRow(k.pk, k.name) for k in categories}
    total = UnitRow(None, "合计")
    for (c, k), cell in cells.items():
        for target in (county_rows.get(c), category_rows.get(k), total):
            if target is None:
                continue
            target.projects += cell.projects
            target.plan += cell.plan
            target.done += cell.done
            target.reported += cell.reported
            target.on_time += cell.on_time
            for light, n in cell.lights.items():
                target.lights[light] += n
    for c, (reported, on_time) in reporting.items():
        for target in (county_rows.get(c), total):
            if target is not None:
                target.reported += reported
                target.on_time += on_time
    _finish(
        [*county_rows.values(), *category_rows.values(), total, *cells.values()], month, settings
    )
    if with_ranks:
        _rank(
            list(county_rows.values()),
            actor,
            year,
            month,
            park_scoped=park_scoped,
            settings=settings,
        )
    return Analysis(
        year,
        month,
        elapsed_pct(month),
        list(county_rows.values()),
        [r for r in category_rows.values() if r.projects],
        total,
        cells,
        settings,
    )


def _rates(rows: list[UnitRow]) -> dict[Any, Decimal]:
    return {
        r.key: r.progress.rate_pct
        for r in rows
        if r.progress is not None and r.progress.rate_pct is not None
    }


def _rank(
    rows: list[UnitRow],
    actor: User,
    year: int,
    month: int,
    *,
    park_scoped: bool,
    settings: ProjectSettings,
) -> None:
    """Competition ranks (1-2-2-4) on the completion rate; change vs the previous month (the
    same year's plans against the roll-up's approved year-to-date one month earlier)."""
    current = competition_rank(_rates(rows), decimals=RATE_DECIMALS)
    previous: dict[Any, int] = {}
    if month > 1 and park_scoped:
        before = city_analysis(actor, year, month - 1, with_ranks=False, with_lights=False)
        previous = competition_rank(_rates(before.counties), decimals=RATE_DECIMALS)
    elif month > 1:
        done: dict[int, Decimal] = defaultdict(Decimal)
        for (c, _k), amount in _county_category_done(
            [r.key for r in rows], year, month - 1
        ).items():
            done[c] += amount
        earlier = [
            UnitRow(row.key, row.name, plan=row.plan, done=done.get(row.key, ZERO)) for row in rows
        ]
        _finish(earlier, month - 1, settings)
        previous = competition_rank(_rates(earlier), decimals=RATE_DECIMALS)
    changes = rank_changes(previous, current)
    for row in rows:
        row.rank = current.get(row.key)
        change = changes.get(row.key)
        row.rank_change = change.gain if change else None


def group_analysis(actor: User, year: int, month: int, by: str) -> list[UnitRow]:
    """Per park or per named list (projects may belong to several lists)."""
    freeze = month_freeze(year, month)
    settings = freeze.settings()
    projects = visible_projects(actor).filter(freeze.registered(), is_active=True)
    if by == "park":
        key, names = "park_id", {p.pk: p.name for p in _parks(projects)}
    else:
        key = "lists__id"
        names = {x.pk: x.name for x in ProjectList.objects.filter(year=year)}
    rows = {k: UnitRow(k, name) for k, name in names.items()}
    for k, n in (
        projects.filter(**{f"{key}__in": list(rows)})
        .values_list(key)
        .annotate(n=Count("id", distinct=True))
    ):
        rows[k].projects = n
    plan_key = "project__" + key
    for k, s in (
        ProjectYearPlan.objects.filter(
            project__in=projects.values("pk"), year=year, **{f"{plan_key}__in": list(rows)}
        )
        .values_list(plan_key)
        .annotate(s=Sum("planned_investment"))
    ):
        rows[k].plan = s or ZERO
    for k, s in (
        MonthlyReport.objects.filter(
            project__in=projects.values("pk"),
            year=year,
            month__lte=month,
            status=S.APPROVED,
            **{f"{plan_key}__in": list(rows)},
        )
        .values_list(plan_key)
        .annotate(s=Sum("invest_month"))
    ):
        rows[k].done = s or ZERO
    members = projects.filter(**{f"{key}__in": list(rows)}).values_list("pk", key)
    member_list = list(members)
    lights = lights_for(projects.filter(pk__in=[p for p, _ in member_list]), year, month, settings)
    for pid, k in member_list:
        rows[k].lights[lights[pid].light.value] += 1
    result = [r for r in rows.values() if r.projects]
    _finish(result, month, settings)
    ranks = competition_rank(_rates(result), decimals=RATE_DECIMALS)
    for r in result:
        r.rank = ranks.get(r.key)
    return result


def _parks(projects: QuerySet[Project]) -> list[Park]:
    from dudao.parks.selectors import reference_parks

    return list(reference_parks().filter(pk__in=projects.exclude(park=None).values("park_id")))


@dataclass
class TargetRow:
    county: Organisation
    metric: str
    label: str
    target: int | None
    actual: int

    @property
    def shortfall(self) -> int:
        return max(0, (self.target or 0) - self.actual)


def quarter_targets(actor: User, year: int, quarter: int) -> list[TargetRow]:
    """新开工/竣工/投产 counts per county in the quarter (actual milestone dates) vs target."""
    counties = county_choices(actor)
    first, last = quarter_bounds(year, quarter)
    actual: dict[tuple[int, str], int] = defaultdict(int)
    rows = (
        ProjectMilestone.objects.filter(
            project__in=visible_projects(actor).values("pk"),
            actual_date__gte=first,
            actual_date__lt=last,
            node__role__in=QuarterTarget.Metric.values,
        )
        .values_list("project__county_id", "node__role")
        .annotate(n=Count("id"))
    )
    for c, role, n in rows:
        actual[(c, role)] = n
    # Targets are set per county: shown only against a county's actuals. A park committee
    # (which sees its own projects' actuals, not the county's) sees no county target.
    path = scope_path_of(actor)
    targets = (
        {
            (t.county_id, t.metric): t.target
            for t in QuarterTarget.objects.filter(county__in=counties, year=year, quarter=quarter)
        }
        if path is not None and covers_a_county(actor, path)
        else {}
    )
    return [
        TargetRow(c, metric, label, targets.get((c.pk, metric)), actual[(c.pk, metric)])
        for c in counties
        for metric, label in QuarterTarget.Metric.choices
    ]


@dataclass(frozen=True)
class TargetTotal:
    """One quarter metric over several counties: the targets set (None when no county has one)
    and the actual count."""

    metric: str
    label: str
    target: int | None
    actual: int


def target_totals(rows: Iterable[TargetRow]) -> list[TargetTotal]:
    """Sum `quarter_targets` rows per metric (in the metrics' order): the city line of the
    quarter's 新开工/竣工/投产 table."""
    targets: dict[str, int | None] = {}
    actuals: dict[str, int] = {}
    labels: dict[str, str] = {}
    for row in rows:
        labels[row.metric] = row.label
        actuals[row.metric] = actuals.get(row.metric, 0) + row.actual
        if row.target is not None:
            targets[row.metric] = (targets.get(row.metric) or 0) + row.target
        else:
            targets.setdefault(row.metric, None)
    return [
        TargetTotal(metric, label, targets.get(metric), actuals[metric])
        for metric, label in QuarterTarget.Metric.choices
        if metric in labels
    ]


@dataclass
class AnalysisPage:
    """What the analysis page shows for a month: the county table (or the park/list groups),
    序时进度 and the quarter's targets."""

    year: int
    month: int
    by: str
    elapsed_pct: Decimal
    quarter: int
    targets: list[TargetRow]
    a: Analysis | None = None
    groups: list[UnitRow] | None = None
    categories: list[ProjectCategory] = field(default_factory=list)


def analysis_page(actor: User, year: int, month: int, by: str) -> AnalysisPage:
    """The analysis by county (default), by park or by list, with the quarter's targets."""
    quarter = quarter_of(month)
    page = AnalysisPage(
        year,
        month,
        by,
        elapsed_pct(month),
        quarter,
        quarter_targets(actor, year, quarter),
    )
    if by in ("park", "list"):
        page.groups = group_analysis(actor, year, month, by)
    else:
        page.a = city_analysis(actor, year, month)
        page.categories = list(ProjectCategory.objects.filter(is_active=True))
    return page


@dataclass
class CountyOverview:
    """One county: its row of the analysis, its cells by category, laggards and targets."""

    county: Organisation
    row: UnitRow
    cells: list[tuple[ProjectCategory, UnitRow | None]]
    a: Analysis
    laggards: list[tuple[Project, ProjectLight]]
    targets: list[TargetRow]
    quarter: int


def county_overview(actor: User, pk: int, year: int, month: int) -> CountyOverview | None:
    """The county's overview, or None when the county is not in the actor's scope."""
    county = next((c for c in county_choices(actor) if c.pk == pk), None)
    if county is None:
        return None
    a = city_analysis(actor, year, month)
    row = next(r for r in a.counties if r.key == pk)
    cells = [
        (cat, a.cells.get((pk, cat.pk))) for cat in ProjectCategory.objects.filter(is_active=True)
    ]
    projects = list(
        visible_projects(actor).filter(county_id=pk, is_active=True).select_related("category")
    )
    lights = lights_for(projects, year, month, a.settings)
    laggards = sorted(
        (p for p in projects if lights[p.pk].light in (Light.RED, Light.YELLOW)),
        key=lambda p: (-Light(lights[p.pk].light).severity, p.name),
    )[:50]
    quarter = quarter_of(month)
    return CountyOverview(
        county,
        row,
        cells,
        a,
        [(p, lights[p.pk]) for p in laggards],
        [t for t in quarter_targets(actor, year, quarter) if t.county.pk == pk],
        quarter,
    )
