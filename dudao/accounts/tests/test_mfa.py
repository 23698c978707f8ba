"""TOTP second factor (issue 11, "What to build" 3): required for the three administrators,
a per-role setting for the others, enrolment with a server-rendered QR code, recovery codes
shown once, stored hashed and usable once, and a lockout like the password's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dudao.accounts import rules
from dudao.accounts.models import RecoveryCode, User
from dudao.accounts.services import set_mfa_required, unlock_account
from dudao.accounts.views import MFA_KEY
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.roles import Role
from dudao.testing import World, login_form

pytestmark = pytest.mark.django_db

WRONG = "000000"


def _code(key_hex: str, *, later: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))  # type: ignore[no-untyped-call]
    totp.time = timezone.now().timestamp() + later
    return f"{totp.token():06d}"  # type: ignore[no-untyped-call]


def _wrong(key_hex: str) -> str:
    right = {_code(key_hex, later=s) for s in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def _enrol(client: Client, username: str) -> tuple[str, list[str]]:
    """Log in with the password and enrol an authenticator; return its key and the codes."""
    assert login_form(client, username)["Location"] == reverse("login_mfa_enrol")
    page = client.get(reverse("login_mfa_enrol"))
    assert page.status_code == 200
    key = client.session[MFA_KEY]
    done = client.post(reverse("login_mfa_enrol"), {"code": _code(key)})
    assert done.status_code == 200
    codes = list(done.context["codes"])
    return key, codes


def _is_logged_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_an_administrator_must_enrol_before_the_login_completes(world: World) -> None:
    client = Client()
    response = login_form(client, "auditadmin")
    assert response["Location"] == reverse("login_mfa_enrol")
    assert not _is_logged_in(client)  # the password alone is no login

    page = client.get(reverse("login_mfa_enrol")).content.decode()
    assert "<svg" in page  # the QR code inline: no image request, no CDN
    assert "<img" not in page
    key = client.session[MFA_KEY]
    wrong = client.post(reverse("login_mfa_enrol"), {"code": _wrong(key)})
    assert "验证码不正确" in wrong.content.decode()
    assert not _is_logged_in(client)

    done = client.post(reverse("login_mfa_enrol"), {"code": _code(key)})
    codes = done.context["codes"]
    assert len(codes) == rules.RECOVERY_CODE_COUNT == len(set(codes))
    assert all(code in done.content.decode() for code in codes)
    assert _is_logged_in(client)
    assert TOTPDevice.objects.get(user=world.auditadmin).confirmed
    stored = list(RecoveryCode.objects.filter(user=world.auditadmin).values_list("code_hash"))
    assert len(stored) == len(codes)
    assert not any(rules.normalise_code(c) in str(stored) for c in codes)
    actions = set(AuditEvent.objects.filter(actor=world.auditadmin).values_list("action"))
    assert {("auth.mfa_enrolled",), ("auth.login",)} <= actions


def test_an_enrolled_user_logs_in_with_a_code(world: World) -> None:
    key, _codes = _enrol(Client(), "secadmin")
    client = Client()
    assert login_form(client, "secadmin")["Location"] == reverse("login_mfa")
    assert not _is_logged_in(client)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30)):
        response = client.post(reverse("login_mfa"), {"code": _code(key)})
        assert response.status_code == 302
        assert _is_logged_in(client)


def test_a_code_is_not_accepted_twice(world: World) -> None:
    key, _codes = _enrol(Client(), "secadmin")
    spent = Client()  # the code that confirmed the enrolment is spent too
    login_form(spent, "secadmin")
    assert spent.post(reverse("login_mfa"), {"code": _code(key)}).status_code == 200
    assert not _is_logged_in(spent)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30)):
        first = Client()
        login_form(first, "secadmin")
        assert first.post(reverse("login_mfa"), {"code": _code(key)}).status_code == 302
        second = Client()
        login_form(second, "secadmin")
        replay = second.post(reverse("login_mfa"), {"code": _code(key)})
        assert replay.status_code == 200
        assert not _is_logged_in(second)


def test_a_recovery_code_works_once(world: World) -> None:
    _key, codes = _enrol(Client(), "sysadmin")
    client = Client()
    login_form(client, "sysadmin")
    assert client.post(reverse("login_mfa"), {"code": codes[0].lower()}).status_code == 302
    assert _is_logged_in(client)
    event = AuditEvent.objects.get(action="auth.recovery_code_used")
    assert event.after == {"left": rules.RECOVERY_CODE_COUNT - 1}

    again = Client()
    login_form(again, "sysadmin")
    refused = again.post(reverse("login_mfa"), {"code": codes[0]})
    assert "验证码错误" in refused.content.decode()
    assert not _is_logged_in(again)


def test_five_failures_lock_the_second_factor_like_the_password(world: World) -> None:
    key, _codes = _enrol(Client(), "secadmin")
    client = Client()
    login_form(client, "secadmin")
    for _ in range(5):
        answer = client.post(reverse("login_mfa"), {"code": _wrong(key)})
        assert "验证码错误。连续失败5次" in answer.content.decode()
    later = timezone.now() + dt.timedelta(seconds=30)
    with time_machine.travel(later):
        client = Client()
        login_form(client, "secadmin")
        locked = client.post(reverse("login_mfa"), {"code": _code(key)})
        assert "验证码错误" in locked.content.decode()  # the same words: locked looks wrong
        assert not _is_logged_in(client)
    failed = AuditEvent.objects.filter(actor_name="secadmin", success=False)
    assert list(failed.values_list("action", flat=True)).count("auth.mfa_failed") == 4
    assert failed.filter(action="auth.mfa_lockout").count() == 2

    with time_machine.travel(later + dt.timedelta(minutes=31)):
        client = Client()
        login_form(client, "secadmin")
        assert client.post(reverse("login_mfa"), {"code": _code(key)}).status_code == 302


def test_the_secadmin_unlock_clears_the_second_factors_lock(world: World) -> None:
    key, _codes = _enrol(Client(), "sysadmin")
    client = Client()
    login_form(client, "sysadmin")
    for _ in range(5):
        client.post(reverse("login_mfa"), {"code": _wrong(key)})
    unlock_account(actor=world.secadmin, user=world.sysadmin, reason="本人电话确认")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30)):
        client = Client()
        login_form(client, "sysadmin")
        assert client.post(reverse("login_mfa"), {"code": _code(key)}).status_code == 302


def test_the_second_step_needs_a_fresh_password_check(world: World) -> None:
    client = Client()
    assert client.get(reverse("login_mfa"))["Location"] == reverse("login")
    assert client.post(reverse("login_mfa_enrol"), {"code": "123456"})["Location"] == reverse(
        "login"
    )
    login_form(client, "auditadmin")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert client.get(reverse("login_mfa_enrol"))["Location"] == reverse("login")


def test_business_roles_are_optional_by_a_setting(world: World) -> None:
    client = Client()
    assert login_form(client, "a_reporter")["Location"] == reverse("home")  # optional: off

    set_mfa_required(actor=world.secadmin, role=Role.REPORTER, required=True)
    client = Client()
    assert login_form(client, "a_reporter")["Location"] == reverse("login_mfa_enrol")
    event = AuditEvent.objects.get(action="auth.mfa_policy")
    assert event.after == {"role": "填报员", "required": True}
    # Other roles are unaffected.
    assert login_form(Client(), "b_reporter")["Location"] == reverse("login_mfa_enrol")
    assert login_form(Client(), "judge")["Location"] == reverse("home")


def test_the_administrators_cannot_be_exempted(world: World) -> None:
    with pytest.raises(DomainError, match="管理员角色始终须两步验证"):
        set_mfa_required(actor=world.secadmin, role=Role.AUDITADMIN, required=False)
    with pytest.raises(NotAllowed):
        set_mfa_required(actor=world.sysadmin, role=Role.REPORTER, required=True)


def test_a_user_may_enrol_voluntarily_and_then_needs_the_code(world: World) -> None:
    client = Client()
    client.force_login(world.judge)
    page = client.get(reverse("mfa_settings") + "?enrol=1")
    assert "<svg" in page.content.decode()
    key = client.session[MFA_KEY]
    done = client.post(reverse("mfa_settings"), {"code": _code(key)})
    assert len(done.context["codes"]) == rules.RECOVERY_CODE_COUNT
    assert login_form(Client(), "judge")["Location"] == reverse("login_mfa")
    assert User.objects.get(pk=world.judge.pk).recovery_codes.count() == 10


def test_the_secadmin_sets_the_roles_on_a_page(world: World) -> None:
    client = Client()
    client.force_login(world.secadmin)
    page = client.get(reverse("users:mfa_policy")).content.decode()
    assert "始终须两步验证" in page
    client.post(reverse("users:mfa_policy"), {"required": ["leader", "judge"]})
    assert login_form(Client(), "leader")["Location"] == reverse("login_mfa_enrol")
    assert login_form(Client(), "a_reporter")["Location"] == reverse("home")
    client.post(reverse("users:mfa_policy"), {"required": ["judge"]})
    assert login_form(Client(), "leader")["Location"] == reverse("home")
