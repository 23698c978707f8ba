"""Request ids, security headers, navigation and the test world itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.core.menu import GROUPS
from dudao.policy import NAV as MODULE_NAV
from dudao.policy import POLICY
from dudao.testing import ACTORS, ActorName, World

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def test_it_builds_the_world_through_audited_services(world: World) -> None:
    # 9 organisations, 2 bootstrapped administrators, 1 move of the sysadmin to the bureau,
    # 8 accounts × (create, grant roles, change the initial password).
    assert AuditEvent.objects.count() == 9 + 2 + 1 + 8 * 3
    assert {world.actor(a).username for a in ACTORS} == {
        "a_reporter",
        "a_reviewer",
        "park_reporter",
        "b_reporter",
        "supervisor",
        "leader",
        "judge",
        "sysadmin",
        "secadmin",
        "auditadmin",
    }
    assert all(not world.actor(a).must_change_password for a in ACTORS)
    assert world.sysadmin.organisation == world.data_bureau


@pytest.mark.parametrize("incoming", ["", "short", "bad id with spaces!", "x" * 65])
def test_it_gives_every_request_a_sane_request_id(client: Client, incoming: str) -> None:
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=incoming)
    request_id = response["X-Request-ID"]
    assert request_id != incoming
    assert len(request_id) == 32
    int(request_id, 16)


def test_it_keeps_a_sane_request_id_from_the_proxy(client: Client) -> None:
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="nginx-1a2b3c4d")
    assert response["X-Request-ID"] == "nginx-1a2b3c4d"


def test_it_sends_security_headers(client: Client, world: World) -> None:
    anonymous = client.get(reverse("login"))
    assert anonymous["Content-Security-Policy"] == CSP
    assert anonymous["X-Frame-Options"] == "DENY"
    assert anonymous["X-Content-Type-Options"] == "nosniff"
    assert anonymous["Referrer-Policy"] == "same-origin"
    assert anonymous["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    client.force_login(world.judge)
    page = client.get(reverse("home"))
    assert page["Cache-Control"] == "no-store"  # RES-03: pages behind login are never cached
    assert client.get(reverse("api:me"))["Cache-Control"] == "no-store"


def test_it_marks_the_session_cookie_http_only_and_lax(client: Client, world: World) -> None:
    response = client.post(reverse("login"), {"username": "judge", "password": "Tq7#wLm2-Rx9v"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["expires"] == ""  # ends with the browser; the server ends it after 12 h


NAV = {
    "county_a_reporter": ["首页", "组织机构", "API 令牌", "两步验证", "接口文档"],
    "sysadmin": [
        "首页",
        "组织机构",
        "用户管理",
        "密码重置审批",
        "运行状态",
        "API 令牌",
        "两步验证",
        "接口文档",
    ],
    "secadmin": [
        "首页",
        "组织机构",
        "用户管理",
        "密码重置审批",
        "两步验证设置",
        "API 令牌",
        "两步验证",
        "接口文档",
    ],
    "auditadmin": ["首页", "密码重置审批", "审计日志", "API 令牌", "两步验证", "接口文档"],
}


@pytest.mark.parametrize("actor", sorted(NAV))
def test_it_shows_only_the_modules_a_role_may_open(
    client: Client, world: World, actor: ActorName
) -> None:
    user = world.actor(actor)
    client.force_login(user)
    response = client.get(reverse("home"))
    # The business modules' entries (dudao/<app>/policy.py NAV) follow 首页 for their roles,
    # grouped by module in the catalogue's order (stable inside a group).
    order = {group.key: i for i, group in enumerate(GROUPS)}
    modules = [
        entry.label
        for entry in sorted(MODULE_NAV, key=lambda e: order.get(e.group_key, len(order)))
        if POLICY[entry.url_name]["GET"].allows(user)
    ]
    expected = [NAV[actor][0], *modules, *NAV[actor][1:]]
    assert [item["label"] for item in response.context["nav_items"]] == expected
    for item in response.context["nav_items"]:
        assert client.get(item["url"]).status_code == 200
