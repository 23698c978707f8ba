"""AUTH-*: login, lockout after 5 failures for 30 minutes, one message for every failure,
unlock by 安全管理员, session rotation, logout and disabling that really end sessions."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import LoginSession
from dudao.accounts.services import reset_password, set_user_active
from dudao.accounts.views import LOGIN_FAILED
from dudao.audit.models import AuditEvent
from dudao.testing import TEST_PASSWORD, World, login_form

if TYPE_CHECKING:
    from dudao.testing import TestResponse

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Passw0rd"
ERROR_RE = re.compile(r'<p class="error" role="alert" id="login-error">(.*?)</p>')


def _error(response: TestResponse) -> str | None:
    match = ERROR_RE.search(response.content.decode())
    return match.group(1) if match else None


def _page_shape(response: TestResponse, username: str) -> str:
    """The login page with the typed username and the per-request CSRF tokens blanked."""
    html = response.content.decode().replace(username, "USERNAME")
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = login_form(client, username, WRONG)
        assert (response.status_code, _error(response)) == (200, LOGIN_FAILED)


def test_it_logs_in_with_the_right_password(client: Client, world: World) -> None:
    response = login_form(client, "a_reporter")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == world.county_a_reporter


def test_it_accepts_the_username_in_any_case(client: Client, world: World) -> None:
    assert login_form(client, " A_Reporter ").status_code == 302
    assert client.get(reverse("home")).context["user"] == world.county_a_reporter


def test_it_gives_one_answer_for_unknown_user_wrong_password_and_lock(
    client: Client, world: World
) -> None:
    unknown = login_form(client, "no_such_user", WRONG)
    wrong = login_form(client, "a_reporter", WRONG)
    _fail(client, "a_reporter", 3)
    fifth = login_form(client, "a_reporter", WRONG)
    locked_right_password = login_form(client, "a_reporter", TEST_PASSWORD)

    for response in (unknown, wrong, fifth, locked_right_password):
        assert response.status_code == 200
        assert _error(response) == LOGIN_FAILED
    assert LOGIN_FAILED == "用户名或密码错误。连续失败5次，账户将被锁定30分钟。"
    assert _page_shape(unknown, "no_such_user") == _page_shape(wrong, "a_reporter")
    assert _page_shape(locked_right_password, "a_reporter") == _page_shape(wrong, "a_reporter")
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert client.get(reverse("home")).status_code == 302


def test_it_locks_for_thirty_minutes_after_five_failures(
    client: Client, world: World, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(timezone.now() + dt.timedelta(days=1), tick=False)
    _fail(client, "a_reporter", 5)
    failures = AuditEvent.objects.filter(action__in=["auth.login_failed", "auth.lockout"])
    assert list(failures.values_list("action", "success")) == [
        ("auth.lockout", False),
        *[("auth.login_failed", False)] * 4,
    ]

    time_machine.shift(dt.timedelta(minutes=29, seconds=59))
    response = login_form(client, "a_reporter", TEST_PASSWORD)
    assert (response.status_code, _error(response)) == (200, LOGIN_FAILED)

    time_machine.shift(dt.timedelta(seconds=2))  # 30 min 1 s after the fifth failure
    assert login_form(client, "a_reporter", TEST_PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_it_does_not_lock_after_four_failures_and_resets_on_success(
    client: Client, world: World
) -> None:
    _fail(client, "a_reporter", 4)
    assert login_form(client, "a_reporter").status_code == 302
    client.logout()
    _fail(client, "a_reporter", 4)  # the success reset the count: four more are allowed
    assert login_form(client, "a_reporter").status_code == 302


def test_it_counts_failures_per_username_whatever_its_case(client: Client, world: World) -> None:
    for typed in ("a_reporter", "A_reporter", "a_Reporter", "A_REPORTER", "a_REPORTER"):
        _fail(client, typed, 1)
    response = login_form(client, "a_reporter", TEST_PASSWORD)
    assert (response.status_code, _error(response)) == (200, LOGIN_FAILED)


def test_it_locks_only_the_attacked_account(client: Client, world: World) -> None:
    _fail(client, "a_reporter", 5)
    assert login_form(client, "a_reviewer").status_code == 302


def test_it_lets_secadmin_unlock_an_account_and_audits_it(client: Client, world: World) -> None:
    _fail(client, "A_Reporter", 5)
    admin = Client()
    admin.force_login(world.secadmin)
    url = reverse("users:unlock", kwargs={"pk": world.county_a_reporter.pk})
    response = admin.post(url, {"reason": "本人电话确认"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "users:detail", kwargs={"pk": world.county_a_reporter.pk}
    )
    event = AuditEvent.objects.filter(action="auth.unlock").get()
    assert (event.actor, event.organisation, event.after, event.reason) == (
        world.secadmin,
        world.county_a_drc,
        {"cleared_attempts": 1},
        "本人电话确认",
    )
    assert not AccessAttempt.objects.exists()
    assert login_form(client, "a_reporter").status_code == 302


def test_it_rotates_the_session_key_at_login(client: Client, world: World) -> None:
    before = SessionStore()
    before["planted"] = True
    before.create()
    assert before.session_key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    assert login_form(client, "a_reporter").status_code == 302
    after = _session_key(client)
    assert after != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()
    assert LoginSession.objects.get(session_key=after).user == world.county_a_reporter


def test_it_deletes_the_server_side_session_at_logout(client: Client, world: World) -> None:
    login_form(client, "a_reporter")
    key = _session_key(client)
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()
    assert not LoginSession.objects.filter(session_key=key).exists()
    assert (
        AuditEvent.objects.filter(action="auth.logout", actor=world.county_a_reporter).count() == 1
    )
    # The old cookie is worthless even if replayed.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get(reverse("home"))["Location"] == f"{reverse('login')}?next=/"


def test_it_refuses_logout_by_get(client: Client, world: World) -> None:
    login_form(client, "a_reporter")
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_it_ends_every_session_of_a_disabled_user(client: Client, world: World) -> None:
    other_browser = Client()
    login_form(client, "b_reporter")
    login_form(other_browser, "b_reporter")
    keys = {_session_key(client), _session_key(other_browser)}
    assert Session.objects.filter(session_key__in=keys).count() == 2

    set_user_active(actor=world.sysadmin, user=world.county_b_reporter, active=False, reason="调离")

    assert Session.objects.filter(session_key__in=keys).count() == 0
    assert not LoginSession.objects.filter(user=world.county_b_reporter).exists()
    event = AuditEvent.objects.filter(action="user.deactivate").get()
    assert event.after == {"is_active": False, "ended_sessions": 2}
    assert client.get(reverse("home")).status_code == 302
    response = login_form(client, "b_reporter")
    assert (response.status_code, _error(response)) == (200, LOGIN_FAILED)


def test_it_ends_every_session_when_secadmin_resets_the_password(
    client: Client, world: World
) -> None:
    login_form(client, "b_reporter")
    key = _session_key(client)
    reset_password(actor=world.secadmin, user=world.county_b_reporter, new_password="Nw5$kPz8-Qa2m")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    ("next_url", "target"),
    [("/orgs/", "/orgs/"), ("https://evil.example/", "/"), ("//evil.example/", "/")],
)
def test_it_redirects_after_login_only_inside_the_site(
    client: Client, world: World, next_url: str, target: str
) -> None:
    response = client.post(
        reverse("login"),
        {"username": "a_reporter", "password": TEST_PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == target
