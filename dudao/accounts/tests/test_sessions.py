"""AUTH-*: idle timeout 30 minutes (administrators 15), absolute lifetime 12 hours."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.testing import ActorName, World, login_form, login_with_second_factor

pytestmark = pytest.mark.django_db

LOGGED_OUT = f"{reverse('login')}?next=/"


@pytest.fixture
def clock(time_machine: time_machine.TimeMachineFixture) -> time_machine.TimeMachineFixture:
    """A stopped clock one day ahead (the world was built in real time before it)."""
    time_machine.move_to(timezone.now() + dt.timedelta(days=1), tick=False)
    return time_machine


@pytest.mark.parametrize(
    ("actor", "username", "idle_minutes", "logged_in"),
    [
        ("county_a_reporter", "a_reporter", 29, True),
        ("county_a_reporter", "a_reporter", 31, False),
        ("city_leader", "leader", 29, True),
        ("city_leader", "leader", 31, False),
        ("sysadmin", "sysadmin", 14, True),
        ("sysadmin", "sysadmin", 16, False),
        ("secadmin", "secadmin", 16, False),
        ("auditadmin", "auditadmin", 14, True),
        ("auditadmin", "auditadmin", 16, False),
    ],
)
def test_it_ends_an_idle_session(
    client: Client,
    world: World,
    clock: time_machine.TimeMachineFixture,
    *,
    actor: ActorName,
    username: str,
    idle_minutes: int,
    logged_in: bool,
) -> None:
    assert login_with_second_factor(client, username).status_code == 302
    clock.shift(dt.timedelta(minutes=idle_minutes))
    response = client.get(reverse("home"))
    if logged_in:
        assert response.status_code == 200
        assert response.context["user"] == world.actor(actor)
        assert not AuditEvent.objects.filter(action="auth.session_expired").exists()
    else:
        assert response.status_code == 302
        assert response["Location"] == LOGGED_OUT
        event = AuditEvent.objects.filter(action="auth.session_expired").get()
        assert event.actor == world.actor(actor)
        login_page = client.get(response["Location"])
        assert '<li class="msg-info">会话已超时，请重新登录。</li>' in login_page.content.decode()
        assert client.get(reverse("home"))["Location"] == LOGGED_OUT  # and it stays ended


def test_it_answers_an_idle_api_session_with_401_json(
    client: Client, world: World, clock: time_machine.TimeMachineFixture
) -> None:
    login_form(client, "a_reporter")
    assert client.get(reverse("api:me")).status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "session_expired", "message": "会话已超时，请重新登录。"}
    }
    # The session is gone: the next call is plainly unauthenticated.
    assert client.get(reverse("api:me")).json()["error"]["code"] == "unauthenticated"


def test_it_keeps_an_active_session_alive(
    client: Client, world: World, clock: time_machine.TimeMachineFixture
) -> None:
    login_form(client, "a_reporter")
    for _ in range(6):  # 2 h 30 min in steps of 25 minutes
        clock.shift(dt.timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 200


def test_it_ends_a_session_twelve_hours_after_login_however_active(
    client: Client, world: World, clock: time_machine.TimeMachineFixture
) -> None:
    login_form(client, "a_reporter")
    for _ in range(35):  # active every 20 minutes: 11 h 40 min
        clock.shift(dt.timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200
    clock.shift(dt.timedelta(minutes=19))  # 11 h 59 min
    assert client.get(reverse("home")).status_code == 200
    clock.shift(dt.timedelta(minutes=2))  # 12 h 01 min
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == LOGGED_OUT
    assert AuditEvent.objects.filter(action="auth.session_expired").count() == 1
