"""Issue 21 item 2: one deadline service. A problem's time limit computed in a year the holiday
calendar does not know (2026-12-07 + 30 自然日 → 2027-01-06 while 2027 is unconfirmed) is shown
as 暂定 on the pages, in the API and in the export, and is recomputed — audited, idempotently —
when the 系统管理员 confirms 2027's holidays; supervision tasks follow the same signal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dudao.audit.models import AuditEvent
from dudao.problems import services
from dudao.problems.models import Problem
from dudao.problems.tests.factories import category, make_problem
from dudao.testing import World
from dudao.workdays import services as calendar
from dudao.workdays.calendar import chinese_calendar_knows

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _on_7_december_2026() -> object:
    assert not chinese_calendar_knows(2027)  # the premise: 2027 is not in the package
    with time_machine.travel(TODAY, tick=False):
        yield


def _sla_problem(world: World) -> Problem:
    return services.create_problem(
        actor=world.city_supervisor,
        source=Problem.Source.SUPERVISION,
        category=category("funding"),  # 30 自然日
        title="资金未拨付到位",
        responsible_org=world.county_a,
    )


def _confirm_2027(world: World) -> None:
    calendar.set_override(
        actor=world.sysadmin,
        date=dt.date(2027, 1, 1),
        is_workday=False,
        name="元旦",
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )
    calendar.set_year_status(
        actor=world.sysadmin,
        year=2027,
        published=True,
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )


def test_a_problem_deadline_in_an_unknown_year_is_provisional_everywhere(
    client: Client, world: World
) -> None:
    problem = _sla_problem(world)
    assert problem.deadline == dt.date(2027, 1, 6)
    assert problem.deadline_provisional
    assert (problem.deadline_start, problem.deadline_amount) == (TODAY, 30)
    client.force_login(world.city_supervisor)
    detail = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert 'id="deadline-provisional">（暂定）' in detail
    ledger = client.get(reverse("problems:list")).content.decode()
    assert "2027-01-06<span" in ledger
    assert "（暂定）" in ledger
    item = client.get(reverse("api:problem_detail", args=[problem.pk])).json()
    assert (item["deadline"], item["deadline_provisional"]) == ("2027-01-06", True)
    export = client.get(reverse("problems:export"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("问题台账")
    row = next(r for r in rows.to_python() if r[0] == problem.code)
    assert row[8] == "2027-01-06（暂定）"


def test_a_date_given_by_hand_is_firm(world: World) -> None:
    problem = make_problem(world, deadline=dt.date(2027, 1, 6))
    assert not problem.deadline_provisional
    assert problem.deadline_start is None


def test_confirming_the_year_makes_the_deadline_firm_once_and_audited(world: World) -> None:
    problem = _sla_problem(world)
    _confirm_2027(world)
    problem.refresh_from_db()
    assert (problem.deadline, problem.deadline_provisional) == (dt.date(2027, 1, 6), False)
    events = AuditEvent.objects.filter(action="problem.deadline_recompute")
    assert events.count() == 1
    event = events.get()
    assert event.actor_id == world.sysadmin.pk
    before, after = event.before or {}, event.after or {}
    assert before["deadline_provisional"] is True
    assert after["deadline_provisional"] is False
    assert "deadline" not in after  # the same day, now firm
    note = problem.events.get(note__contains="节假日安排已录入").note
    assert note == "2027年节假日安排已录入，整改时限由2027年1月6日重算为2027年1月6日（已确定）"
    # confirming again (e.g. a corrected source) changes nothing and audits nothing more
    calendar.set_year_status(actor=world.sysadmin, year=2027, published=True, source="再次确认")
    assert events.count() == 1


def test_confirming_the_year_moves_a_deadline_that_falls_on_a_new_rest_day(
    world: World,
) -> None:
    problem = _sla_problem(world)
    calendar.set_override(
        actor=world.sysadmin,
        date=dt.date(2027, 1, 6),
        is_workday=False,
        name="地方假日",
        source="示范市人民政府通知（演示）",
    )
    _confirm_2027(world)
    problem.refresh_from_db()
    # 6 January is now a rest day: the 自然日 period rolls to Thursday 7 January (民法典 203)
    assert (problem.deadline, problem.deadline_provisional) == (dt.date(2027, 1, 7), False)


def test_a_task_deadline_follows_the_same_signal(world: World) -> None:
    from dudao.supervision.models import SupervisionTask
    from dudao.supervision.tests.factories import make_task

    task = make_task(world, deadline=None, deadline_mode="workday", deadline_amount=20)
    assert task.deadline_provisional
    before = task.deadline
    assert before is not None
    _confirm_2027(world)
    task = SupervisionTask.objects.get(pk=task.pk)
    assert not task.deadline_provisional
    # 2027-01-01 entered as a rest day: twenty workdays reach one day further than the guess
    assert task.deadline == before + dt.timedelta(days=1)
    assert AuditEvent.objects.filter(action="supervision.task_deadline_recompute").count() == 1


def test_an_override_entered_after_confirmation_recomputes_once_and_audited(world: World) -> None:
    """Issue 21: a correction to a confirmed year (a 调休 day entered late) reaches the 暂定
    deadlines counted over it — the same recompute as the confirmation, idempotent, audited."""
    from dudao.supervision.models import SupervisionTask
    from dudao.supervision.tests.factories import make_task

    task = make_task(world, deadline=None, deadline_mode="workday", deadline_amount=300)
    _confirm_2027(world)
    task = SupervisionTask.objects.get(pk=task.pk)
    assert task.deadline is not None
    assert task.deadline.year == 2028  # three hundred workdays reach the unknown 2028
    assert task.deadline_provisional
    before = task.deadline
    events = AuditEvent.objects.filter(action="supervision.task_deadline_recompute")
    recomputed = events.count()
    day = dt.date(2027, 5, 6)  # a Thursday of 2027, now a rest day
    source = "国务院办公厅关于2027年部分节假日安排的通知（补充）"
    calendar.set_override(
        actor=world.sysadmin, date=day, is_workday=False, name="劳动节", source=source
    )
    task = SupervisionTask.objects.get(pk=task.pk)
    assert task.deadline_provisional
    assert task.deadline is not None
    assert task.deadline > before  # one workday fewer in 2027: the limit reaches further
    assert events.count() == recomputed + 1
    assert events.latest("pk").actor_id == world.sysadmin.pk
    moved = task.deadline
    # the same override again: nothing changes, nothing more is audited
    calendar.set_override(
        actor=world.sysadmin, date=day, is_workday=False, name="劳动节", source=source
    )
    assert SupervisionTask.objects.get(pk=task.pk).deadline == moved
    assert events.count() == recomputed + 1
    # removing it puts the deadline back, audited once more
    calendar.delete_override(actor=world.sysadmin, date=day, reason="录入有误")
    assert SupervisionTask.objects.get(pk=task.pk).deadline == before
    assert events.count() == recomputed + 2


def test_an_override_of_an_unconfirmed_year_waits_for_the_confirmation(world: World) -> None:
    from dudao.supervision.models import SupervisionTask
    from dudao.supervision.tests.factories import make_task

    task = make_task(world, deadline=None, deadline_mode="workday", deadline_amount=20)
    before = task.deadline
    calendar.set_override(
        actor=world.sysadmin,
        date=dt.date(2027, 1, 1),
        is_workday=False,
        name="元旦",
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )
    assert SupervisionTask.objects.get(pk=task.pk).deadline == before
    assert not AuditEvent.objects.filter(action="supervision.task_deadline_recompute").exists()
