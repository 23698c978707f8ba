"""Query-count guards of the stats selectors (the pages' exact counts are in
dudao/core/tests/test_query_counts.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dudao.stats import selectors
from dudao.stats.tests.scenario import build_speech_city
from dudao.testing import World

pytestmark = pytest.mark.django_db
JUNE = dt.date(2021, 6, 1)


def count(func: object) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()  # type: ignore[operator]
    return len(captured.captured_queries)


def test_the_summary_and_profile_take_a_fixed_number_of_queries(world: World) -> None:
    parks = build_speech_city(world)
    actor = world.city_supervisor
    city = selectors.get_city(actor, "SFS")
    assert count(lambda: selectors.city_summary(actor, city, JUNE)) <= 6
    assert (
        count(lambda: selectors.park_profile(actor, selectors.get_park(actor, parks[0].pk), JUNE))
        <= 8
    )
