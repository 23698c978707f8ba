"""One rule in one place for 重大项目: the strict period, the lock scope, parks in scope, the
quarter and 序时进度 from `rules`, and the ledger bridge by signal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dudao.core.exceptions import DomainError
from dudao.evaluation.tests.factories import make_park
from dudao.projects import rules, selectors, services
from dudao.projects.testing import make_project, report
from dudao.testing import World

pytestmark = pytest.mark.django_db  # every test in a savepoint of its own (not the module's world)


def login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_quarter_and_elapsed_share_are_computed_once() -> None:
    assert [rules.quarter_of(m) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert rules.quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2027, 1, 1))
    assert rules.elapsed_pct(6) == Decimal("50.00")
    assert rules.previous_month(2026, 1) == (2025, 12)
    assert rules.month_end(2024, 2) == date(2024, 2, 29)


def test_a_bad_period_is_never_silently_another_month() -> None:
    year, month, message = selectors.page_period("2026-13")
    assert (year, month) == selectors.reporting_period()
    assert "月份应为 1–12" in message
    assert "已显示" in message
    assert selectors.page_period("2026-03") == (2026, 3, "")
    with pytest.raises(DomainError):
        selectors.api_period("2026-13")
    with pytest.raises(DomainError):
        selectors.api_period("abc")


def test_the_page_says_when_it_shows_another_month(client: Client, world: World) -> None:
    login(client, world.county_a_reporter)
    r = client.get(reverse("projects:list") + "?period=2026-13")
    assert r.status_code == 200
    assert "已显示" in r.content.decode()
    bad = client.get("/api/v1/projects?period=2026-13")
    assert bad.status_code in (400, 422)


def test_the_park_picker_and_the_link_are_limited_to_the_scope(
    client: Client, world: World
) -> None:
    mine = make_park(name="甲园", city=None, organisation=world.park_a)
    theirs = make_park(name="乙园", city=None, organisation=world.park_b)
    picks = set(selectors.park_choices(world.county_a_reporter))
    assert mine in picks
    assert theirs not in picks
    with pytest.raises(DomainError, match="园区"):
        make_project(world, actor=world.county_a_reporter, park=theirs)
    login(client, world.county_a_reporter)
    page = client.get(reverse("projects:create")).content.decode()
    assert "甲园" in page
    assert "乙园" not in page


def test_unlock_uses_one_lock_scope(world: World) -> None:
    from dudao.projects.models import MonthLock

    lock = MonthLock.objects.create(
        county=world.county_b, year=2026, month=1, locked_by=world.city_supervisor
    )
    assert lock in selectors.locks_in_scope(world.city_supervisor)
    assert lock not in selectors.locks_in_scope(world.county_a_reporter)


def test_report_problem_goes_to_the_ledger_through_the_signal(world: World) -> None:
    from dudao.problems.tests.factories import category

    p = make_project(world)
    r = report(world, p, 3, "10", has_problem=True, problem_text="用地手续未办结")
    r = services.report_to_problem(
        actor=world.county_a_reviewer, report=r, category=category(), deadline=None
    )
    assert r.problem_ref is not None
    assert r.problem_ref.title.endswith("用地手续未办结")
    assert r.problem_ref.source_ref == f"projects.monthlyreport:{r.pk}"
