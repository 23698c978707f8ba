"""The cockpit: each tile shows exactly the owning selector's figure, for the city and for one
county; scope (a county leader sees only its county, another county's ?unit= is 404); the API
answers the page's figures; the figures are fresh the moment a report is approved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dudao.cockpit import selectors
from dudao.cockpit.tests.factories import PERIOD, CockpitWorld, build
from dudao.core.numbers import format_yi
from dudao.core.roles import Role
from dudao.inspections import selectors as inspections
from dudao.problems import selectors as problems
from dudao.projects import selectors as projects
from dudao.stats import selectors as stats
from dudao.supervision import selectors as supervision
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world: World) -> CockpitWorld:
    return build(world)


def _api(client: Client, **params: str) -> Any:
    response = client.get(reverse("api:cockpit"), {"period": PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _page(client: Client, url: str | None = None, **params: str) -> Any:
    response = client.get(url or reverse("cockpit:home"), {"period": PERIOD, **params})
    assert response.status_code == 200
    return response


def test_every_city_tile_is_the_owning_selectors_figure(client: Client, cw: CockpitWorld) -> None:
    world = cw.world
    leader = world.city_leader
    client.force_login(leader)
    data = _api(client)
    assert data["unit"] == {"id": world.city.pk, "name": world.city.display_name}
    # statistics: the city's headline indicators as the stats engine formats them
    headlines = stats.unit_headlines(leader, world.city)
    fai = next(k for k in data["kpis"]["items"] if k["code"] == "fai")
    row = next(r for r in headlines.rows if r.indicator.code == "fai")
    assert (fai["value"], fai["growth"], fai["series"]) == (row.value, row.growth, row.series)
    assert fai["value"] == "0.1"  # 1 200 万元 → 0.1 亿元, half-up to the indicator's decimals
    assert fai["growth"] == "同比增长20.0%"
    assert fai["months"][-2:] == ["2026-02", "2026-03"]
    # projects: the analysis' city total and the quarter's targets
    analysis = projects.city_analysis(leader, 2026, 3)
    p = data["projects"]
    assert p["rate"] == f"{analysis.total.progress.rate_pct}%"  # type: ignore[union-attr]
    assert p["elapsed"] == "25.00%"
    assert p["projects"] == analysis.total.projects == 5  # three here, two in the tour
    assert p["plan"] == format_yi(analysis.total.plan)
    assert p["red"] == analysis.total.lights["red"]
    totals = projects.target_totals(projects.quarter_targets(leader, 2026, 1))
    assert [(t["metric"], t["actual"]) for t in p["targets"]] == [
        (t.metric, t.actual) for t in totals
    ]
    # supervision, ledger, tours
    chase = supervision.chase_summary(leader)
    assert (data["supervision"]["open"], data["supervision"]["overdue"]) == (
        chase.open,
        chase.overdue,
    )
    assert data["supervision"]["open"] == 3
    ageing = problems.open_ageing(leader)
    assert data["ledger"]["total"] == ageing.total == 3
    assert data["ledger"]["band_totals"] == ageing.band_totals == [2, 1, 0, 0]
    report = inspections.latest_published_results(leader)
    assert report is not None
    ranks = {r.unit.county.display_name: r.rank for _, rows in report.groups for r in rows}
    assert {r["name"]: r["rank"] for r in data["tours"]["rows"]} == ranks
    # the map: one square per laid-out county, coloured by the analysis' county rows
    squares = {s["name"]: s for s in data["map"]["squares"]}
    county_a = next(r for r in analysis.counties if r.key == world.county_a.pk)
    assert squares[world.county_a.display_name]["metrics"]["rate"] == str(
        county_a.progress.rate_pct  # type: ignore[union-attr]
    )
    assert squares[world.county_a.display_name]["url"] == f"/cockpit/?unit={world.county_a.pk}"


def test_a_county_drill_down_shows_that_countys_rows(client: Client, cw: CockpitWorld) -> None:
    world = cw.world
    leader = world.city_leader
    client.force_login(leader)
    data = _api(client, unit=str(world.county_a.pk))
    assert data["unit"]["id"] == world.county_a.pk
    analysis = projects.city_analysis(leader, 2026, 3)
    row = next(r for r in analysis.counties if r.key == world.county_a.pk)
    assert data["projects"]["rate"] == f"{row.progress.rate_pct}%"  # type: ignore[union-attr]
    assert data["projects"]["projects"] == row.projects == 3
    assert data["ledger"]["total"] == problems.open_ageing(leader, county=world.county_a).total
    assert data["ledger"]["total"] == 2
    assert data["supervision"]["open"] == 2
    fai = next(k for k in data["kpis"]["items"] if k["code"] == "fai")
    assert fai["growth"] == "同比增长25.0%"  # 500 against 400
    assert fai["rank"] == "第1位/2家"  # among the city's two counties
    assert data["map"] is None
    assert [r["name"] for r in data["tours"]["rows"] if r["own"]] == [world.county_a.display_name]


def test_a_county_leader_sees_only_its_county(client: Client, cw: CockpitWorld) -> None:
    world = cw.world
    leader = add_user(world, world.county_a, Role.LEADER)
    client.force_login(leader)
    data = _api(client)
    assert data["unit"]["id"] == data["root"]["id"] == world.county_a.pk
    assert [s["name"] for s in data["map"]["squares"]] == [world.county_a.display_name]
    assert data["projects"]["projects"] == 3
    assert data["ledger"]["total"] == 2
    other = str(world.county_b.pk)
    assert client.get(reverse("cockpit:home"), {"unit": other}).status_code == 404
    assert client.get(reverse("api:cockpit"), {"unit": other}).status_code == 404
    assert client.get(reverse("cockpit:wall"), {"unit": other}).status_code == 404
    page = _page(client).content.decode()
    assert world.county_b.display_name not in page.split("观摩排名")[0]


@pytest.mark.parametrize("unit", ["abc", "-1", "0", "99999999999999999999", "1e3", " "])
def test_a_bad_or_unknown_unit_is_404_never_500(client: Client, world: World, unit: str) -> None:
    client.force_login(world.city_leader)
    if unit.strip():
        assert client.get(reverse("cockpit:home"), {"unit": unit}).status_code == 404
        assert client.get(reverse("api:cockpit"), {"unit": unit}).status_code == 404
    else:
        assert client.get(reverse("api:cockpit"), {"unit": unit}).status_code == 200


def test_a_city_department_or_the_city_itself_is_not_a_drill_down_unit(
    client: Client, world: World
) -> None:
    client.force_login(world.city_leader)
    assert client.get(reverse("api:cockpit"), {"unit": world.park_a.pk}).status_code == 404
    drc = str(world.county_a_drc.pk)
    assert client.get(reverse("api:cockpit"), {"unit": drc}).status_code == 404
    same = client.get(reverse("api:cockpit"), {"unit": world.city.pk}).json()
    assert same["unit"]["id"] == world.city.pk


def test_a_bad_period_is_a_chinese_400_in_the_api_and_a_notice_on_the_page(
    client: Client, world: World
) -> None:
    client.force_login(world.city_leader)
    response = client.get(reverse("api:cockpit"), {"period": "2026-13"})
    assert response.status_code == 400
    assert "月份应为 1–12" in response.json()["error"]["message"]
    page = client.get(reverse("cockpit:home"), {"period": "2026-13"})
    assert page.status_code == 200
    assert "月份应为 1–12" in page.content.decode()


def test_the_api_answers_the_pages_figures(client: Client, cw: CockpitWorld) -> None:
    client.force_login(cw.world.city_leader)
    page = _page(client).context["data"]
    api = _api(client)
    page.pop("generated_at")
    api.pop("generated_at")
    assert api == page


def test_the_figures_are_fresh_the_moment_a_report_is_approved(
    client: Client, cw: CockpitWorld
) -> None:
    from dudao.projects import services
    from dudao.projects.models import MonthlyReport

    world = cw.world
    client.force_login(world.city_leader)
    before = _api(client)["projects"]["done"]
    pending = MonthlyReport.objects.get(county=world.county_b, status="submitted")
    services.approve_report(actor=add_user(world, world.county_b, Role.REVIEWER), report=pending)
    after = _api(client)["projects"]["done"]
    assert before != after


def test_the_leader_lands_on_the_cockpit_at_home(client: Client, cw: CockpitWorld) -> None:
    client.force_login(cw.world.city_leader)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "cockpit/cockpit.html"
    assert response.context["c"].unit == cw.world.city


def test_the_wall_screen_carries_its_settings_and_no_chrome(
    client: Client, cw: CockpitWorld, settings: Any
) -> None:
    settings.DUDAO_COCKPIT_WALL_REFRESH_SECONDS = 7
    client.force_login(cw.world.city_leader)
    text = _page(client, reverse("cockpit:wall")).content.decode()
    assert 'data-refresh="7"' in text
    assert 'data-api="/api/v1/cockpit"' in text
    assert "mainnav" not in text
    assert "连接中断，正在重试" in text
    assert "<script>" not in text  # CSP: no inline script


def test_the_cockpit_is_one_menu_click_for_leaders_and_supervisors(
    client: Client, world: World
) -> None:
    for actor, shown in (
        (world.city_leader, True),
        (world.city_supervisor, True),
        (world.county_a_reporter, False),
        (world.judge, False),
    ):
        client.force_login(actor)
        items = client.get(reverse("account")).context["nav_items"]
        assert any(i["url"] == reverse("cockpit:home") for i in items) is shown


def test_selectors_resolve_the_scope_root(world: World) -> None:
    assert selectors.scope_root(world.city_supervisor) == world.city  # an office: its city
    assert selectors.scope_root(world.county_a_reviewer) == world.county_a


@pytest.mark.parametrize("drill", [False, True])
def test_every_tile_links_to_a_page_the_leader_may_open(
    client: Client, cw: CockpitWorld, drill: bool
) -> None:
    client.force_login(cw.world.city_leader)
    params = {"unit": str(cw.world.county_a.pk)} if drill else {}
    data = _api(client, **params)
    links = [data[tile]["link"] for tile in ("kpis", "projects", "supervision", "ledger", "tours")]
    for link in links:
        assert client.get(link).status_code == 200, link
