"""Typed factories for 观摩督导 tests: a planned tour over the test world's two counties, built
through the services (projects come from the registry skeleton, written directly)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.inspections import services
from dudao.inspections.models import Criterion, Judge, Site, Tour, TourGroup, TourUnit
from dudao.orgs.models import Organisation
from dudao.parks.models import Park
from dudao.projects.models import Project, ProjectCategory
from dudao.testing import World, add_user

_serial = itertools.count(1)
DAY = dt.date(2026, 7, 15)


def make_project(
    county: Organisation,
    *,
    category: str = "industry",
    investment: str = "50000",
    park: Park | None = None,
    level: str = Project.Level.CITY,
    stage: str = Project.Stage.CONTINUING,
) -> Project:
    n = next(_serial)
    return Project.objects.create(
        name=f"{county.display_name}测试项目{n}",
        category=ProjectCategory.objects.get(code=category),
        stage=stage,
        level=level,
        county=county,
        park=park,
        total_investment=Decimal(investment),
    )


@dataclass
class TourWorld:
    tour: Tour
    group: TourGroup
    unit_a: TourUnit
    unit_b: TourUnit
    site_a: Site
    site_b: Site
    judge: Judge  # the world's city judge
    county_a_judge_user: User
    county_a_judge: Judge | None


def make_tour(world: World, **rules: object) -> Tour:
    return services.create_tour(
        actor=world.city_supervisor,
        name=f"测试观摩{next(_serial)}",
        period="2026年上半年",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=1),
        **rules,  # type: ignore[arg-type]
    )


def make_tour_world(
    world: World, *, open_scoring: bool = True, county_judge: bool = True, **rules: object
) -> TourWorld:
    """A tour with one group visiting counties A and B, one industry site in each, the city
    judge and a judge from county A; scoring open unless told otherwise."""
    actor = world.city_supervisor
    tour = make_tour(world, **rules)
    group = services.add_group(
        actor=actor, tour=tour, name="第一组", leader_name="张某", leader_title="市委书记"
    )
    county_group = tour.unit_groups.get(name="县(市)组")
    unit_a = services.add_unit(
        actor=actor, tour=tour, county=world.county_a, unit_group=county_group, visit_group=group
    )
    unit_b = services.add_unit(
        actor=actor,
        tour=tour,
        county=world.county_b,
        unit_group=county_group,
        visit_group=group,
        visit_order=2,
    )
    site_a = services.add_site(
        actor=actor,
        tour=tour,
        project=make_project(world.county_a),
        visit_date=DAY,
        slot_start=dt.time(9, 0),
        slot_end=dt.time(9, 40),
        presenter_name="甲县县长",
        presenter_title="县长",
    )
    site_b = services.add_site(
        actor=actor,
        tour=tour,
        project=make_project(world.county_b),
        visit_date=DAY,
        slot_start=dt.time(14, 0),
        slot_end=dt.time(14, 40),
    )
    judge = services.add_judge(actor=actor, tour=tour, user=world.judge, group=group)
    a_user, a_judge = world.judge, None
    if county_judge:  # a second account costs a password hash: only when the test needs it
        a_user = add_user(world, world.county_a, Role.JUDGE)
        a_judge = services.add_judge(actor=actor, tour=tour, user=a_user, group=group)
    if open_scoring:
        tour = services.transition_tour(actor=actor, tour=tour, action="open")
    return TourWorld(tour, group, unit_a, unit_b, site_a, site_b, judge, a_user, a_judge)


def full_scores(site: Site, points: str | None = None) -> dict[int, str]:
    """A score for every criterion of the site's sheet (its maximum unless `points`)."""
    return {
        c.pk: points if points is not None else str(c.max_points)
        for c in Criterion.objects.filter(sheet_id=site.sheet_id)
    }


def score_and_submit(user: User, site: Site, points: str | None = None) -> None:
    services.save_card(actor=user, site=site, scores=full_scores(site, points))
    services.submit_card(actor=user, site=site)
