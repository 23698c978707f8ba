"""A small city for the cockpit's tests: every tile has something to show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from dudao.cockpit.models import MapTile
from dudao.testing import World

PERIOD = "2026-03"


@dataclass
class CockpitWorld:
    world: World
    tour_id: int


def enter_value(world: World, org: object, code: str, period: dt.date, value: str) -> None:
    from dudao.stats.tests.scenario import enter

    enter(world, org, code, period, Decimal(value))  # type: ignore[arg-type]


def build(world: World) -> CockpitWorld:
    """Projects with approved March reports in both counties, tasks, problems, approved
    statistics for the city and both counties, a published tour and the two map squares."""
    from dudao.inspections import services as tours
    from dudao.inspections.tests.factories import make_tour_world, score_and_submit
    from dudao.problems.tests.factories import make_problem
    from dudao.projects.models import MonthlyReport
    from dudao.projects.testing import make_project, report
    from dudao.supervision.tests.factories import make_task

    approved = MonthlyReport.Status.APPROVED
    for county, reporter, reviewer, amounts in (
        (world.county_a, world.county_a_reporter, world.county_a_reviewer, ("6000", "2000")),
        (world.county_b, world.county_b_reporter, None, ("1000",)),
    ):
        for amount in amounts:
            project = make_project(world, county=county)
            report(
                world,
                project,
                3,
                amount,
                status=approved if reviewer is not None else MonthlyReport.Status.SUBMITTED,
                reporter=reporter,
                reviewer=reviewer,
            )
    make_task(world, lead=world.county_a)
    make_task(world, lead=world.county_a, deadline=timezone.localdate() + dt.timedelta(days=5))
    make_task(world, lead=world.county_b)
    make_problem(world, world.county_a, found_on=timezone.localdate() - dt.timedelta(days=40))
    make_problem(world, world.county_a)
    make_problem(world, world.county_b, title="施工许可证办理滞后")
    for org, values in (
        (world.city, ("1000", "1200", "300", "900")),
        (world.county_a, ("400", "500", "120", "380")),
        (world.county_b, ("300", "330", "90", "270")),
    ):
        last_year, now, feb, last_feb = values
        enter_value(world, org, "fai", dt.date(2025, 3, 1), last_year)
        enter_value(world, org, "fai", dt.date(2026, 3, 1), now)
        enter_value(world, org, "fai", dt.date(2026, 2, 1), feb)
        enter_value(world, org, "fai", dt.date(2025, 2, 1), last_feb)
    tw = make_tour_world(world)
    score_and_submit(world.judge, tw.site_a, "9")
    score_and_submit(world.judge, tw.site_b, "8")
    score_and_submit(tw.county_a_judge_user, tw.site_b, "10")
    tour = tours.transition_tour(actor=world.city_supervisor, tour=tw.tour, action="close")
    tours.publish_tour(actor=world.city_supervisor, tour=tour)
    MapTile.objects.create(organisation=world.county_a, grid_x=0, grid_y=0)
    MapTile.objects.create(organisation=world.county_b, grid_x=1, grid_y=0)
    return CockpitWorld(world, tw.tour.pk)
