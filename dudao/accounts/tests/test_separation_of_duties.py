"""三员分立 (reliability.md §1.4, AC-20…26): one administrator role per account, never with a
business role, enforced by the service and by the database; no superuser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from dudao.accounts.models import User
from dudao.accounts.services import create_user, set_user_roles
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.roles import Role
from dudao.orgs.models import Organisation, OrganisationQuerySet
from dudao.testing import INITIAL_PASSWORD, World

pytestmark = pytest.mark.django_db

TWO_ADMINS = "一个账户最多担任一种管理员角色（三员分立）"
ADMIN_AND_BUSINESS = "管理员角色不能与业务角色兼任（三员分立）"


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ((Role.SYSADMIN, Role.SECADMIN), TWO_ADMINS),
        ((Role.SECADMIN, Role.AUDITADMIN), TWO_ADMINS),
        ((Role.SYSADMIN, Role.AUDITADMIN), TWO_ADMINS),
        ((Role.SYSADMIN, Role.REPORTER), ADMIN_AND_BUSINESS),
        ((Role.AUDITADMIN, Role.LEADER), ADMIN_AND_BUSINESS),
        ((Role.SECADMIN, Role.SUPERVISOR, Role.JUDGE), ADMIN_AND_BUSINESS),
    ],
    ids=["sys+sec", "sec+audit", "sys+audit", "sys+reporter", "audit+leader", "sec+two"],
)
def test_secadmin_cannot_grant_a_forbidden_role_combination(
    world: World, roles: tuple[Role, ...], message: str
) -> None:
    with pytest.raises(DomainError) as info:
        set_user_roles(actor=world.secadmin, user=world.judge, roles=list(roles))
    assert (info.value.message, info.value.field) == (message, "roles")
    assert User.objects.get(pk=world.judge.pk).roles == Role.JUDGE


def test_it_allows_several_business_roles(world: World) -> None:
    user = set_user_roles(
        actor=world.secadmin, user=world.judge, roles=[Role.JUDGE, Role.SUPERVISOR, Role.LEADER]
    )
    assert user.role_labels == ["督查员", "评委", "领导"]


@pytest.mark.parametrize(
    "mask",
    [
        Role.SYSADMIN | Role.SECADMIN,
        Role.SECADMIN | Role.AUDITADMIN,
        Role.SYSADMIN | Role.SECADMIN | Role.AUDITADMIN,
        Role.SYSADMIN | Role.REPORTER,
        Role.AUDITADMIN | Role.LEADER,
        2048,  # an unknown role bit
    ],
)
def test_it_refuses_a_forbidden_role_combination_in_the_database(world: World, mask: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.judge.pk).update(roles=int(mask))
    assert User.objects.get(pk=world.judge.pk).roles == Role.JUDGE


def test_it_refuses_a_forbidden_role_combination_in_raw_sql(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET roles = %s WHERE id = %s",
            [int(Role.SYSADMIN | Role.AUDITADMIN), world.sysadmin.pk],
        )


def test_it_accepts_allowed_combinations_in_the_database(world: World) -> None:
    for mask in (0, Role.SYSADMIN, Role.AUDITADMIN, Role.REPORTER | Role.REVIEWER | Role.LEADER):
        User.objects.filter(pk=world.judge.pk).update(roles=int(mask))
        assert User.objects.get(pk=world.judge.pk).roles == mask


def test_secadmin_cannot_change_own_roles(client: Client, world: World) -> None:
    with pytest.raises(NotAllowed) as info:
        set_user_roles(actor=world.secadmin, user=world.secadmin, roles=[Role.SECADMIN])
    assert info.value.message == "不能修改自己的角色。"

    client.force_login(world.secadmin)
    url = reverse("users:set_roles", kwargs={"pk": world.secadmin.pk})
    response = client.post(url, {"roles": ["sysadmin"], "reason": "自我授权"}, follow=True)
    assert "不能修改自己的角色。" in response.content.decode()
    assert User.objects.get(pk=world.secadmin.pk).roles == Role.SECADMIN
    # Refused, and the refusal audited (issue 11 item 10): both attempts, success=False.
    events = AuditEvent.objects.filter(
        action="user.set_roles", actor=world.secadmin, object_id=str(world.secadmin.pk)
    )
    assert [(e.success, e.after) for e in events] == [
        (False, {"refused": "不能修改自己的角色。"})
    ] * 2


@pytest.mark.parametrize("actor", ["secadmin", "auditadmin", "county_a_reviewer", "city_leader"])
def test_it_lets_only_sysadmin_create_accounts(world: World, actor: str) -> None:
    with pytest.raises(NotAllowed, match="只有系统管理员可以执行此操作。"):
        create_user(
            actor=getattr(world, actor),
            username="intruder",
            full_name="越权",
            organisation=world.city,
            password=INITIAL_PASSWORD,
        )


def test_it_creates_accounts_without_roles(world: World) -> None:
    user = create_user(
        actor=world.sysadmin,
        username="newbie",
        full_name="新人",
        organisation=world.city,
        password=INITIAL_PASSWORD,
    )
    assert user.roles == 0
    assert user.role_labels == []


def test_it_has_no_superuser(world: World) -> None:
    field_names = {f.name for f in User._meta.get_fields()}
    assert "is_superuser" not in field_names
    assert "is_staff" not in field_names
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "accounts_user")
        }
    assert "is_superuser" not in columns
    assert {"username", "roles", "organisation_id"} <= columns
    for user in (world.sysadmin, world.secadmin, world.auditadmin, world.city_leader):
        assert user.is_superuser is False
        assert user.is_staff is False
        assert user.has_perm("accounts.change_user") is False
        assert user.has_module_perms("accounts") is False


class BusinessOrganisations(OrganisationQuerySet):
    """A stand-in for a business model's queryset (no business model exists yet)."""

    business_data = True


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditadmin"])
def test_it_shows_no_business_data_to_the_three_administrators(world: World, admin: str) -> None:
    user = getattr(world, admin)
    assert BusinessOrganisations(model=Organisation).visible_to(user).count() == 0
    # Organisations themselves are not business data: administrators maintain them.
    assert Organisation.objects.visible_to(user).count() == 9


def test_it_shows_business_data_to_business_roles_in_their_scope(world: World) -> None:
    codes = BusinessOrganisations(model=Organisation).visible_to(world.county_a_reporter)
    assert sorted(codes.values_list("code", flat=True)) == ["SFS-A", "SFS-A-FGW", "SFS-A-P1"]


def test_it_creates_an_administrator_from_the_server_command(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOT_PASSWORD", "Adm1n#Server-2026")
    out = StringIO()
    call_command(
        "createadmin",
        "auditor2",
        role="auditadmin",
        organisation="SFS-DSJ",
        password_env="ROOT_PASSWORD",
        stdout=out,
    )
    assert out.getvalue() == "已创建auditadmin账户 auditor2（示范市大数据管理局）。\n"
    user = User.objects.get(username="auditor2")
    assert (user.roles, user.organisation) == (Role.AUDITADMIN, world.data_bureau)
    event = AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).get()
    assert (event.actor, event.actor_name, event.reason) == (
        None,
        "createadmin",
        "服务器命令 createadmin",
    )
    with pytest.raises(CommandError, match="已存在单位，请用 --organisation 指定所属单位编码。"):
        call_command("createadmin", "other", password_env="ROOT_PASSWORD", stdout=out)
