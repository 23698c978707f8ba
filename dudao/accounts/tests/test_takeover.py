"""三员 takeover paths closed (issue 11 items 8 and 9): a reset password does not leave the
owner's API tokens working, nobody resets their own password through the reset path, an
administrator's reset needs a second administrator, and a login with a password someone else
set is flagged to the 审计管理员. Refused attempts are audited (success=False)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import ApiToken, PasswordResetRequest, User
from dudao.accounts.services import (
    approve_password_reset,
    change_own_password,
    request_password_reset,
    reset_password,
    set_user_active,
)
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.testing import TEST_PASSWORD, World, login_form, make_token

pytestmark = pytest.mark.django_db

TEMPORARY = "Temp#2026-Reset"


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _refusals(action: str, actor: User) -> list[tuple[bool, object]]:
    events = AuditEvent.objects.filter(action=action, actor=actor).order_by("pk")
    return [(e.success, (e.after or {}).get("refused")) for e in events]


# --- item 8: tokens after a reset or a disable ---------------------------------------------


def test_a_reset_revokes_the_owners_tokens_and_audits_it(world: World) -> None:
    token, raw = make_token(world.county_a_reporter)
    assert Client().get(reverse("api:me"), headers=_bearer(raw)).status_code == 200

    reset_password(
        actor=world.secadmin, user=world.county_a_reporter, new_password=TEMPORARY, reason="遗忘"
    )

    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    response = Client().get(reverse("api:me"), headers=_bearer(raw))
    assert response.status_code == 401
    event = AuditEvent.objects.get(action="user.reset_password")
    assert event.after == {"revoked_tokens": [token.lookup]}


def test_a_token_is_refused_while_a_password_change_is_pending(world: World) -> None:
    # A token made after the reset (or one the revocation missed) still cannot act.
    reset_password(
        actor=world.secadmin, user=world.county_a_reporter, new_password=TEMPORARY, reason="遗忘"
    )
    _token, raw = make_token(User.objects.get(pk=world.county_a_reporter.pk))
    response = Client().get(reverse("api:me"), headers=_bearer(raw))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"

    change_own_password(
        actor=world.county_a_reporter, current_password=TEMPORARY, new_password=TEST_PASSWORD
    )
    assert Client().get(reverse("api:me"), headers=_bearer(raw)).status_code == 200


def test_disabling_an_account_revokes_its_tokens(world: World) -> None:
    token, _raw = make_token(world.county_a_reporter)
    set_user_active(actor=world.sysadmin, user=world.county_a_reporter, active=False, reason="离职")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    event = AuditEvent.objects.get(action="user.deactivate")
    assert event.after is not None
    assert event.after["revoked_tokens"] == [token.lookup]


# --- item 9: own resets, administrators' resets, flagged logins -----------------------------


def test_nobody_resets_their_own_password_and_the_attempt_is_audited(
    client: Client, world: World
) -> None:
    before = world.secadmin.password
    with pytest.raises(NotAllowed) as info:
        reset_password(actor=world.secadmin, user=world.secadmin, new_password=TEMPORARY)
    assert "输入当前密码" in info.value.message
    assert User.objects.get(pk=world.secadmin.pk).password == before

    client.force_login(world.secadmin)
    url = reverse("users:reset_password", kwargs={"pk": world.secadmin.pk})
    page = client.post(url, {"new_password": TEMPORARY, "reason": "自助"}, follow=True)
    assert "不能通过重置修改自己的密码" in page.content.decode()
    assert User.objects.get(pk=world.secadmin.pk).password == before
    assert _refusals("user.reset_password", world.secadmin) == [(False, info.value.message)] * 2


def test_an_administrators_password_is_not_reset_directly(world: World) -> None:
    before = world.auditadmin.password
    with pytest.raises(NotAllowed, match="须经另一名管理员批准"):
        reset_password(actor=world.secadmin, user=world.auditadmin, new_password=TEMPORARY)
    assert User.objects.get(pk=world.auditadmin.pk).password == before
    assert _refusals("user.reset_password", world.secadmin)[0][0] is False


def test_an_administrators_reset_needs_a_second_administrator(world: World) -> None:
    request = request_password_reset(
        actor=world.secadmin, user=world.auditadmin, new_password=TEMPORARY, reason="遗忘密码"
    )
    target = User.objects.get(pk=world.auditadmin.pk)
    assert not target.check_password(TEMPORARY)  # nothing applied yet
    assert not target.must_change_password

    # The requester cannot approve it, nor can the account's owner.
    with pytest.raises(NotAllowed, match="双人规则"):
        approve_password_reset(actor=world.secadmin, request=request)
    with pytest.raises(NotAllowed, match="自己密码"):
        approve_password_reset(actor=world.auditadmin, request=request)
    # A business user is no administrator.
    with pytest.raises(NotAllowed):
        approve_password_reset(actor=world.city_supervisor, request=request)
    assert not User.objects.get(pk=target.pk).check_password(TEMPORARY)

    approve_password_reset(actor=world.sysadmin, request=request)
    target = User.objects.get(pk=target.pk)
    assert target.check_password(TEMPORARY)
    assert target.must_change_password
    assert target.password_reset_by_id == world.secadmin.pk
    actions = list(
        AuditEvent.objects.filter(object_id=str(target.pk), success=True)
        .filter(action__startswith="user.reset_password")
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("user.reset_password_request", "secadmin"),
        ("user.reset_password", "sysadmin"),
    ]
    assert [s for s, _m in _refusals("user.reset_password_approve", world.secadmin)] == [False]
    assert [s for s, _m in _refusals("user.reset_password_approve", world.auditadmin)] == [False]


def test_a_reset_request_expires(world: World) -> None:
    request = request_password_reset(
        actor=world.secadmin, user=world.sysadmin, new_password=TEMPORARY, reason="遗忘密码"
    )
    later = timezone.now() + dt.timedelta(hours=25)
    with time_machine.travel(later), pytest.raises(DomainError, match="已过期"):
        approve_password_reset(actor=world.auditadmin, request=request)
    assert not User.objects.get(pk=world.sysadmin.pk).check_password(TEMPORARY)
    assert PasswordResetRequest.objects.get(pk=request.pk).approved_at is None


def test_the_second_administrator_approves_on_the_page(client: Client, world: World) -> None:
    client.force_login(world.secadmin)
    url = reverse("users:reset_password", kwargs={"pk": world.auditadmin.pk})
    page = client.post(url, {"new_password": TEMPORARY, "reason": "遗忘密码"}, follow=True)
    assert "已提交重置申请" in page.content.decode()
    request = PasswordResetRequest.objects.get()
    listing = client.get(reverse("users:reset_requests")).content.decode()
    assert "林审计" in listing
    assert reverse("users:approve_reset", kwargs={"pk": request.pk}) not in listing

    client.force_login(world.sysadmin)
    page = client.post(reverse("users:approve_reset", kwargs={"pk": request.pk}), follow=True)
    assert "已批准" in page.content.decode()
    assert User.objects.get(pk=world.auditadmin.pk).check_password(TEMPORARY)


def test_a_login_after_a_reset_by_someone_else_is_flagged(world: World) -> None:
    reset_password(
        actor=world.secadmin, user=world.county_a_reporter, new_password=TEMPORARY, reason="遗忘"
    )
    response = login_form(Client(), "a_reporter", TEMPORARY)
    assert response.status_code == 302
    flagged = AuditEvent.objects.get(action="account.login_after_reset")
    assert (flagged.actor_id, flagged.after) == (
        world.county_a_reporter.pk,
        {"reset_by": "secadmin"},
    )
    # The audit page filters it.
    client = Client()
    client.force_login(world.auditadmin)
    page = client.get(reverse("audit:list"), {"action": "account.login_after_reset"})
    assert "a_reporter" in page.content.decode()

    # Once the owner chose their own password, logins are ordinary again.
    change_own_password(
        actor=world.county_a_reporter, current_password=TEMPORARY, new_password=TEST_PASSWORD
    )
    login_form(Client(), "a_reporter", TEST_PASSWORD)
    assert AuditEvent.objects.filter(action="account.login_after_reset").count() == 1
