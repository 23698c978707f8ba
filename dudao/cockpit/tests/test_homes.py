"""`/` for each role: its own work this month; the account page keeps the account details."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.cockpit.tests.factories import build
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _home(client: Client, user: object) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_each_role_lands_on_its_own_work(client: Client, world: World) -> None:
    build(world)
    reporter = _home(client, world.county_a_reporter)
    assert 'id="home-due"' in reporter
    assert "去填报月报" in reporter
    assert 'id="home-problems"' in reporter
    assert 'id="home-chase"' not in reporter
    reviewer = _home(client, world.county_a_reviewer)
    assert 'id="home-due"' in reviewer
    assert 'id="home-tasks"' in reviewer
    supervisor = _home(client, world.city_supervisor)
    assert 'id="home-chase"' in supervisor
    assert 'id="home-unreported"' in supervisor
    assert 'id="home-due"' not in supervisor
    judge = _home(client, world.judge)
    assert 'id="home-judge"' in judge
    assert "进入评分" in judge
    for admin, page in (
        (world.sysadmin, "用户管理"),
        (world.secadmin, "两步验证设置"),
        (world.auditadmin, "审计日志"),
    ):
        text = _home(client, admin)
        assert 'id="home-admin"' in text
        assert page in text
        assert 'id="home-due"' not in text
    leader = _home(client, world.city_leader)
    assert "驾驶舱" in leader
    assert 'data-tile="projects"' in leader


def test_the_judge_sees_the_tour_being_scored_first(client: Client, world: World) -> None:
    from dudao.inspections.tests.factories import make_tour_world

    make_tour_world(world, open_scoring=False, county_judge=False)
    scoring = make_tour_world(world, county_judge=False)
    client.force_login(world.judge)
    seats = client.get(reverse("home")).context["h"].judge_seats
    assert seats[0].tour == scoring.tour


def test_the_account_details_stay_one_click_away(client: Client, world: World) -> None:
    client.force_login(world.county_a_reporter)
    home = client.get(reverse("home")).content.decode()
    assert reverse("account") in home
    account = client.get(reverse("account")).content.decode()
    assert "所属单位" in account
    assert "数据范围" in account
