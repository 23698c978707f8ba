"""`chase_counts` / `chase_summary`: open, overdue and escalated tasks per lead unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dudao.supervision import selectors
from dudao.supervision.tests.factories import make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_overdue_units_first_and_a_county_subtree(world: World) -> None:
    today = timezone.localdate()
    make_task(world, lead=world.county_a, deadline=today + dt.timedelta(days=3))
    make_task(world, lead=world.county_b, deadline=today + dt.timedelta(days=3))
    make_task(world, lead=world.county_b, deadline=today + dt.timedelta(days=30))
    make_task(world, lead=world.county_a, issue=False)  # a draft is not chased
    later = today + dt.timedelta(days=10)
    rows = selectors.chase_counts(world.city_supervisor, later)
    assert [(r.org_id, r.open, r.overdue) for r in rows] == [
        (world.county_a.pk, 1, 1),
        (world.county_b.pk, 2, 1),
    ] or [(r.org_id, r.open, r.overdue) for r in rows] == [
        (world.county_b.pk, 2, 1),
        (world.county_a.pk, 1, 1),
    ]
    only_b = selectors.chase_summary(world.city_supervisor, under=world.county_b, today=later)
    assert (only_b.open, only_b.overdue, only_b.escalated) == (2, 1, 0)
    county = selectors.chase_summary(world.county_a_reviewer, today=later)
    assert [r.org_id for r in county.rows] == [world.county_a.pk]
