"""One lateness rule: for a problem with a 工作日 time limit, the ledger, the unit-performance
page and the daily digest agree (they all call `dudao.problems.rules`).

Due Fri 2025-06-13 in 工作日: closed on Sat 06-14 it was closed on time (no workday passed); on
Sun 06-15 an open one is not yet late; on Mon 06-16 it is 1 个工作日 late. The old copies said
"closed late", "已逾期 2 天" and "已逾期 3 天"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from dudao.problems import selectors as problem_selectors
from dudao.problems.models import Problem
from dudao.problems.rules import closed_on_time, lateness
from dudao.problems.tests.factories import category, make_problem, walk
from dudao.supervision import jobs, selectors
from dudao.supervision.models import Notification
from dudao.testing import World

pytestmark = pytest.mark.django_db

DUE = dt.date(2025, 6, 13)  # a Friday
SAT, SUN, MON = (DUE + dt.timedelta(days=n) for n in (1, 2, 3))


def _at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC), tick=False)


def test_a_workday_deadline_is_judged_the_same_everywhere(world: World) -> None:
    with _at(dt.date(2025, 6, 10)):
        closed = make_problem(
            world, deadline=DUE, category=category("approval"), title="周六销号的问题"
        )
        still_open = make_problem(
            world, deadline=DUE, category=category("approval"), title="仍在整改的问题"
        )
    assert closed.deadline_unit == still_open.deadline_unit == "workday"
    with _at(SAT):
        closed = walk(world, closed, Problem.Status.CLOSED)
    # The rule itself.
    assert closed_on_time(DUE, SAT, "workday")
    assert lateness(DUE, SUN, "workday") == 0
    assert lateness(DUE, MON, "workday") == 1
    # The ledger.
    assert closed.closed_on_time is True
    rows = {r.problem.title: r for r in problem_selectors.ledger_rows([closed, still_open], SUN)}
    assert rows["周六销号的问题"].late_text == "按期销号"
    assert not rows["仍在整改的问题"].overdue

    # Sunday: the unit-performance page counts the closed one on time and the open one not due.
    county_a = next(
        r
        for r in selectors.unit_performance(world.city_supervisor, today=SUN)
        if r.org_id == world.county_a.pk
    )
    assert (county_a.problems_due, county_a.problems_on_time) == (1, 1)
    assert county_a.problems_rate_text == "100.0%"
    # … and the digest does not call it late.
    jobs.send_digests(SUN)
    sunday = Notification.objects.get(user=world.county_a_reviewer, kind="digest", digest_date=SUN)
    assert "已逾期" not in sunday.body
    assert "仍在整改的问题" in sunday.body

    # Monday: 1 个工作日 late in the ledger, on the page and in the digest.
    rows = {r.problem.title: r for r in problem_selectors.ledger_rows([still_open], MON)}
    assert rows["仍在整改的问题"].late_text == "逾期1个工作日"
    county_a = next(
        r
        for r in selectors.unit_performance(world.city_supervisor, today=MON)
        if r.org_id == world.county_a.pk
    )
    assert (county_a.problems_due, county_a.problems_on_time) == (2, 1)
    jobs.send_digests(MON)
    monday = Notification.objects.get(user=world.county_a_reviewer, kind="digest", digest_date=MON)
    assert "【问题·红灯】" in monday.body
    assert "仍在整改的问题（时限 2025年6月13日，已逾期1个工作日）" in monday.body
