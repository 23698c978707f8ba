"""AUD-01: every service writes exactly one audit event with the right values; a refused or
failed call writes none and changes nothing (the service's transaction is rolled back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from dudao.accounts import services as accounts
from dudao.accounts.models import ApiToken, User
from dudao.audit.models import AuditEvent
from dudao.core import requestmeta
from dudao.core.exceptions import DomainError, NotAllowed, StaleObject
from dudao.core.roles import Role
from dudao.orgs import services as orgs
from dudao.orgs.models import Organisation
from dudao.regions.models import Region
from dudao.testing import INITIAL_PASSWORD, TEST_PASSWORD, World, add_user, make_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("request_meta")]

REQUEST_ID = "test-request-0001"
IP = "192.0.2.10"
NEW_PASSWORD = "Nw5$kPz8-Qa2m"


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _one_event_after(last_id: int) -> AuditEvent:
    events = list(AuditEvent.objects.filter(id__gt=last_id))
    assert len(events) == 1, [e.action for e in events]
    event = events[0]
    assert event.request_id == REQUEST_ID
    assert event.ip == IP
    assert event.success is True
    return event


def _without_times(data: object) -> dict[str, Any]:
    assert isinstance(data, dict)
    return {k: v for k, v in data.items() if k not in {"created_at", "updated_at", "date_joined"}}


def test_it_audits_create_organisation(world: World) -> None:
    last = _last_id()
    region = Region.objects.get(code="410100")
    org = orgs.create_organisation(
        actor=world.sysadmin,
        name=" 示范市商务局 ",
        code="SFS-SWJ",
        kind=Organisation.Kind.COMMERCE,
        parent=world.city,
        short_name="市商务局",
        region=region,
        uscc="91110000600037341l",
        sort_order=3,
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.actor_name) == (
        "org.create",
        world.sysadmin,
        "sysadmin",
    )
    assert event.organisation == org
    assert (event.object_type, event.object_id, event.object_repr) == (
        "orgs.organisation",
        str(org.pk),
        "示范市商务局",
    )
    assert event.before is None
    assert _without_times(event.after) == {
        "id": org.pk,
        "code": "SFS-SWJ",
        "name": "示范市商务局",
        "short_name": "市商务局",
        "kind": "commerce",
        "parent_id": world.city.pk,
        "path": f"{world.city.path}{org.pk:06d}.",
        "depth": 2,
        "scope_base": "parent",
        "scope_path": world.city.path,
        "region_id": "410100",
        "uscc": "91110000600037341L",
        "sort_order": 3,
        "is_active": True,
        "version": 1,
    }


def test_it_audits_update_organisation_with_only_the_changed_fields(world: World) -> None:
    last = _last_id()
    org = orgs.update_organisation(
        actor=world.sysadmin,
        org=world.park_a,
        version=world.park_a.version,
        name="甲县高新技术产业开发区管理委员会",
        uscc="91110000600037341L",
        sort_order=0,  # unchanged: not in the event
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "org.update",
        world.sysadmin,
        world.park_a,
    )
    assert event.before == {"name": "甲县产业集聚区管理委员会", "uscc": ""}
    assert event.after == {"name": "甲县高新技术产业开发区管理委员会", "uscc": "91110000600037341L"}
    assert org.version == world.park_a.version + 1


def test_it_audits_move_organisation(world: World) -> None:
    last = _last_id()
    orgs.move_organisation(actor=world.sysadmin, org=world.park_a, new_parent=world.county_b)
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "org.move",
        world.sysadmin,
        world.park_a,
    )
    assert event.before == {"parent_id": world.county_a.pk, "path": world.park_a.path}
    assert event.after == {
        "parent_id": world.county_b.pk,
        "path": f"{world.county_b.path}{world.park_a.pk:06d}.",
    }


def test_it_audits_create_user_without_the_password(world: World) -> None:
    last = _last_id()
    user = accounts.create_user(
        actor=world.sysadmin,
        username="zhang.wei",
        full_name="张伟",
        organisation=world.county_a_drc,
        password=INITIAL_PASSWORD,
        title="科员",
        phone="0371-12345678",
        email="zhang.wei@example.gov.cn",
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "user.create",
        world.sysadmin,
        world.county_a_drc,
    )
    assert (event.object_type, event.object_id, event.object_repr) == (
        "accounts.user",
        str(user.pk),
        "张伟（zhang.wei）",
    )
    assert event.before is None
    after = _without_times(event.after)
    assert isinstance(after.pop("password_changed_at"), str)
    assert after == {
        "id": user.pk,
        "last_login": None,
        "username": "zhang.wei",
        "full_name": "张伟",
        "organisation_id": world.county_a_drc.pk,
        "roles": 0,
        "title": "科员",
        "phone": "0371-12345678",
        "email": "zhang.wei@example.gov.cn",
        "is_active": True,
        "must_change_password": True,
        "password_reset_by_id": None,
        "version": 1,
    }
    assert INITIAL_PASSWORD not in str(event.after)
    assert user.password not in str(event.after)


def test_it_audits_update_user(world: World) -> None:
    last = _last_id()
    accounts.update_user(
        actor=world.sysadmin,
        user=world.county_a_reporter,
        version=world.county_a_reporter.version,
        title="副科长",
        organisation=world.county_a,
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "user.update",
        world.sysadmin,
        world.county_a,
    )
    assert event.before == {"title": "", "organisation_id": world.county_a_drc.pk}
    assert event.after == {"title": "副科长", "organisation_id": world.county_a.pk}


def test_it_audits_set_user_roles_with_labels_and_reason(world: World) -> None:
    last = _last_id()
    accounts.set_user_roles(
        actor=world.secadmin,
        user=world.county_a_reporter,
        roles=[Role.REPORTER, Role.REVIEWER],
        reason="县政府办通知〔2026〕3号",
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "user.set_roles",
        world.secadmin,
        world.county_a_drc,
    )
    assert event.before == {"roles": ["填报员"]}
    assert event.after == {"roles": ["填报员", "审核员"]}
    assert event.reason == "县政府办通知〔2026〕3号"


def test_it_audits_set_user_active(world: World) -> None:
    last = _last_id()
    accounts.set_user_active(
        actor=world.sysadmin, user=world.county_b_reporter, active=False, reason="调离"
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "user.deactivate",
        world.sysadmin,
        world.county_b_drc,
    )
    assert event.before == {"is_active": True}
    assert event.after == {"is_active": False, "ended_sessions": 0}
    assert event.reason == "调离"

    last = _last_id()
    accounts.set_user_active(
        actor=world.sysadmin, user=world.county_b_reporter, active=True, reason="返岗"
    )
    event = _one_event_after(last)
    assert (event.action, event.before, event.after) == (
        "user.activate",
        {"is_active": False},
        {"is_active": True, "ended_sessions": 0},
    )


def test_it_writes_nothing_when_set_user_active_changes_nothing(world: World) -> None:
    last = _last_id()
    accounts.set_user_active(actor=world.sysadmin, user=world.judge, active=True, reason="无变化")
    assert _last_id() == last


def test_it_audits_reset_password_without_the_password(world: World) -> None:
    last = _last_id()
    accounts.reset_password(
        actor=world.secadmin, user=world.park_reporter, new_password=NEW_PASSWORD, reason="遗忘"
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "user.reset_password",
        world.secadmin,
        world.park_a,
    )
    assert (event.before, event.after, event.reason) == (None, None, "遗忘")
    user = User.objects.get(pk=world.park_reporter.pk)
    assert user.must_change_password is True
    assert user.check_password(NEW_PASSWORD)


def test_it_audits_change_own_password(world: World) -> None:
    last = _last_id()
    accounts.change_own_password(
        actor=world.judge, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD
    )
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "auth.password_changed",
        world.judge,
        world.city,
    )
    assert (event.object_type, event.object_id) == ("accounts.user", str(world.judge.pk))
    assert (event.before, event.after) == (None, None)


def test_it_audits_unlock_account_with_the_attempts_cleared(world: World) -> None:
    for n in range(2):
        AccessAttempt.objects.create(
            username="a_reporter",
            ip_address=f"192.0.2.{n}",
            user_agent="test",
            failures_since_start=1,
            attempt_time=timezone.now(),
        )
    last = _last_id()
    cleared = accounts.unlock_account(
        actor=world.secadmin, user=world.county_a_reporter, reason="本人电话确认"
    )
    assert cleared == 2
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "auth.unlock",
        world.secadmin,
        world.county_a_drc,
    )
    assert (event.before, event.after, event.reason) == (
        None,
        {"cleared_attempts": 2},
        "本人电话确认",
    )
    assert not AccessAttempt.objects.exists()


def test_it_audits_create_api_token_without_the_secret(world: World) -> None:
    expires = timezone.now() + dt.timedelta(days=30)
    last = _last_id()
    token, raw = make_token(world.city_leader, name="统计局数据接口", expires_at=expires)
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation) == (
        "token.create",
        world.city_leader,
        world.city,
    )
    assert (event.object_type, event.object_id) == ("accounts.apitoken", str(token.pk))
    assert event.after == {
        "name": "统计局数据接口",
        "lookup": token.lookup,
        "expires_at": expires.isoformat(),
    }
    assert raw not in str(event.after)
    assert raw not in event.object_repr


def test_it_audits_revoke_api_token_by_its_owner_and_by_secadmin(world: World) -> None:
    own, _ = make_token(world.county_a_reporter)
    last = _last_id()
    accounts.revoke_api_token(actor=world.county_a_reporter, token=own)
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation, event.after) == (
        "token.revoke",
        world.county_a_reporter,
        world.county_a_drc,
        {"lookup": own.lookup},
    )

    other, _ = make_token(world.county_b_reporter)
    last = _last_id()
    accounts.revoke_api_token(actor=world.secadmin, token=other, reason="泄露")
    event = _one_event_after(last)
    assert (event.action, event.actor, event.organisation, event.reason) == (
        "token.revoke",
        world.secadmin,
        world.county_b_drc,
        "泄露",
    )
    # Revoking again changes nothing and writes nothing.
    last = _last_id()
    accounts.revoke_api_token(actor=world.secadmin, token=other)
    assert _last_id() == last


# --- Refused and failed calls ------------------------------------------------------------------


def _state() -> tuple[list[Any], ...]:
    """Everything a service could have changed, in a comparable form."""
    return (
        list(Organisation.objects.order_by("pk").values_list()),
        list(User.objects.order_by("pk").values_list()),
        list(ApiToken.objects.order_by("pk").values_list()),
        list(AccessAttempt.objects.order_by("pk").values_list("pk", "username")),
        list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    )


RefusedCall = Callable[[World, ApiToken], object]
REFUSED: dict[str, tuple[RefusedCall, type[DomainError], str]] = {
    "create_organisation by secadmin": (
        lambda w, t: orgs.create_organisation(
            actor=w.secadmin, name="x", code="X1", kind="department", parent=w.city
        ),
        NotAllowed,
        "只有系统管理员可以执行此操作。",
    ),
    "create_organisation with a bad USCC": (
        lambda w, t: orgs.create_organisation(
            actor=w.sysadmin,
            name="某公司",
            code="X2",
            kind="department",
            parent=w.city,
            uscc="91110000600037341X",
        ),
        DomainError,
        "统一社会信用代码“91110000600037341X”无效（应为18位，且校验位正确）。",
    ),
    "create_organisation with a taken name": (
        lambda w, t: orgs.create_organisation(
            actor=w.sysadmin, name="甲县人民政府", code="X3", kind="county_gov", parent=w.city
        ),
        DomainError,
        "同一上级单位下已有同名单位。",
    ),
    "update_organisation with a stale version": (
        lambda w, t: orgs.update_organisation(
            actor=w.sysadmin, org=w.county_a, version=w.county_a.version - 1, name="新名称"
        ),
        StaleObject,
        "该单位已被他人修改（当前版本 1），请刷新后重试。",
    ),
    "update_organisation of a path": (
        lambda w, t: orgs.update_organisation(actor=w.sysadmin, org=w.county_a, path="000001."),
        DomainError,
        "不可修改的字段：path",
    ),
    "move_organisation under its own child": (
        lambda w, t: orgs.move_organisation(actor=w.sysadmin, org=w.county_a, new_parent=w.park_a),
        DomainError,
        "不能把单位移到它自己或其下级单位之下。",
    ),
    "create_user with a weak password": (
        lambda w, t: accounts.create_user(
            actor=w.sysadmin,
            username="weak",
            full_name="弱密码",
            organisation=w.city,
            password="abcdefghijkl",
        ),
        DomainError,
        "密码须包含小写字母、大写字母、数字、特殊字符中的至少3类。",
    ),
    "create_user with a taken username": (
        lambda w, t: accounts.create_user(
            actor=w.sysadmin,
            username="A_Reporter",
            full_name="重名",
            organisation=w.city,
            password=INITIAL_PASSWORD,
        ),
        DomainError,
        "该用户名已被使用。",
    ),
    "update_user of roles": (
        lambda w, t: accounts.update_user(actor=w.sysadmin, user=w.judge, roles=int(Role.SYSADMIN)),
        DomainError,
        "不可修改的字段：roles",
    ),
    "set_user_roles by sysadmin": (
        lambda w, t: accounts.set_user_roles(actor=w.sysadmin, user=w.judge, roles=[Role.LEADER]),
        NotAllowed,
        "只有安全管理员可以执行此操作。",
    ),
    "set_user_roles to two admin roles": (
        lambda w, t: accounts.set_user_roles(
            actor=w.secadmin, user=w.auditadmin, roles=[Role.AUDITADMIN, Role.SYSADMIN]
        ),
        DomainError,
        "一个账户最多担任一种管理员角色（三员分立）",
    ),
    "set_user_active on oneself": (
        lambda w, t: accounts.set_user_active(actor=w.sysadmin, user=w.sysadmin, active=False),
        NotAllowed,
        "不能停用自己的账户。",
    ),
    "reset_password to a weak password": (
        lambda w, t: accounts.reset_password(
            actor=w.secadmin, user=w.judge, new_password="judge-Password-1"
        ),
        DomainError,
        "密码不能包含用户名。",
    ),
    "change_own_password with a wrong current password": (
        lambda w, t: accounts.change_own_password(
            actor=w.judge, current_password="wrong", new_password=NEW_PASSWORD
        ),
        DomainError,
        "当前密码不正确。",
    ),
    "unlock_account by sysadmin": (
        lambda w, t: accounts.unlock_account(actor=w.sysadmin, user=w.judge),
        NotAllowed,
        "只有安全管理员可以执行此操作。",
    ),
    "create_api_token without a name": (
        lambda w, t: accounts.create_api_token(actor=w.judge, name="  "),
        DomainError,
        "请填写令牌名称。",
    ),
    "create_api_token expired already": (
        lambda w, t: accounts.create_api_token(
            actor=w.judge, name="过期", expires_at=timezone.now() - dt.timedelta(seconds=1)
        ),
        DomainError,
        "过期时间必须晚于当前时间。",
    ),
    "revoke_api_token of another user by a reporter": (
        lambda w, t: accounts.revoke_api_token(actor=w.county_a_reporter, token=t),
        NotAllowed,
        "只有安全管理员可以执行此操作。",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_it_writes_nothing_for_a_refused_call(world: World, case: str) -> None:
    call, error, message = REFUSED[case]
    AccessAttempt.objects.create(username="judge", ip_address="192.0.2.1", failures_since_start=1)
    token, _ = make_token(world.county_b_reporter)
    before = _state()
    with pytest.raises(error) as info:
        call(world, token)
    assert info.value.message == message
    after = _state()
    if isinstance(info.value, NotAllowed) and hasattr(accounts, case.split(maxsplit=1)[0]):
        # A refused privileged attempt on accounts changes nothing but is audited.
        new_events = AuditEvent.objects.exclude(pk__in=before[-1])
        assert [(e.success, (e.after or {}).get("refused")) for e in new_events] == [
            (False, message)
        ]
        after = (*after[:-1], before[-1])
    assert after == before


Call = Callable[[World], object]
FAILING_AUDIT: dict[str, tuple[str, Call]] = {
    "create_organisation": (
        "dudao.orgs.services",
        lambda w: orgs.create_organisation(
            actor=w.sysadmin, name="新单位", code="NEW", kind="department", parent=w.city
        ),
    ),
    "update_organisation": (
        "dudao.orgs.services",
        lambda w: orgs.update_organisation(actor=w.sysadmin, org=w.county_a, name="改名"),
    ),
    "move_organisation": (
        "dudao.orgs.services",
        lambda w: orgs.move_organisation(actor=w.sysadmin, org=w.park_a, new_parent=w.county_b),
    ),
    "create_user": (
        "dudao.accounts.services",
        lambda w: accounts.create_user(
            actor=w.sysadmin,
            username="newbie",
            full_name="新人",
            organisation=w.city,
            password=INITIAL_PASSWORD,
        ),
    ),
    "update_user": (
        "dudao.accounts.services",
        lambda w: accounts.update_user(actor=w.sysadmin, user=w.judge, full_name="改名"),
    ),
    "set_user_roles": (
        "dudao.accounts.services",
        lambda w: accounts.set_user_roles(actor=w.secadmin, user=w.judge, roles=[Role.LEADER]),
    ),
    "set_user_active": (
        "dudao.accounts.services",
        lambda w: accounts.set_user_active(actor=w.sysadmin, user=w.judge, active=False),
    ),
    "reset_password": (
        "dudao.accounts.services",
        lambda w: accounts.reset_password(
            actor=w.secadmin, user=w.judge, new_password=NEW_PASSWORD
        ),
    ),
    "change_own_password": (
        "dudao.accounts.services",
        lambda w: accounts.change_own_password(
            actor=w.judge, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD
        ),
    ),
    "unlock_account": (
        "dudao.accounts.services",
        lambda w: accounts.unlock_account(actor=w.secadmin, user=w.judge),
    ),
    "create_api_token": (
        "dudao.accounts.services",
        lambda w: accounts.create_api_token(actor=w.judge, name="新令牌"),
    ),
}


@pytest.mark.parametrize("service", sorted(FAILING_AUDIT))
def test_it_rolls_the_change_back_when_the_audit_write_fails(
    world: World, monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    module, call = FAILING_AUDIT[service]
    AccessAttempt.objects.create(username="judge", ip_address="192.0.2.1", failures_since_start=1)

    def broken(**kwargs: object) -> AuditEvent:
        raise RuntimeError("audit store unavailable")

    before = _state()
    monkeypatch.setattr(f"{module}.record_event", broken)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        call(world)
    assert _state() == before


def test_it_rolls_back_revoke_api_token_when_the_audit_write_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = make_token(world.judge)

    def broken(**kwargs: object) -> AuditEvent:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("dudao.accounts.services.record_event", broken)
    with pytest.raises(RuntimeError):
        accounts.revoke_api_token(actor=world.judge, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_it_uses_a_cli_request_id_outside_a_request(world: World) -> None:
    token = requestmeta.bind(None)
    try:
        last = _last_id()
        add_user(world, world.city, Role.LEADER, must_change_password=True)
        events = list(AuditEvent.objects.filter(id__gt=last).order_by("id"))
    finally:
        requestmeta.unbind(token)
    assert [e.action for e in events] == ["user.create", "user.set_roles"]
    assert events[0].request_id.startswith("cli-")
    assert len(events[0].request_id) == len("cli-") + 12
    assert events[0].request_id == events[1].request_id
    assert events[0].ip is None
