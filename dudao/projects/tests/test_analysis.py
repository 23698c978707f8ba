"""Lights (§9.5 worked examples), 序时进度, the city analysis, ranks with ties, targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dudao.core.lights import Light
from dudao.projects import figures, selectors, services
from dudao.projects.models import MonthlyReport, ProjectSettings
from dudao.projects.testing import make_project, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status
D = Decimal


def test_elapsed_share_1_to_8_months() -> None:
    settings = ProjectSettings(lag_yellow_from=D("10"), lag_red_above=D("30"))
    p = figures.progress(D("100"), D("74"), 8, settings)
    assert p.elapsed_pct == D("66.67")
    assert p.lag == D("-7.33")  # 超序时进度 7.33 个百分点
    assert p.reached == "达到"
    assert p.light == Light.GREEN


@pytest.mark.parametrize(
    ("done", "rate", "lag", "light", "reached"),
    [
        ("5000", "25.00", "25.00", Light.YELLOW, "滞后"),  # Project A
        ("3000", "15.00", "35.00", Light.RED, "严重滞后"),  # Project B
        ("9000", "45.00", "5.00", Light.GREEN, "基本达到"),  # Project C
        ("4000", "20.00", "30.00", Light.YELLOW, "滞后"),  # 30 inclusive is yellow
        ("8000", "40.00", "10.00", Light.YELLOW, "滞后"),  # 10 inclusive is yellow
    ],
)
def test_worked_examples_9_5(done: str, rate: str, lag: str, light: Light, reached: str) -> None:
    settings = ProjectSettings(lag_yellow_from=D("10"), lag_red_above=D("30"))
    p = figures.progress(D("20000"), D(done), 6, settings)  # 2.00 亿元 plan, 1–6月
    assert (p.rate_pct, p.lag, p.light, p.reached) == (D(rate), D(lag), light, reached)


def test_start_delay_example_d() -> None:
    settings = ProjectSettings(start_yellow_from=1, start_red_from=3)
    planned = date(2026, 3, 10)
    assert figures.months_late(planned, None, 2026, 5) == 3
    assert settings.start_light(figures.months_late(planned, None, 2026, 5)) == Light.RED
    assert settings.start_light(figures.months_late(planned, None, 2026, 4)) == Light.YELLOW
    assert settings.start_light(figures.months_late(planned, None, 2026, 2)) == Light.GREEN
    assert figures.months_late(planned, date(2026, 4, 2), 2026, 5) == 0


def test_thresholds_are_data(world: World) -> None:
    services.update_settings(actor=world.city_supervisor, lag_yellow_from=D("5"))
    p = figures.progress(D("20000"), D("9000"), 6, ProjectSettings.current())
    assert p.light == Light.YELLOW


def test_grey_without_approved_report(world: World) -> None:
    p = make_project(world)
    report(world, p, 6, "100", status=S.SUBMITTED)
    lights = selectors.lights_for([p], 2026, 6)
    assert lights[p.pk].light == Light.GREY
    assert lights[p.pk].progress.reached == "未报"


def test_curve_changes_elapsed_share() -> None:
    curve = [
        str(x) for x in (0, 0, 1000, 2000, 4000, 8000, 10000, 12000, 14000, 16000, 18000, 20000)
    ]
    assert figures.elapsed_pct(6, D("20000"), curve) == D("40.00")


def test_city_analysis_is_fresh_at_approval_and_ranks_with_ties(world: World) -> None:
    a1 = make_project(world, plan=D("1000"))
    a2 = make_project(world, plan=D("1000"))
    b1 = make_project(world, county=world.county_b, plan=D("2000"))
    report(world, a1, 1, "100", status=S.APPROVED)
    report(world, b1, 1, "200", reporter=world.county_b_reporter, status=S.SUBMITTED)
    analysis = selectors.city_analysis(world.city_supervisor, 2026, 1)
    rows = {r.key: r for r in analysis.counties}
    a, b = rows[world.county_a.pk], rows[world.county_b.pk]
    assert (a.projects, a.plan, a.done) == (2, D("2000"), D("100"))
    assert a.progress is not None
    assert a.progress.rate_pct == D("5.00")
    assert b.done == D("0")
    assert (a.rank, b.rank) == (1, 2)
    assert (b.reported, b.on_time) == (1, 0)  # January 2026 reported in November: late
    assert a.lights[Light.GREEN] + a.lights[Light.GREY] == 2
    # approving B's report changes the analysis at once: 200/2000 = 10% > 5%
    from dudao.accounts.roles import Role
    from dudao.testing import add_user

    reviewer_b = add_user(world, world.county_b, Role.REVIEWER)
    services.approve_report(actor=reviewer_b, report=MonthlyReport.objects.get(project=b1))
    rows = {r.key: r for r in selectors.city_analysis(world.city_supervisor, 2026, 1).counties}
    assert rows[world.county_b.pk].rank == 1
    assert rows[world.county_a.pk].rank == 2
    # a tie: A reaches 10% too → 1, 1
    report(world, a2, 1, "100", status=S.APPROVED)
    rows = {r.key: r for r in selectors.city_analysis(world.city_supervisor, 2026, 1).counties}
    assert rows[world.county_a.pk].rank == rows[world.county_b.pk].rank == 1
    # rank change vs the previous month
    report(world, a1, 2, "600", status=S.APPROVED, note="集中付款")
    rows = {r.key: r for r in selectors.city_analysis(world.city_supervisor, 2026, 2).counties}
    assert rows[world.county_a.pk].rank == 1
    assert rows[world.county_a.pk].rank_change == 0
    assert rows[world.county_b.pk].rank == 2
    assert rows[world.county_b.pk].rank_change == -1


def test_county_user_sees_only_its_county(world: World) -> None:
    make_project(world)
    make_project(world, county=world.county_b)
    analysis = selectors.city_analysis(world.county_a_reviewer, 2026, 1)
    assert [r.key for r in analysis.counties] == [world.county_a.pk]


def test_quarter_targets_actual_vs_target(world: World) -> None:
    make_project(world, actual_start=date(2026, 2, 1))
    make_project(world, actual_start=date(2026, 4, 1))
    services.set_quarter_target(
        actor=world.city_supervisor,
        county=world.county_a,
        year=2026,
        quarter=1,
        metric="start",
        target=3,
    )
    rows = {
        (r.county.pk, r.metric): r
        for r in selectors.quarter_targets(world.city_supervisor, 2026, 1)
    }
    row = rows[(world.county_a.pk, "start")]
    assert (row.target, row.actual) == (3, 1)


def test_light_filter_matches_band(world: World) -> None:
    red = make_project(world, plan=D("1000"))
    green = make_project(world, plan=D("1000"))
    report(world, red, 6, "10", status=S.APPROVED)
    report(world, green, 6, "450", status=S.APPROVED, note="集中付款")
    f = selectors.ProjectFilters(light="red")
    assert list(selectors.filter_projects(world.city_supervisor, f, 2026, 6)) == [red]
    f = selectors.ProjectFilters(light="green")
    assert list(selectors.filter_projects(world.city_supervisor, f, 2026, 6)) == [green]


def test_analysis_lights_agree_with_project_lights_and_follow_plan_changes(
    world: World,
) -> None:
    from collections import Counter
    from datetime import date as d

    from dudao.projects.models import Project

    on = make_project(world, plan=D("1200"))
    low = make_project(world, plan=D("1200"))
    late = make_project(world, stage="preparation", actual_start=None, planned_start=d(2026, 1, 5))
    make_project(world, plan=D("1200"))  # no report: grey
    report(world, on, 6, "480", status=S.APPROVED, note="集中付款")
    report(world, low, 6, "100", status=S.APPROVED)
    projects = list(Project.objects.filter(pk__in=[on.pk, low.pk, late.pk]))
    expected = Counter(
        pl.light.value
        for pl in selectors.lights_for(
            list(Project.objects.filter(county=world.county_a)), 2026, 6
        ).values()
    )
    row = next(
        r
        for r in selectors.city_analysis(world.city_supervisor, 2026, 6).counties
        if r.key == world.county_a.pk
    )
    assert {k: v for k, v in row.lights.items() if v} == dict(expected)
    assert selectors.lights_for(projects, 2026, 6)[late.pk].light == Light.RED
    # halving the plan puts the low project on schedule: the stored lag follows at once
    services.save_plan(
        actor=world.city_supervisor, project=low, year=2026, planned_investment=D("200")
    )
    assert MonthlyReport.objects.get(project=low, month=6).lag == D("0.00")


def test_analysis_counts_as_grey_a_category_whose_projects_have_no_light(world: World) -> None:
    from dudao.projects.models import ProjectCategory

    urban = ProjectCategory.objects.get(code="urban")
    lit = make_project(world, plan=D("1200"), category="industry")
    make_project(world, plan=D("1200"), category="urban")  # no report anywhere in its category
    make_project(world, plan=D("1200"), category="urban")
    report(world, lit, 6, "300", status=S.APPROVED)
    analysis = selectors.city_analysis(world.city_supervisor, 2026, 6)
    row = next(r for r in analysis.counties if r.key == world.county_a.pk)
    assert row.projects == 3
    assert sum(row.lights.values()) == row.projects
    assert row.lights[Light.GREY] == 2
    assert analysis.cells[(world.county_a.pk, urban.pk)].lights[Light.GREY] == 2
