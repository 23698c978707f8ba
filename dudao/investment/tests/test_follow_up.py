"""跟踪问效: a stalled deal sent to the supervision task list in one action (the supervision
module's own service, issued to the responsible unit, audited, idempotent, scoped), and the
stalled deals of each responsible unit in 督查督办's daily digest."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.investment import selectors, services
from dudao.investment.models import Deal, Stage
from dudao.investment.tests.factories import make_deal, walk
from dudao.supervision.jobs import send_digests
from dudao.supervision.models import Notification, SupervisionTask
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db


def _stalled(world: World, days: int = 200, **fields: Any) -> Deal:
    """A deal signed `days` ago and never registered (red after 180 days by default)."""
    start = timezone.localdate() - dt.timedelta(days=days + 2)
    deal = make_deal(world, **fields)
    return walk(world, deal, Stage.SIGNED, start=start, actor=world.city_supervisor)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_stalled_deal_becomes_an_issued_task_of_its_responsible_unit(world: World) -> None:
    deal = _stalled(world)
    assert selectors.stalls([deal])[deal.pk].light == "red"
    deadline = timezone.localdate() + dt.timedelta(days=20)
    task = services.send_to_supervision(
        actor=world.city_supervisor, deal=deal, deadline=deadline, note="本月内完成工商注册"
    )
    assert isinstance(task, SupervisionTask)
    assert task.status == SupervisionTask.Status.ASSIGNED
    assert task.lead_org == world.county_a_drc
    assert task.deadline == deadline
    assert "签约" in task.content
    assert "红灯" in task.content
    assert "本月内完成工商注册" in task.content
    assert "注册" in task.goal
    assert task.source.source_ref == f"investment.deal:{deal.pk}"
    deal.refresh_from_db()
    assert deal.supervision_task_id == task.pk
    assert deal.events.filter(action="send", note__contains=task.code).exists()
    assert AuditEvent.objects.filter(action="deal.send_task", object_id=str(deal.pk)).exists()


def test_sending_twice_returns_the_same_task(world: World) -> None:
    deal = _stalled(world)
    first = services.send_to_supervision(actor=world.city_supervisor, deal=deal)
    again = services.send_to_supervision(actor=world.city_supervisor, deal=deal.pk)
    assert again.pk == first.pk
    assert SupervisionTask.objects.count() == 1
    assert AuditEvent.objects.filter(action="deal.send_task").count() == 1


def test_who_may_send_and_what(world: World) -> None:
    deal = _stalled(world)
    with pytest.raises(NotAllowed):
        services.send_to_supervision(actor=world.county_a_reviewer, deal=deal)
    with pytest.raises(DomainError, match="不能早于今天"):
        services.send_to_supervision(
            actor=world.city_supervisor,
            deal=deal,
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    terminated = make_deal(world, name="示范终止项目")
    terminated = services.terminate(
        actor=world.city_supervisor,
        deal=terminated,
        version=terminated.version,
        reason=Deal.TerminationReason.choices[0][0],
        note="投资方撤回",
    )
    with pytest.raises(InvalidTransition):
        services.send_to_supervision(actor=world.city_supervisor, deal=terminated)
    assert SupervisionTask.objects.count() == 0


def test_the_page_button_sends_once_and_then_shows_the_link(world: World) -> None:
    deal = _stalled(world)
    client = _client(world.city_supervisor)
    url = reverse("investment:detail", args=[deal.pk])
    page = client.get(url).content.decode()
    assert "移交督查督办" in page
    assert reverse("investment:send_task", args=[deal.pk]) in page
    response = client.post(
        reverse("investment:send_task", args=[deal.pk]), {"deadline": "", "note": ""}
    )
    assert response.status_code == 302
    task = SupervisionTask.objects.get()
    page = client.get(url).content.decode()
    assert reverse("supervision:task_detail", args=[task.pk]) in page
    assert 'id="send-task-button"' not in page
    response = client.post(reverse("investment:send_task", args=[deal.pk]), {"deadline": "x"})
    assert response.status_code == 400
    assert "完成时限" in response.content.decode()
    assert SupervisionTask.objects.count() == 1


def test_the_api_sends_and_is_idempotent(world: World) -> None:
    deal = _stalled(world)
    client = _client(world.city_supervisor)
    url = f"/api/v1/deals/{deal.pk}/send-task"
    past = client.post(url, json.dumps({"deadline": "2020-01-01"}), content_type="application/json")
    assert past.status_code == 400
    assert "不能早于今天" in past.json()["error"]["message"]
    assert SupervisionTask.objects.count() == 0
    first = client.post(url, json.dumps({"note": "抓紧注册"}), content_type="application/json")
    assert first.status_code == 200, first.content
    task_id = first.json()["supervision_task_id"]
    assert task_id == SupervisionTask.objects.get().pk
    again = client.post(url, json.dumps({}), content_type="application/json")
    assert again.status_code == 200
    assert again.json()["supervision_task_id"] == task_id
    # Already sent: the link is returned, not a second task (nor a complaint about the date).
    late = client.post(url, json.dumps({"deadline": "2020-01-01"}), content_type="application/json")
    assert late.status_code == 200
    assert late.json()["supervision_task_id"] == task_id
    assert SupervisionTask.objects.count() == 1


def test_another_countys_deal_is_404(world: World) -> None:
    deal = _stalled(world)
    outsider = add_user(world, world.county_b, Role.SUPERVISOR)
    client = _client(outsider)
    assert client.post(reverse("investment:send_task", args=[deal.pk])).status_code == 404
    response = client.post(
        f"/api/v1/deals/{deal.pk}/send-task", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 404
    assert SupervisionTask.objects.count() == 0


def test_the_daily_digest_lists_the_units_stalled_deals(world: World) -> None:
    red = _stalled(world, 200, name="示范红灯项目")
    yellow = _stalled(world, 100, name="示范黄灯项目")
    _stalled(world, 10, name="示范按期项目")
    _stalled(world, 200, responsible=world.county_b_drc, name="示范乙县项目")
    lines = selectors.stalled_digest_lines(timezone.localdate())
    own = lines[world.county_a_drc.pk]
    assert own[0] == "推进停滞的招商项目 2 个："
    assert red.code in own[1]
    assert "红灯" in own[1]
    assert yellow.code in own[2]
    assert "黄灯" in own[2]
    assert not any("按期" in line for line in own)
    assert not any("乙县" in line for line in own)
    assert any("示范乙县项目" in line for line in lines[world.county_b_drc.pk])

    send_digests(timezone.localdate())
    note = Notification.objects.get(kind="digest", user=world.county_a_reporter)
    assert "示范红灯项目" in note.body
    assert "示范乙县项目" not in note.body
    other = Notification.objects.get(kind="digest", user=world.county_b_reporter)
    assert "示范乙县项目" in other.body
    assert "示范红灯项目" not in other.body
