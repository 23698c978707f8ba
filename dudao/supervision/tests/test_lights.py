"""Lights at their boundaries with a frozen clock, history per cycle, escalation as data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from dudao.audit.models import AuditEvent
from dudao.core.lights import Light, apply_rule, evaluate
from dudao.supervision import jobs, services
from dudao.supervision.evaluation import WorkdayIndex, progress_lag
from dudao.supervision.models import EscalationItem, LightRecord, LightRule, SupervisionTask
from dudao.supervision.tests.factories import make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _light(task: SupervisionTask, day: date) -> str:
    jobs.recompute_lights(day)
    task.refresh_from_db()
    return task.light


def test_the_rule_engine_bands_through_core_band() -> None:
    rule = LightRule(code="x", label="x", metric="m", yellow_from=Decimal(3), lower_is_worse=True)
    assert apply_rule(rule, 4) == Light.GREEN
    assert apply_rule(rule, 3) == Light.YELLOW
    assert apply_rule(rule, 0) == Light.YELLOW
    assert apply_rule(rule, None) == Light.GREEN
    grey = LightRule(code="g", label="g", metric="c", grey_from=Decimal(1))
    assert apply_rule(grey, 0) == Light.GREEN
    assert apply_rule(grey, 1) == Light.GREY
    both = [rule, grey, LightRule(code="r", label="r", metric="d", red_from=Decimal(1))]
    assert evaluate(both, {"m": 2, "c": 1, "d": 0}).light == Light.GREY
    assert evaluate(both, {"m": 2, "c": 1, "d": 1}).light == Light.RED
    assert evaluate(both, {"m": 2, "c": 0, "d": 0}).light == Light.YELLOW


def test_remaining_workdays_follow_the_2025_national_day_calendar() -> None:
    index = WorkdayIndex(date(2025, 9, 1), date(2025, 10, 31))
    assert index.remaining(date(2025, 10, 9), date(2025, 10, 10)) == 1
    assert index.remaining(date(2025, 10, 10), date(2025, 10, 10)) == 0
    assert index.remaining(date(2025, 9, 26), date(2025, 10, 10)) == 5


def test_progress_lag_uses_the_displayed_values() -> None:
    # 10 of 40 days passed → 25.0%; progress 4.95 shows as 5.0 → lag 20.0 points.
    assert progress_lag(
        Decimal("4.95"), date(2025, 3, 1), date(2025, 4, 10), date(2025, 3, 11)
    ) == Decimal("20.0")


@time_machine.travel(date(2025, 9, 26), tick=False)
def test_the_9_12_example_turns_yellow_then_red(world: World) -> None:
    task = make_task(world, deadline=None, deadline_mode="workday", deadline_amount=5)
    assert task.deadline == date(2025, 10, 10)
    services.post_feedback(actor=world.county_a_reporter, task=task, progress="90", text="推进")
    # On 9/28 (a Sunday worked) 4 workdays remain (9/29, 9/30, 10/9, 10/10): green;
    # on 9/29 three remain: yellow from the threshold 3 (inclusive); §9.12: 10/9 → 1 left.
    assert _light(task, date(2025, 9, 28)) == "green"
    assert _light(task, date(2025, 9, 29)) == "yellow"
    assert _light(task, date(2025, 10, 9)) == "yellow"
    assert task.light_reasons[0]["rule"] == "due_soon"
    assert _light(task, date(2025, 10, 10)) == "yellow"
    assert _light(task, date(2025, 10, 11)) == "red"


def test_yellow_starts_exactly_at_the_threshold(world: World) -> None:
    with time_machine.travel(date(2025, 9, 1), tick=False):
        task = make_task(world, deadline=date(2025, 9, 30), feedback_cycle="monthly")
        services.post_feedback(actor=world.county_a_reporter, task=task, progress="100", text="完")
    # Sep 2025: 25, 26, 29, 30 are workdays. On 9/25 4 remain (green), on 9/26 3 (yellow).
    assert _light(task, date(2025, 9, 25)) == "green"
    assert _light(task, date(2025, 9, 26)) == "yellow"


def test_behind_time_turns_yellow_at_the_margin(world: World) -> None:
    with time_machine.travel(date(2025, 3, 1), tick=False):
        task = make_task(world, deadline=date(2025, 6, 9), feedback_cycle="monthly")  # 100 days
    with time_machine.travel(date(2025, 3, 21), tick=False):  # 20% elapsed
        services.post_feedback(actor=world.county_a_reporter, task=task, progress="0.1", text="x")
    assert _light(task, date(2025, 3, 21)) == "green"  # lag 19.9
    with time_machine.travel(date(2025, 3, 21), tick=False):
        services.post_feedback(actor=world.county_a_reporter, task=task, progress="0", text="x")
    assert _light(task, date(2025, 3, 21)) == "yellow"  # lag 20.0
    assert task.light_reasons[0]["rule"] == "behind_time"


def test_no_feedback_for_a_cycle_is_grey(world: World) -> None:
    with time_machine.travel(date(2025, 3, 3), tick=False):
        task = make_task(world, deadline=date(2025, 12, 31), feedback_cycle="weekly")
    assert _light(task, date(2025, 3, 9)) == "green"
    assert _light(task, date(2025, 3, 10)) == "grey"


def test_thresholds_are_data(world: World) -> None:
    with time_machine.travel(date(2025, 3, 3), tick=False):
        task = make_task(world, deadline=date(2025, 12, 31), feedback_cycle="weekly")
    rule = LightRule.objects.get(code="no_feedback")
    services.update_light_rule(
        actor=world.city_supervisor, rule=rule, version=rule.version, grey_from=Decimal(2)
    )
    assert _light(task, date(2025, 3, 10)) == "green"
    assert AuditEvent.objects.filter(action="supervision.rule_update").count() == 1


def test_history_is_kept_per_cycle_and_escalation_raises_a_letter_once(world: World) -> None:
    with time_machine.travel(date(2025, 3, 3), tick=False):
        task = make_task(world, deadline=date(2025, 4, 30), feedback_cycle="weekly")
        services.post_feedback(actor=world.county_a_reporter, task=task, progress="0", text="x")
    lag = LightRule.objects.get(code="behind_time")
    lag.yellow_from = Decimal(5)
    lag.save()
    grey = LightRule.objects.get(code="no_feedback")
    grey.is_active = False
    grey.save()
    # Cycle 0 (3/3–3/9) and cycle 1 (3/10–3/16) both behind time → 2 consecutive yellows.
    assert _light(task, date(2025, 3, 9)) == "yellow"
    assert not EscalationItem.objects.exists()
    assert _light(task, date(2025, 3, 12)) == "yellow"
    items = list(EscalationItem.objects.filter(task=task))
    assert [(i.action, i.cycle_no) for i in items] == [("letter", 1)]
    jobs.recompute_lights(date(2025, 3, 13))  # the same streak: nothing new
    assert EscalationItem.objects.filter(task=task).count() == 1
    records = list(LightRecord.objects.filter(task=task).order_by("cycle_no"))
    assert [(r.cycle_no, r.light) for r in records] == [(0, "yellow"), (1, "yellow")]
    assert AuditEvent.objects.filter(action="supervision.escalate").count() == 1


def test_three_red_cycles_raise_an_interview(world: World) -> None:
    with time_machine.travel(date(2025, 3, 3), tick=False):
        task = make_task(world, deadline=date(2025, 3, 5), feedback_cycle="weekly")
    LightRule.objects.filter(code="no_feedback").update(is_active=False)
    for day in (date(2025, 3, 6), date(2025, 3, 10), date(2025, 3, 17)):
        assert _light(task, day) == "red"
    item = EscalationItem.objects.get(task=task, action="interview")
    assert item.cycle_no == 2
    # The letter rule counts red as at least yellow: two red cycles also raised a letter.
    assert EscalationItem.objects.filter(task=task, action="letter").count() == 1


def test_closed_tasks_are_not_recomputed(world: World) -> None:
    task = make_task(world, issue=False)
    result = jobs.recompute_lights(task.created_at.date() + timedelta(days=1))
    assert result.tasks == 0
