"""Exact query counts of the hot pages and endpoints, in one file (as NetBox does).

Each page is read at two sizes of its data ("few", "many") and must take exactly the number of
queries written here at both: a query more (an N+1, a lost select_related) or a query fewer
(a page that stopped reading something) fails, and the change of the number is reviewed.
Every count is taken after a first request (session timestamps, demo-mode flag cached).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from dudao.accounts.services import record_login_failure
from dudao.core.roles import Role
from dudao.regions.models import Region
from dudao.testing import ActorName, World, add_user, make_organisation

pytestmark = pytest.mark.django_db

SIZES = {"few": 1, "many": 4}


def _crowd(world: World, size: int) -> None:
    """3 × size more organisations (each with a region) with an account each, more events."""
    regions = list(Region.objects.filter(level="county")[: 3 * size])
    for n, region in enumerate(regions):
        parent = world.county_a if n % 2 else world.county_b
        org = make_organisation(world.sysadmin, parent=parent, name=f"加测单位{n}", region=region)
        add_user(world, org, Role.REPORTER, must_change_password=True)
        record_login_failure(username=f"ghost{n}", locked=False)


def _projects(world: World, size: int) -> None:
    from dudao.projects.models import MonthlyReport
    from dudao.projects.testing import make_project, report

    for i in range(3 * size):
        p = make_project(world)
        status = MonthlyReport.Status.APPROVED if i % 2 else MonthlyReport.Status.DRAFT
        report(world, p, 3, "10", status=status)


def _grades(world: World, size: int) -> None:
    """A 2025 亩均效益 run over 5 × size enterprises of 甲县产业集聚区, one of them not graded."""
    from dudao.enterprises import services
    from dudao.enterprises.tests.helpers import enterprise

    services.save_regime(
        actor=world.city_supervisor,
        year=2025,
        name="示范市2025年度亩均效益评价办法（测试）",
        items=[
            {"scale": "above", "metric": "tax_per_mu", "weight": Decimal(100)},
            {"scale": "below", "metric": "tax_per_mu", "weight": Decimal(100)},
        ],
    )
    for i in range(5 * size):
        firm = enterprise(world, 900 + i, ungraded_class="utility" if i == 0 else "")
        services.save_annual_values(
            actor=world.city_supervisor,
            enterprise=firm,
            year=2025,
            values={"tax": (Decimal(100 + i), "税务部门")},
        )
    services.run_evaluation(actor=world.city_supervisor, year=2025)


def _tasks(world: World, size: int) -> None:
    from dudao.supervision.tests.factories import make_task

    for _ in range(size):
        for lead in (world.county_a, world.county_a_drc, world.park_a, world.county_b):
            parent = make_task(world, lead=lead)
            if lead == world.county_a:
                make_task(world, parent=parent, lead_org=world.park_a)


def _problems(world: World, size: int) -> None:
    from dudao.problems.tests.factories import make_problem

    for n in range(8 * size):
        make_problem(world, world.county_a if n % 2 else world.park_a, title=f"问题{n}")


def _tour(world: World, size: int) -> dict[str, object]:
    from dudao.inspections.tests.factories import make_tour_world

    tours = [make_tour_world(world) for _ in range(size)]
    return {"site_pk": tours[0].site_a.pk}


def _province(world: World, size: int) -> str:
    from dudao.evaluation import services
    from dudao.evaluation.services import PublishedRow
    from dudao.evaluation.tests.factories import make_park, make_parks, make_regime

    regime = make_regime(world.city_supervisor)
    parks = [make_park(name="示范市高新区", city=None, organisation=world.park_a)]
    parks += make_parks(4 * size, "410100") + make_parks(4 * size, "410800")
    rows = [PublishedRow(p, Decimal(100 - i), i + 1) for i, p in enumerate(parks)]
    services.publish_results(actor=world.city_supervisor, regime=regime, year=2021, rows=rows)
    return regime.code


def _speech_city(world: World, size: int) -> None:
    from dudao.stats.tests.scenario import build_speech_city

    build_speech_city(world)  # 18 parks: the size of a real city; "few" and "many" alike


def _cockpit(world: World, size: int) -> None:
    """Every tile's data at two sizes: projects, tasks, problems, map squares for both counties,
    and the targets' test sheet (with its approved statistics)."""
    from dudao.cockpit.models import MapTile
    from dudao.targets.tests.factories import build_sheet

    _projects(world, size)
    _tasks(world, size)
    _problems(world, size)
    build_sheet(world)
    MapTile.objects.create(organisation=world.county_a, grid_x=0, grid_y=0)
    MapTile.objects.create(organisation=world.county_b, grid_x=1, grid_y=0)


def _demands(world: World, size: int) -> None:
    """3 × size enterprise demands routed to the 督查室 (the city supervisor's inbox)."""
    import datetime as dt

    from dudao.enterprises.models import Demand
    from dudao.enterprises.tests.helpers import enterprise

    for i in range(3 * size):
        firm = enterprise(world, 900 + i)
        Demand.objects.create(
            code=f"QS-Q{i}",
            enterprise=firm,
            organisation=firm.organisation,
            source=Demand.Source.OFFICER,
            raised_by=world.city_supervisor,
            raised_on=dt.date(2025, 3, 3),
            category="land",
            title="查询计数",
            content="查询计数",
            department=world.supervision_office,
            sla_workdays=10,
            routed_on=dt.date(2025, 3, 3),
            due_on=dt.date(2025, 3, 17),
        )


@dataclass(frozen=True)
class Page:
    """A hot page: who reads it, its URL (name, arguments, query) and the data it shows."""

    actor: ActorName
    name: str
    queries: int | tuple[int, int]  # the same at both sizes, or (few, many)
    build: Callable[[World, int], object] = _crowd
    params: dict[str, str] | None = None


def _evaluation(name: str, queries: int) -> Page:
    return Page("city_leader", name, queries, _province)


PAGES: dict[str, Page] = {
    # Platform: session, user (with organisation), then the page's own queries.
    # `/` of a reviewer: the month's reports, own tasks and problems (dudao.cockpit.homes).
    "home": Page("county_a_reviewer", "home", 18, _cockpit),
    "orgs:list": Page("sysadmin", "orgs:list", 4),
    "users:list": Page("sysadmin", "users:list", 5),
    "audit:list": Page("auditadmin", "audit:list", 6),  # + the chain-status check
    "api:me": Page("county_a_reporter", "api:me", 3),
    "api:organisation_list": Page("sysadmin", "api:organisation_list", 4),
    "api:user_list": Page("sysadmin", "api:user_list", 4),
    "api:audit_event_list": Page("auditadmin", "api:audit_event_list", 4),
    # 重大项目
    # list and analysis: one more for the month's locks (the thresholds and the registered
    # projects a locked month keeps)
    "projects:list": Page(
        "county_a_reporter", "projects:list", 14, _projects, {"period": "2026-03"}
    ),
    # the API's list: the page's rows with the total (no model objects), the page's list
    # codes; no reporting period without a light filter
    "api:projects_list": Page("county_a_reporter", "api:projects_list", 5, _projects),
    # a project's history: its reports if the project is in scope (no joined project row)
    "api:projects_reports": Page("county_a_reporter", "api:projects_reports", 4, _projects),
    "projects:grid": Page(
        "county_a_reporter", "projects:grid", 11, _projects, {"period": "2026-03"}
    ),
    "projects:analysis": Page(
        "city_supervisor", "projects:analysis", 18, _projects, {"period": "2026-03"}
    ),
    # 督查督办
    "supervision:my_tasks": Page("county_a_reviewer", "supervision:my_tasks", 4, _tasks),
    "supervision:task_list": Page("city_supervisor", "supervision:task_list", 5, _tasks),
    # +2 (issue 21): the problem ledger's open problems by light, and their units' names.
    "supervision:overview": Page("city_supervisor", "supervision:overview", 8, _tasks),
    "supervision:performance": Page(
        "city_supervisor", "supervision:performance", 7, _tasks
    ),  # + the workday calendar
    "api:supervision_my_tasks": Page("county_a_reviewer", "api:supervision_my_tasks", 3, _tasks),
    "api:supervision_task_list": Page("city_supervisor", "api:supervision_task_list", 4, _tasks),
    # 问题台账
    "problems:list": Page(
        "city_supervisor", "problems:list", 11, _problems, {"status": "open", "county": "", "q": ""}
    ),
    # 观摩督导
    "inspections:judge_home": Page("judge", "inspections:judge_home", 5, _tour),
    "inspections:score": Page("judge", "inspections:score", 8, _tour),
    # 省级考评
    "evaluation:comparison": _evaluation("evaluation:comparison", 11),
    "api:evaluation_ranking": _evaluation("api:evaluation_ranking", 7),
    "evaluation:parks": _evaluation("evaluation:parks", 9),
    "evaluation:results": _evaluation("evaluation:results", 8),
    # 亩均效益评价 (issue 17): session, user, run, years, count, shaped rows, the page's names in
    # one query, grade counts, factor policies, the parks of the filter
    "enterprises:grades": Page("city_supervisor", "enterprises:grades", 10, _grades),
    # 统计指标
    "stats:summary": Page(
        "city_supervisor", "stats:summary", 9, _speech_city, {"period": "2021-06"}
    ),
    "stats:entry": Page("city_supervisor", "stats:entry", 5, _speech_city, {"period": "2021-06"}),
    "parks:list": Page("city_supervisor", "parks:list", 5, _speech_city),
    # 领导驾驶舱 (and the role homes at /): a fixed number whatever the number of units
    # (the projects tile's analysis reads the month's locks once: see projects:analysis)
    # The page: no 分类排队 rank change (not shown), so last month's targets are not evaluated.
    "cockpit:home": Page("city_leader", "cockpit:home", 42, _cockpit, {"period": "2026-03"}),
    "api:cockpit": Page("city_leader", "api:cockpit", 47, _cockpit, {"period": "2026-03"}),
    "cockpit:wall": Page("city_leader", "cockpit:wall", 42, _cockpit, {"period": "2026-03"}),
    "home:leader": Page("city_leader", "home", 42, _cockpit, {"period": "2026-03"}),
    "home:supervisor": Page("city_supervisor", "home", 17, _cockpit),
    "account": Page("county_a_reviewer", "account", 4),
    "enterprises:inbox": Page("city_supervisor", "enterprises:inbox", 4, _demands),
    "api:enterprises_demands": Page(
        "city_supervisor", "api:enterprises_demands", 4, _demands, {"inbox": "true"}
    ),
}


def _url(page: Page, built: object, world: World) -> str:
    if page.name == "inspections:score":
        assert isinstance(built, dict)
        return reverse(page.name, kwargs=built)
    if page.name == "api:projects_reports":
        from dudao.projects.models import Project

        first = Project.objects.filter(county=world.county_a).values_list("pk", flat=True)
        return reverse(page.name, args=[first.first()])
    if page.name == "api:evaluation_ranking":
        return reverse(page.name, args=[built, 2021])
    if page.name == "evaluation:results":
        from dudao.evaluation.models import Regime

        return reverse(page.name, args=[Regime.objects.get(code=built).pk, 2021])
    return reverse(page.name)


def _params(page: Page, built: object) -> dict[str, str]:
    if page.name in {"evaluation:comparison", "evaluation:parks"}:
        return {"regime": str(built), "year": "2021"}
    return page.params or {}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", PAGES)
def test_it_reads_a_hot_page_in_an_exact_number_of_queries(
    client: Client,
    world: World,
    django_assert_num_queries: DjangoAssertNumQueries,
    *,
    key: str,
    size: str,
) -> None:
    page = PAGES[key]
    built = page.build(world, SIZES[size])
    url, params = _url(page, built, world), _params(page, built)
    client.force_login(world.actor(page.actor))
    client.get(reverse("home"))
    queries = page.queries if isinstance(page.queries, int) else page.queries[size == "many"]
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200


def test_it_lists_every_row_it_counted(client: Client, world: World) -> None:
    _crowd(world, 4)
    client.force_login(world.sysadmin)
    assert client.get(reverse("orgs:list")).context["page"].paginator.count == 21
    assert client.get(reverse("users:list")).context["page"].paginator.count == 22
    assert client.get(reverse("api:organisation_list")).json()["count"] == 21
