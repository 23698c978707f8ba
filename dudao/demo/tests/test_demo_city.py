"""What one loaded demo city 示范市 holds: one account per role, a consistent tree, the load
recorded and marked on every page, and a second load refused or skipped. The city is loaded
once for the module (13 s of CPU; it was loaded once per test) inside a transaction rolled
back at its end; each test runs in a savepoint of it and sees it as loaded."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from dudao.accounts.models import User
from dudao.accounts.services import check_password_policy
from dudao.audit.models import AuditEvent
from dudao.core.roles import Role, roles_of
from dudao.demo.models import DemoLoad
from dudao.demo.registry import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoContext
from dudao.demo.services import DemoRefused, existing_demo_users, load_demo
from dudao.orgs.models import Organisation
from dudao.testing import setup_atomic

pytestmark = pytest.mark.django_db


def _quiet(message: str) -> None:
    pass


@pytest.fixture(scope="module")
def city(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoContext]:
    with django_db_blocker.unblock(), setup_atomic():
        yield load_demo(seed=11, log=_quiet)
        transaction.set_rollback(True)


def test_it_creates_one_account_per_role_with_a_valid_password(city: DemoContext) -> None:
    users = list(User.objects.all())
    # The 11 printed platform accounts, nine more county leaders, and the enterprise service's
    # 15 (demo_land and demo_enterprise printed; five department clerks, eight officers).
    assert len(users) == 35
    assert all(len(roles_of(u.roles)) == 1 for u in users)
    assert {r for u in users for r in roles_of(u.roles)} == set(Role)
    assert all(u.check_password(DEMO_PASSWORD) for u in users)
    assert all(not u.must_change_password for u in users)
    check_password_policy(DEMO_PASSWORD, users[0])
    assert list(existing_demo_users()) == [
        "demo_supervisor",
        "demo_leader",
        "demo_judge",
        "demo_reporter",
        "demo_reviewer",
        "demo_park",
        "demo_reporter2",
        "demo_sysadmin",
        "demo_secadmin",
        "demo_auditadmin",
        "demo_county_leader",
        "demo_land",
        "demo_enterprise",
    ]
    assert set(city.users) == set(existing_demo_users())


def test_it_builds_a_consistent_tree(city: DemoContext) -> None:
    for org in Organisation.objects.select_related("parent"):
        parent_path = org.parent.path if org.parent else ""
        assert org.path == f"{parent_path}{org.pk:06d}."
        assert org.depth == (org.parent.depth + 1 if org.parent else 1)
        expected_scope = parent_path if org.scope_base == "parent" and org.parent else org.path
        assert org.scope_path == expected_scope
    reporter = User.objects.get(username="demo_reporter")
    visible = Organisation.objects.visible_to(reporter)
    assert sorted(visible.values_list("code", flat=True)) == [
        "SFS-MHQ",
        "SFS-MHQ-FGJ",
        "SFS-P01",
        "SFS-P15",
    ]


def test_it_refuses_a_database_that_is_not_empty(city: DemoContext) -> None:
    counts = (Organisation.objects.count(), User.objects.count(), DemoLoad.objects.count())
    with pytest.raises(DemoRefused) as info:
        load_demo(log=_quiet)
    assert str(info.value) == "数据库中已有数据，拒绝加载演示数据。如确需清空重建，请加 --reset。"
    assert (Organisation.objects.count(), User.objects.count(), DemoLoad.objects.count()) == counts
    with pytest.raises(CommandError, match="数据库中已有数据"):
        call_command("demo", stdout=StringIO())


def test_it_records_the_load_and_marks_every_page(city: DemoContext, client: Client) -> None:
    load = DemoLoad.objects.get()
    assert (load.scale, load.seed, load.summary["organisations"], load.summary["users"]) == (
        "city",
        11,
        44,
        11,
    )
    event = AuditEvent.objects.filter(action="demo.load").get()
    assert (event.actor_name, event.object_repr) == (
        "演示数据生成",
        "示范市演示数据（市级规模，随机种子 11）",
    )
    response = client.post(
        reverse("login"), {"username": "demo_leader", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "<strong>演示数据</strong>" in response.content.decode()


def test_it_skips_a_non_empty_database_with_if_empty(city: DemoContext) -> None:
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "数据库已有数据，跳过演示数据加载。"
    assert lines[1] == f"演示账户（密码均为 {DEMO_PASSWORD}）："
    # Eleven platform accounts, demo_land and demo_enterprise, then the administrators' TOTP key.
    assert len(lines) == 16
    assert DEMO_TOTP_SECRET in lines[15]
    assert DemoLoad.objects.count() == 1
