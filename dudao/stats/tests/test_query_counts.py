"""Query-count guards: the summary, the profile and the entry grid read a fixed number of
queries whether a city has 2 parks or 18 (no N+1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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


@pytest.mark.parametrize(
    ("name", "params", "max_queries"),
    [
        ("stats:summary", {"period": "2021-06"}, 12),
        ("stats:entry", {"period": "2021-06"}, 10),
        ("parks:list", {}, 8),
    ],
)
def test_pages_take_a_fixed_number_of_queries(
    world: World, name: str, params: dict[str, str], max_queries: int
) -> None:
    build_speech_city(world)
    client = Client()
    client.force_login(world.city_supervisor)
    client.get(reverse(name), params)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert len(captured.captured_queries) <= max_queries, [
        q["sql"][:120] for q in captured.captured_queries
    ]
