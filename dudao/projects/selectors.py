"""Reads of 重大项目, always from the user's scope; the progress figures and lights.

Figures (documented in docs/projects.md):
* 年度投资完成率 = 已审核年内累计完成投资 ÷ 年度计划投资 × 100, shown with 2 decimals (half-up);
* 序时进度 = N ÷ 12 × 100 (or the plan's monthly cumulative curve ÷ annual plan × 100), 2 decimals;
* 滞后 = 序时进度 − 完成率 in 个百分点, from the displayed (rounded) rates;
* lights from `ProjectSettings` thresholds through `dudao.core.lights.band`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.core.lights import Light
from dudao.orgs.models import Organisation
from dudao.projects.figures import (
    RATE_DECIMALS,
    Progress,
    ProjectLight,
    combine,
    elapsed_pct,
    months_late,
    progress,
    project_light,
)
from dudao.projects.models import (
    CountyMonthStat,
    MilestoneNode,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectCategory,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
    QuarterTarget,
)
from dudao.projects.services import report_deadline
from dudao.stats.engine import competition_rank, rank_changes, round_half_up

S = MonthlyReport.Status
LIGHT_VALUES = tuple(Light.values)
ZERO = Decimal("0")
HUNDRED = Decimal("100")


# --- periods ----------------------------------------------------------------------------------


def reporting_period(today: date | None = None) -> tuple[int, int]:
    """The month being reported now: last month until its deadline has passed, then this one."""
    today = today or timezone.localdate()
    prev = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    if today <= report_deadline(*prev).due:
        return prev
    return today.year, today.month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def parse_period(value: str | None, default: tuple[int, int] | None = None) -> tuple[int, int]:
    """'2026-07' → (2026, 7); anything else → the default (the reporting period)."""
    try:
        y, m = (int(x) for x in (value or "").split("-", 1))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    return default or reporting_period()


# --- projects ---------------------------------------------------------------------------------


@dataclass
class ProjectFilters:
    county: int | None = None
    park: int | None = None
    category: int | None = None
    stage: str = ""
    level: str = ""
    list: int | None = None
    light: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> ProjectFilters:
        def num(key: str) -> int | None:
            value = str(data.get(key, "") or "")
            return int(value) if value.isdigit() else None

        return cls(
            county=num("county"),
            park=num("park"),
            category=num("category"),
            stage=str(data.get("stage", "") or ""),
            level=str(data.get("level", "") or ""),
            list=num("list"),
            light=str(data.get("light", "") or ""),
            q=str(data.get("q", "") or "").strip()[:50],
        )


def visible_projects(actor: Any) -> QuerySet[Project]:
    return Project.objects.visible_to(actor)


def filter_projects(actor: Any, f: ProjectFilters, year: int, month: int) -> QuerySet[Project]:
    qs = visible_projects(actor).filter(is_active=True)
    if f.county:
        qs = qs.filter(county_id=f.county)
    if f.park:
        qs = qs.filter(park_id=f.park)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.list:
        qs = qs.filter(lists=f.list)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(code__icontains=f.q))
    if f.light in Light.values:
        ids = [pk for pk, light in lights_for(qs, year, month).items() if light.light == f.light]
        qs = qs.filter(pk__in=ids)
    return qs.select_related("county", "category", "park").order_by("county__path", "name", "pk")


def _start_dates(project_ids: Iterable[int] | QuerySet[Any]) -> dict[int, tuple[Any, Any]]:
    return {
        pid: (planned, actual)
        for pid, planned, actual in ProjectMilestone.objects.filter(
            project_id__in=project_ids, node__role=MilestoneNode.Role.START
        ).values_list("project_id", "planned_date", "actual_date")
    }


def lights_for(
    projects: QuerySet[Project] | list[Project],
    year: int,
    month: int,
    settings: ProjectSettings | None = None,
) -> dict[int, ProjectLight]:
    """The light of every project in `projects` at the end of year-month (4 queries)."""
    settings = settings or ProjectSettings.current()
    if isinstance(projects, list):
        ids: Any = [p.pk for p in projects]
    else:
        ids = projects.values("pk")
    plans = {
        pid: (amount, curve)
        for pid, amount, curve in ProjectYearPlan.objects.filter(
            project_id__in=ids, year=year
        ).values_list("project_id", "planned_investment", "curve")
    }
    done = dict(
        MonthlyReport.objects.filter(
            project_id__in=ids, year=year, month=month, status=S.APPROVED
        ).values_list("project_id", "invest_ytd")
    )
    starts = _start_dates(ids)
    pids = (
        [p.pk for p in projects]
        if isinstance(projects, list)
        else list(projects.values_list("pk", flat=True))
    )
    out: dict[int, ProjectLight] = {}
    for pid in pids:
        amount, curve = plans.get(pid, (None, None))
        planned, actual = starts.get(pid, (None, None))
        out[pid] = project_light(
            plan=amount,
            done=done.get(pid),
            curve=curve,
            planned_start=planned,
            actual_start=actual,
            year=year,
            month=month,
            settings=settings,
        )
    return out


def get_project(actor: Any, pk: int) -> Project:
    return get_object_or_404(
        visible_projects(actor).select_related("county", "category", "park"), pk=pk
    )


def project_history(project: Project) -> list[MonthlyReport]:
    return list(project.reports.select_related("node", "reviewed_by").order_by("-year", "-month"))


def project_chart(project: Project, year: int, settings: ProjectSettings) -> dict[str, Any]:
    """Plan-vs-actual cumulative investment by month (ECharts data)."""
    plan = ProjectYearPlan.objects.filter(project=project, year=year).first()
    reports = {r.month: r for r in project.reports.filter(year=year).order_by("month")}
    months = list(range(1, 13))
    planned: list[str | None] = []
    actual: list[str | None] = []
    approved: list[str | None] = []
    for m in months:
        if plan and plan.planned_investment > 0:
            value = plan.planned_cumulative(m)
            if value is None:
                value = plan.planned_investment * Decimal(m) / Decimal(12)
            planned.append(str(round_half_up(value, 2)))
        else:
            planned.append(None)
        r = reports.get(m)
        actual.append(str(r.invest_ytd) if r else None)
        approved.append(str(r.invest_ytd) if r and r.status == S.APPROVED else None)
    return {
        "year": year,
        "months": [f"{m}月" for m in months],
        "planned": planned,
        "reported": actual,
        "approved": approved,
    }


def milestone_timeline(project: Project) -> list[dict[str, Any]]:
    rows = {m.node_id: m for m in project.milestones.all()}
    out = []
    for node in MilestoneNode.objects.filter(is_active=True).order_by("sort_order"):
        m = rows.get(node.pk)
        planned = m.planned_date if m else None
        actual = m.actual_date if m else None
        late = bool(planned and (actual or timezone.localdate()) > planned)
        out.append({"node": node, "planned": planned, "actual": actual, "late": late})
    return out


# --- the monthly grid and "due for me" ---------------------------------------------------------


@dataclass
class GridRow:
    project: Project
    report: MonthlyReport | None
    last: MonthlyReport | None
    plan: ProjectYearPlan | None
    locked: bool = False

    node_choices: tuple[tuple[int, str], ...] = ()
    options_html: str | None = None  # the node <option>s without a selection, once per page

    @property
    def disabled(self) -> str:
        """The HTML attribute that makes the row's inputs read-only ('' when editable)."""
        return "" if self.editable else " disabled"

    @property
    def editable(self) -> bool:
        return not self.locked and (
            self.report is None or self.report.status in (S.DRAFT, S.RETURNED)
        )


def grid_rows(
    actor: Any, year: int, month: int, county: int | None = None, only: int | None = None
) -> list[GridRow]:
    """Every active project in scope with this month's report, last month's and the plan
    (4 queries whatever the number of projects)."""
    projects = list(
        visible_projects(actor)
        .filter(is_active=True)
        .select_related("category")
        .order_by("county__path", "name", "pk")
        .filter(**({"county_id": county} if county else {}))
        .filter(**({"pk": only} if only else {}))
    )
    ids = [p.pk for p in projects]
    py, pm = previous_month(year, month)
    reports = {
        (r.project_id, r.year, r.month): r
        for r in MonthlyReport.objects.filter(project_id__in=ids).filter(
            Q(year=year, month=month) | Q(year=py, month=pm)
        )
    }
    plans = {p.project_id: p for p in ProjectYearPlan.objects.filter(project_id__in=ids, year=year)}
    locks = set(
        MonthLock.objects.filter(year=year, month=month, is_active=True).values_list(
            "county_id", flat=True
        )
    )
    choices = tuple(
        MilestoneNode.objects.filter(is_active=True)
        .order_by("sort_order")
        .values_list("pk", "name")
    )
    return [
        GridRow(
            p,
            reports.get((p.pk, year, month)),
            reports.get((p.pk, py, pm)),
            plans.get(p.pk),
            locked=None in locks or p.county_id in locks,
            node_choices=choices,
        )
        for p in projects
    ]


def due_summary(actor: Any, year: int, month: int) -> dict[str, Any]:
    """What is due this month for a reporter (to fill/submit) or a reviewer (to approve)."""
    projects = visible_projects(actor).filter(is_active=True)
    total = projects.count()
    by_status = dict(
        MonthlyReport.objects.filter(project__in=projects.values("pk"), year=year, month=month)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    deadline = report_deadline(year, month)
    locked = MonthLock.objects.filter(year=year, month=month, is_active=True).exists()
    waiting = (
        MonthlyReport.objects.visible_to(actor)
        .filter(status=S.SUBMITTED)
        .select_related("project", "county")
        .order_by("year", "month", "project__name")[:200]
    )
    returned = (
        MonthlyReport.objects.visible_to(actor)
        .filter(status=S.RETURNED)
        .select_related("project")
        .order_by("year", "month")[:200]
    )
    missing = total - sum(by_status.values())
    return {
        "year": year,
        "month": month,
        "deadline": deadline,
        "days_left": (deadline.due - timezone.localdate()).days,
        "days_overdue": max(0, (timezone.localdate() - deadline.due).days),
        "total": total,
        "missing": missing,
        "draft": by_status.get(S.DRAFT, 0),
        "submitted": by_status.get(S.SUBMITTED, 0),
        "returned_count": by_status.get(S.RETURNED, 0),
        "approved": by_status.get(S.APPROVED, 0),
        "waiting": list(waiting),
        "returned": list(returned),
        "locked": locked,
    }


# --- the analysis -----------------------------------------------------------------------------


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


CENT = Decimal("0.01")


def _finish(rows: Iterable[UnitRow], month: int, settings: ProjectSettings) -> None:
    """Sums of 万元 amounts keep two places (SQLite sums drop the scale), then the figures."""
    for row in rows:
        row.plan = Decimal(row.plan).quantize(CENT)
        row.done = Decimal(row.done).quantize(CENT)
        row.progress = progress(row.plan, row.done, month, settings)


def _park_scoped(actor: Any) -> bool:
    """True for park committees: they see their park's projects, not whole counties."""
    from dudao.core.scoping import scope_path_of
    from dudao.projects.models import covers_a_county

    path = scope_path_of(actor)
    return path is not None and not covers_a_county(actor, path)


def county_choices(actor: Any) -> list[Organisation]:
    """Counties of the actor's scope (a park committee: the counties of its park's projects)."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV, is_active=True)
    if _park_scoped(actor):
        qs = qs.filter(pk__in=visible_projects(actor).values("county_id"))
    else:
        qs = qs & Organisation.objects.visible_to(actor)
    return list(qs.order_by("sort_order", "path"))


def _cell_lights(
    projects: QuerySet[Project],
    *,
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
    from dudao.projects.services import month_end

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
        late = late.filter(project__county_id__in=county_ids, project__is_active=True)
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
    actor: Any, year: int, month: int, *, with_ranks: bool = True, with_lights: bool = True
) -> Analysis:
    """Per county and per category: count, plan, approved year-to-date, completion rate,
    序时进度, lag and light, project lights, 报送率/及时率, county ranks with change."""
    settings = ProjectSettings.current()
    counties = county_choices(actor)
    county_ids = [c.pk for c in counties]
    categories = list(ProjectCategory.objects.filter(is_active=True))
    park_scoped = _park_scoped(actor)
    projects: QuerySet[Project] = Project.objects.filter(county_id__in=county_ids, is_active=True)
    if park_scoped:
        projects = visible_projects(actor).filter(is_active=True)
    # 1. project counts and plans per county × category
    cells: dict[tuple[int, int], UnitRow] = {}
    counts = projects.values_list("county_id", "category_id").annotate(n=Count("id"))
    for c, k, n in counts:
        cells[(c, k)] = UnitRow((c, k), "", projects=n)
    plans = ProjectYearPlan.objects.filter(year=year, project__is_active=True)
    plans = (
        plans.filter(project__in=projects.values("pk"))
        if park_scoped
        else plans.filter(county_id__in=county_ids)
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
        _rank(list(county_rows.values()), actor, year, month, park_scoped=park_scoped)
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


def _rank(rows: list[UnitRow], actor: Any, year: int, month: int, *, park_scoped: bool) -> None:
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
        _finish(earlier, month - 1, ProjectSettings.current())
        previous = competition_rank(_rates(earlier), decimals=RATE_DECIMALS)
    changes = rank_changes(previous, current)
    for row in rows:
        row.rank = current.get(row.key)
        change = changes.get(row.key)
        row.rank_change = change.gain if change else None


def group_analysis(actor: Any, year: int, month: int, by: str) -> list[UnitRow]:
    """Per park or per named list (projects may belong to several lists)."""
    settings = ProjectSettings.current()
    projects = visible_projects(actor).filter(is_active=True)
    if by == "park":
        key, names = "park_id", {p.pk: p.name for p in _parks(projects)}
    else:
        key = "lists__id"
        from dudao.projects.models import ProjectList

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


def _parks(projects: QuerySet[Project]) -> list[Any]:
    from dudao.parks.models import Park

    return list(Park.objects.filter(pk__in=projects.exclude(park=None).values("park_id")))


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


def quarter_targets(actor: Any, year: int, quarter: int) -> list[TargetRow]:
    """新开工/竣工/投产 counts per county in the quarter (actual milestone dates) vs target."""
    counties = county_choices(actor)
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
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
    targets = {
        (t.county_id, t.metric): t.target
        for t in QuarterTarget.objects.filter(county__in=counties, year=year, quarter=quarter)
    }
    return [
        TargetRow(c, metric, label, targets.get((c.pk, metric)), actual[(c.pk, metric)])
        for c in counties
        for metric, label in QuarterTarget.Metric.choices
    ]


def active_locks(actor: Any, year: int, month: int) -> list[MonthLock]:
    counties = Organisation.objects.visible_to(actor).values("pk")
    return list(
        MonthLock.objects.filter(year=year, month=month, is_active=True)
        .filter(Q(county__isnull=True) | Q(county__in=counties))
        .select_related("county", "locked_by")
    )


def recent_locks(actor: Any) -> list[MonthLock]:
    counties = Organisation.objects.visible_to(actor).values("pk")
    return list(
        MonthLock.objects.filter(Q(county__isnull=True) | Q(county__in=counties)).select_related(
            "county", "locked_by", "unlocked_by"
        )[:50]
    )


def get_report(actor: Any, pk: int) -> MonthlyReport:
    return get_object_or_404(
        MonthlyReport.objects.visible_to(actor).select_related("project", "county", "node"),
        pk=pk,
    )
