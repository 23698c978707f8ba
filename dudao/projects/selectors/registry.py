"""Reads of the project registry: the list with its filters, one project, its lights,
history, chart and timeline, and the parks a user may pick."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import router
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, NullIf
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.core.lights import Light
from dudao.core.numbers import round_half_up
from dudao.core.precompiled import Precompiled
from dudao.orgs.models import Organisation
from dudao.projects.models import (
    MilestoneNode,
    MonthlyReport,
    Project,
    ProjectCategory,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
    ReportPhoto,
)
from dudao.projects.rules import (
    ProjectLight,
    project_light,
)
from dudao.projects.selectors.periods import month_settings, reporting_period

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

S = MonthlyReport.Status
LIGHT_VALUES = tuple(Light.values)
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


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


def active_categories() -> QuerySet[ProjectCategory]:
    """The project categories a new project may take (for modules that register projects)."""
    return ProjectCategory.objects.filter(is_active=True)


def visible_projects(actor: User) -> QuerySet[Project]:
    return Project.objects.visible_to(actor)


def filter_projects(
    actor: User, f: ProjectFilters, year: int | None, month: int | None
) -> QuerySet[Project]:
    """The list's projects, ordered by county (its path), name, id. The month only matters
    to the light filter: without one (None) the reporting period is worked out only when
    that filter is used. Within one county the order is by name and id, which the
    county-first indexes serve without a sort of the whole county."""
    return filter_within(visible_projects(actor), f, year, month)


def filter_within(
    projects: QuerySet[Project], f: ProjectFilters, year: int | None, month: int | None
) -> QuerySet[Project]:
    """`filter_projects`' filters and order applied to a set of projects (a scope)."""
    qs = projects.filter(is_active=True)
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
        if year is None or month is None:
            year, month = reporting_period()
        ids = [pk for pk, light in lights_for(qs, year, month).items() if light.light == f.light]
        qs = qs.filter(pk__in=ids)
    order = ("name", "pk") if f.county else ("county__path", "name", "pk")
    return qs.select_related("county", "category", "park").order_by(*order)


# The registry list's sortable columns (URL key → ORM fields), for dudao.core.listing.
PROJECT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "county": ("county__sort_order", "county__path"),
    "category": ("category__sort_order", "category__name"),
    "stage": ("stage",),
    "level": ("level",),
    "total": ("total_investment",),
    "plan": ("sort_plan",),
    "done": ("sort_done",),
    "rate": ("sort_rate",),
}


def with_sort_figures(qs: QuerySet[Project], year: int, month: int) -> QuerySet[Project]:
    """Annotate the figures the registry list sorts by: the year's plan, the approved 年内累计
    of the month and their ratio (the same inputs `lights_for` reads)."""
    plan = ProjectYearPlan.objects.filter(project=OuterRef("pk"), year=year).values(
        "planned_investment"
    )[:1]
    done = MonthlyReport.objects.filter(
        project=OuterRef("pk"), year=year, month=month, status=S.APPROVED
    ).values("invest_ytd")[:1]
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)
    return qs.annotate(
        sort_plan=Subquery(plan, output_field=money),
        sort_done=Subquery(done, output_field=money),
    ).annotate(
        # order only (never shown): a float ratio, as SQLite divides stored integers as integers
        sort_rate=ExpressionWrapper(
            Cast("sort_done", FloatField()) / NullIf(Cast("sort_plan", FloatField()), 0.0),
            output_field=FloatField(),
        )
    )


def _plans_q(shape: tuple[int, int], ids: Any) -> QuerySet[Any]:
    return ProjectYearPlan.objects.filter(project_id__in=ids, year=shape[1]).values_list(
        "project_id", "planned_investment", "curve"
    )


def _done_q(shape: tuple[int, int, int], ids: Any) -> QuerySet[Any]:
    _n, year, month = shape
    return MonthlyReport.objects.filter(
        project_id__in=ids, year=year, month=month, status=S.APPROVED
    ).values_list("project_id", "invest_ytd")


def _starts_q(shape: object, ids: Any) -> QuerySet[Any]:
    return ProjectMilestone.objects.filter(
        project_id__in=ids, node__role=MilestoneNode.Role.START
    ).values_list("project_id", "planned_date", "actual_date")


# The three reads of `lights_for` for a list of ids, compiled once per number of ids (a page)
# and month. The year and month belong to the shape, not the parameters: they are small
# integer columns, whose lookups the ORM range-checks against the sentinel values.
_PLANS, _DONE, _STARTS = Precompiled(_plans_q), Precompiled(_done_q), Precompiled(_starts_q)


def lights_for(
    projects: QuerySet[Project] | list[Project] | list[int],
    year: int,
    month: int,
    settings: ProjectSettings | None = None,
    *,
    done_override: dict[int, Decimal] | None = None,
) -> dict[int, ProjectLight]:
    """The light of every project in `projects` (or of these ids) at the end of year-month
    (4 queries; a locked month keeps the thresholds it was locked with).

    `done_override` (project id → 年内累计) replaces the approved figure — the review queue
    shows the light a submitted report would give once approved."""
    settings = settings or month_settings(year, month)
    if isinstance(projects, list):  # projects or their ids
        ids: Any = [p if isinstance(p, int) else p.pk for p in projects]
    else:
        ids = projects.values("pk")
    if isinstance(ids, list) and ids:  # a page of ids: the same reads, compiled once
        key, alias = tuple(ids), router.db_for_read(Project)
        plan_rows = _PLANS.rows((len(key), year), using=alias, ids=key)
        done_rows = _DONE.rows((len(key), year, month), using=alias, ids=key)
        start_rows = _STARTS.rows(len(key), using=alias, ids=key)
    else:
        plan_rows = list(_plans_q((0, year), ids))
        done_rows = list(_done_q((0, year, month), ids))
        start_rows = list(_starts_q(None, ids))
    plans = {pid: (amount, curve) for pid, amount, curve in plan_rows}
    done = dict(done_rows)
    done.update(done_override or {})
    starts = {pid: (planned, actual) for pid, planned, actual in start_rows}
    pids = ids if isinstance(projects, list) else list(projects.values_list("pk", flat=True))
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


def get_project(actor: User, pk: int) -> Project:
    return get_object_or_404(
        visible_projects(actor).select_related("county", "category", "park"), pk=pk
    )


def project_history(project: Project) -> list[MonthlyReport]:
    return list(project.reports.select_related("node", "reviewed_by").order_by("-year", "-month"))


def project_photos(project: Project) -> QuerySet[ReportPhoto]:
    """The site photos of a project's monthly reports, oldest report first (the caller has
    already read `project` from the user's scope, or from a public release)."""
    return (
        ReportPhoto.objects.filter(report__project=project)
        .select_related("report")
        .order_by("report__year", "report__month", "created_at", "pk")
    )


def project_chart(
    project: Project,
    year: int,
    settings: ProjectSettings,
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Plan-vs-actual cumulative investment by month (ECharts data). `history`: the project's
    reports as `history_rows` read them (month, year, invest_ytd, status of each), when the
    caller has them already; otherwise they are read here."""
    plan = ProjectYearPlan.objects.filter(project=project, year=year).first()
    rows: Any = history
    if rows is None:
        rows = project.reports.filter(year=year).values("year", "month", "invest_ytd", "status")
    reports = {r["month"]: r for r in rows if r["year"] == year}
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
        actual.append(str(r["invest_ytd"]) if r else None)
        approved.append(str(r["invest_ytd"]) if r and r["status"] == S.APPROVED else None)
    return {
        "year": year,
        "months": [f"{m}月" for m in months],
        "planned": planned,
        "reported": actual,
        "approved": approved,
    }


def milestone_timeline(project: Project) -> list[dict[str, Any]]:
    rows = {
        node_id: (planned, actual)
        for node_id, planned, actual in project.milestones.values_list(
            "node_id", "planned_date", "actual_date"
        )
    }
    out = []
    for node in MilestoneNode.objects.filter(is_active=True).order_by("sort_order"):
        planned, actual = rows.get(node.pk, (None, None))
        late = bool(planned and (actual or timezone.localdate()) > planned)
        out.append({"node": node, "planned": planned, "actual": actual, "late": late})
    return out


def park_choices(actor: User) -> QuerySet[Park]:
    """The parks a project of this user may be linked to: those in the user's scope."""
    from dudao.parks.selectors import parks_in_scope

    return parks_in_scope(actor).order_by("name")


def park_for_link(actor: User, pk: int | str | None) -> Park | None:
    """The park to link a project to, if it is in the user's scope (None when not given);
    otherwise a DomainError in Chinese."""
    from dudao.core.exceptions import DomainError
    from dudao.parks.selectors import park_in_scope

    if pk is None or pk == "":
        return None
    park = park_in_scope(actor, pk)
    if park is None:
        raise DomainError("所选园区不存在或不在您的数据范围内。", field="park")
    return park


def filter_parks(actor: User) -> QuerySet[Park]:
    """The parks of the projects in scope (the list's park filter)."""
    from dudao.parks.selectors import reference_parks

    return parks_with(reference_parks(), visible_projects(actor))


def parks_with(parks: QuerySet[Park], projects: QuerySet[Project]) -> QuerySet[Park]:
    """The parks that hold at least one of `projects`: an EXISTS per park, which the
    projects' park index answers (an IN over the projects read the whole scope)."""
    return parks.filter(Exists(projects.filter(park_id=OuterRef("pk"))))


def _park_scoped(actor: User) -> bool:
    """True for park committees: they see their park's projects, not whole counties."""
    from dudao.core.scoping import scope_path_of
    from dudao.projects.models import covers_a_county

    path = scope_path_of(actor)
    return path is not None and not covers_a_county(actor, path)


def county_choices(actor: User) -> list[Organisation]:
    """Counties of the actor's scope (a park committee: the counties of its park's projects)."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV, is_active=True)
    if _park_scoped(actor):
        qs = qs.filter(pk__in=visible_projects(actor).values("county_id"))
    else:
        qs = qs & Organisation.objects.visible_to(actor)
    return list(qs.order_by("sort_order", "path"))
