"""督查通报 from the tasks: an overdue task is counted and its unit criticised, by the
supervision module's own performance figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dudao.bulletins import services
from dudao.core.periods import Period
from dudao.supervision import selectors as supervision
from dudao.supervision.tests.factories import make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_overdue_task_is_counted_and_criticised(world: World) -> None:
    today = timezone.localdate()
    make_task(world, deadline=today + timedelta(days=10))
    later = today + timedelta(days=100)
    period = Period.month(later.year, later.month)
    b = services.make_draft(actor=world.city_supervisor, kind="supervision", period=period)
    units = supervision.unit_performance(
        world.city_supervisor, today=period.first_day.replace(day=28)
    )
    overdue = sum(u.overdue for u in units)
    assert overdue == 1
    figures = {f.key: f.display for f in b.figures.all()}
    assert figures["due"] == "1"
    assert figures["overdue"] == "1"
    assert figures["on_time_rate"] == "0.0"
    assert "予以通报批评" in b.search_text
    assert "本期没有按期办结全部到期任务的单位" in b.search_text
    assert "None" not in b.search_text
