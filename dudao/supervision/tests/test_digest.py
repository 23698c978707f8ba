"""The daily digest: one per responsible user and day, never twice, silent when empty."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from dudao.accounts import services as account_services
from dudao.audit.models import AuditEvent
from dudao.supervision import jobs
from dudao.supervision.models import Notification
from dudao.supervision.tests.factories import make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_it_is_silent_when_there_is_nothing_to_say(world: World) -> None:
    make_task(world, deadline=timezone.localdate() + timedelta(days=90))
    result = jobs.send_digests()
    assert result.sent == 0
    assert not Notification.objects.filter(kind="digest").exists()
    assert not AuditEvent.objects.filter(action="supervision.digest_send").exists()


def test_it_sends_one_digest_per_user_and_day(world: World) -> None:
    account_services.update_user(
        actor=world.sysadmin, user=world.county_a_reviewer, email="a_reviewer@example.invalid"
    )
    with time_machine.travel(date(2025, 9, 26), tick=False):
        make_task(world, deadline=date(2025, 9, 30), title="临近任务")
        make_task(world, deadline=date(2025, 9, 26), title="今日到期")
    with time_machine.travel(date(2025, 9, 29), tick=False):
        first = jobs.send_digests()
        again = jobs.send_digests()
    # county A's reviewer (the unit) and its 发改委 reporter (an office scoped to the county).
    assert first.sent == 2
    assert again.sent == 0
    assert again.skipped_existing == 2
    digest = Notification.objects.get(user=world.county_a_reviewer, kind="digest")
    assert "已逾期 1 项" in digest.body
    assert "今日到期（时限 2025年9月26日，已逾期 3 天）" in digest.body
    assert "即将到期 1 项" in digest.body
    assert "剩余 1 个工作日" in digest.body
    assert not Notification.objects.filter(user=world.county_b_reporter, kind="digest").exists()
    assert not Notification.objects.filter(user=world.park_reporter, kind="digest").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a_reviewer@example.invalid"]
    assert AuditEvent.objects.filter(action="supervision.digest_send").count() == 1


def test_the_command_runs_lights_and_digests(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(date(2025, 9, 26), tick=False):
        make_task(world, deadline=date(2025, 9, 26))
    call_command("supervision_daily", "--date", "2025-09-29")
    out = capsys.readouterr().out
    assert "亮灯：1 项任务" in out
    assert "提醒：发送 2 条" in out
    call_command("supervision_daily", "--date", "2025-09-29")
    assert "提醒：发送 0 条，已发送过 2 条" in capsys.readouterr().out


def test_the_periodic_task_runs_the_daily_job(world: World) -> None:
    from datetime import UTC, datetime

    from dudao.supervision.tasks import supervision_daily

    make_task(world, deadline=timezone.localdate() + timedelta(days=1))
    result = supervision_daily.call_local()
    assert result["lights"]["tasks"] == 1
    assert result["digests"]["sent"] == 2

    # Scheduled at 23:30 UTC, which is 07:30 in Asia/Shanghai.
    def naive_utc(hour: int) -> datetime:  # what huey's scheduler passes
        return datetime(2026, 1, 1, hour, 30, tzinfo=UTC).replace(tzinfo=None)

    assert supervision_daily.task_class().validate_datetime(naive_utc(23))
    assert not supervision_daily.task_class().validate_datetime(naive_utc(7))


def test_registered_sources_add_lines_to_their_units_digest(world: World) -> None:
    """The extension point for modules above 督查督办 (招商引资's stalled deals use it)."""
    from dudao.supervision.services import digest

    seen: list[date] = []

    def source(today: date) -> dict[int, list[str]]:
        seen.append(today)
        return {world.county_b_drc.pk: ["【示范】乙县的一条提醒"]}

    saved = dict(digest._SOURCES)
    try:
        digest.register_digest_source("test.source", source)
        result = jobs.send_digests(date(2025, 9, 29))
    finally:
        digest._SOURCES.clear()
        digest._SOURCES.update(saved)
    assert seen == [date(2025, 9, 29)]
    assert result.sent >= 1
    note = Notification.objects.get(kind="digest", user=world.county_b_reporter)
    assert "【示范】乙县的一条提醒" in note.body
    assert not Notification.objects.filter(kind="digest", user=world.county_a_reporter).exists()
