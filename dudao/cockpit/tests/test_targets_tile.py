"""The 年度目标 tile and the indicators' gap to target: the targets module's own figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dudao.core.roles import Role
from dudao.targets import selectors as targets
from dudao.targets.tests.factories import build_sheet
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db
PERIOD = {"period": "2026-06"}


def _api(client: Client, **params: str) -> Any:
    response = client.get(reverse("api:cockpit"), {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_city_tile_lists_the_units_with_weak_links(client: Client, world: World) -> None:
    build_sheet(world)
    client.force_login(world.city_leader)
    tile = _api(client)["targets"]
    expected = sorted(
        (s for s in targets.standings(world.city_leader, year=2026, month=6) if s.weak_links),
        key=lambda s: (-s.weak_links, s.unit_name),
    )
    assert [(u["name"], u["weak_links"], u["rank_in_class"]) for u in tile["units"]] == [
        (s.unit_name, s.weak_links, s.rank_in_class) for s in expected
    ]
    assert world.county_b.display_name in [u["name"] for u in tile["units"]]  # 落后25个百分点
    assert tile["ranked"] is True
    assert tile["link"] == "/targets/weak-links/?period=2026-06"


def test_a_county_shows_its_weak_rows_and_its_rank_only_to_city_readers(
    client: Client, world: World
) -> None:
    build_sheet(world)
    client.force_login(world.city_leader)
    drill = _api(client, unit=str(world.county_b.pk))["targets"]
    rows = targets.progress_for_units(
        world.city_leader, year=2026, month=6, unit_ids=[world.county_b.pk]
    )
    assert drill["rows_total"] == len(rows)
    assert [r["sentence"] for r in drill["weak_rows"]] == [r.sentence for r in rows if r.weak]
    assert drill["weak_total"] == 1
    assert drill["units"][0]["rank_in_class"] is not None
    leader = add_user(world, world.county_b, Role.LEADER)
    client.force_login(leader)
    own = _api(client)["targets"]
    assert own["ranked"] is False
    assert own["units"] == []
    assert own["weak_rows"] == drill["weak_rows"]


def test_an_indicator_tile_shows_the_gap_to_its_target(client: Client, world: World) -> None:
    build_sheet(world)
    client.force_login(world.city_leader)
    kpis = _api(client, unit=str(world.county_a.pk))["kpis"]["items"]
    fai = next(k for k in kpis if k["code"] == "fai")
    growth = next(
        r
        for r in targets.progress_for_units(
            world.city_leader, year=2026, month=6, unit_ids=[world.county_a.pk]
        )
        if r.indicator_code == "fai" and r.kind == "growth"
    )
    assert fai["target_gap"] == growth.gap_display  # the growth target beside 同比
    assert fai["target_light"] == growth.light
    page = client.get(reverse("cockpit:home"), {**PERIOD, "unit": str(world.county_a.pk)})
    assert growth.gap_display in page.content.decode()
