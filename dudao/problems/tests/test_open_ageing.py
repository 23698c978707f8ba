"""`open_ageing`: open problems by age band and category, in scope, with the overdue count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dudao.problems import selectors
from dudao.problems.tests.factories import category, make_problem
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_bands_categories_scope_and_county(world: World) -> None:
    today = timezone.localdate()
    make_problem(world, world.county_a, found_on=today - dt.timedelta(days=30))  # band 1
    make_problem(world, world.county_a, found_on=today - dt.timedelta(days=31))  # band 2
    make_problem(
        world, world.county_b, found_on=today - dt.timedelta(days=200), category=category("land")
    )
    make_problem(world, world.county_b)  # no found date: aged from registration (today)
    city = selectors.open_ageing(world.city_supervisor, today=today)
    assert city.total == 4
    assert city.band_totals == [2, 1, 0, 1]
    assert {name: counts for name, counts, _ in city.categories}["用地"] == [0, 0, 0, 1]
    county = selectors.open_ageing(world.county_a_reviewer, today=today)
    assert county.total == 2
    only_b = selectors.open_ageing(world.city_supervisor, today=today, county=world.county_b)
    assert only_b.band_totals == [1, 0, 0, 1]
    later = selectors.open_ageing(world.city_supervisor, today=today + dt.timedelta(days=400))
    assert later.overdue == 4  # every time limit has passed
