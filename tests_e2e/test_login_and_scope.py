"""The login form, the home page, county scoping and the audit log, in a real Chromium.

Every test loads the fictional 示范市 itself (transactional tests start from an empty
database), so each one runs alone or in any order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.accounts.views import LOGIN_FAILED
from dudao.demo.registry import DEMO_PASSWORD
from dudao.orgs.models import Organisation
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login, menu_entries, menu_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WRONG_PASSWORD = "Wrong@2026!password"


@pytest.fixture(autouse=True)
def demo_city() -> None:
    """The fictional 示范市 with one account per role."""
    worlds.demo_city()


def test_wrong_password_shows_chinese_error(
    page: Page, live_server: LiveServer, console: ConsoleLog
) -> None:
    login(page, live_server, "demo_reporter", WRONG_PASSWORD)

    expect(page).to_have_url(re.compile(r"/login/$"))
    error = page.locator("#login-error")
    expect(error).to_have_text(LOGIN_FAILED)
    expect(error).to_contain_text("用户名或密码错误")
    expect(page.get_by_label("用户名")).to_have_value("demo_reporter")
    expect(page.get_by_label("密码")).to_have_value("")  # never echoed back
    expect(page.locator(".topbar .who")).to_have_count(0)  # not logged in
    console.assert_clean()


def test_login_shows_organisation_and_role(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path
) -> None:
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王填报")
    # `/` is the reporter's work of the month; the account details are one click away.
    expect(page.locator("#home-due")).to_contain_text("本月待办")
    page.get_by_role("link", name="我的账户").click()
    expect(page).to_have_url(f"{live_server.url}/account/")
    expect(card(page, "所属单位").locator(".big")).to_have_text("明湖区发展和改革委员会")
    expect(card(page, "角色").locator(".big")).to_have_text("填报员")
    expect(card(page, "数据范围").locator(".big")).to_have_text("明湖区人民政府及其下级")
    expect(page.locator(".topbar .who-name")).to_have_text("王填报")
    expect(page.locator(".topbar .who-org")).to_have_text("明湖区发展和改革委员会")
    # A 填报员 sees the business modules only, never the administrators' pages.
    expect(menu_link(page, "组织机构")).to_be_visible()
    labels = menu_entries(page).all_text_contents()
    assert "审计日志" not in labels
    assert "用户管理" not in labels

    page.screenshot(path=artifacts / "home-demo_reporter.png", full_page=True)
    console.assert_clean()


def test_county_user_gets_404_for_another_county(
    page: Page, context: BrowserContext, live_server: LiveServer, console: ConsoleLog
) -> None:
    client = Client()
    client.force_login(User.objects.get(username="demo_reporter"))
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": live_server.url}]
    )
    own = Organisation.objects.get(code="SFS-MHQ")
    other = Organisation.objects.get(code="SFS-QHQ")
    assert other.name == "清河区人民政府"

    # Control: the copied session works and the user's own county opens.
    response = page.goto(f"{live_server.url}/orgs/{own.pk}/")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("明湖区人民政府")

    other_url = f"{live_server.url}/orgs/{other.pk}/"
    # Chromium logs the 404 of the document itself; that one is expected.
    console.allow(lambda line: "status of 404" in line and other_url in line)
    response = page.goto(other_url)
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("404 页面不存在")
    expect(page.locator("main")).not_to_contain_text("清河")
    expect(page.locator(".topbar .who-name")).to_have_text("王填报")  # still logged in
    console.assert_clean()


def test_audit_admin_sees_login_events(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    console: ConsoleLog,
    artifacts: Path,
) -> None:
    # The events to look for, made here so that this test stands alone.
    login(page, live_server, "demo_reporter", WRONG_PASSWORD)
    expect(page.locator("#login-error")).to_be_visible()
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    context.clear_cookies()  # the next person at the same browser

    login(page, live_server, "demo_auditadmin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，林审计")
    menu_link(page, "审计日志").click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")

    expect(audit_rows(page, "demo_reporter", "登录失败")).to_have_count(1)
    expect(audit_rows(page, "demo_reporter", "登录成功")).to_have_count(1)
    expect(audit_rows(page, "demo_auditadmin", "登录成功")).to_have_count(1)
    failed = audit_rows(page, "demo_reporter", "登录失败")
    expect(failed.locator("td").nth(2)).to_have_text("明湖区发展和改革委员会")  # 单位
    expect(failed.locator("td").nth(5)).to_have_text("失败")  # 结果
    expect(failed.locator("td").nth(6)).to_have_text("127.0.0.1")  # IP
    page.screenshot(path=artifacts / "audit-demo_auditadmin.png", full_page=True)

    # The 操作 filter swaps the table in place with htmx (the CSP allows no inline script).
    page.get_by_label("操作").select_option(label="登录失败")
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=auth\.login_failed"))
    expect(page.locator("#audit-events tbody tr")).to_have_count(1)
    expect(audit_rows(page, "demo_reporter", "登录失败")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # a fragment, not a page
    console.assert_clean()


def card(page: Page, heading: str) -> Locator:
    """The home page card with this heading."""
    return page.locator("section.card", has=page.get_by_role("heading", name=heading, exact=True))


def audit_rows(page: Page, actor: str, action: str) -> Locator:
    """Rows of the audit table with this 操作人 (2nd column) and 操作 (4th column)."""
    return (
        page.locator("#audit-events tbody tr")
        .filter(has=page.locator("td:nth-child(2)", has_text=re.compile(f"^{actor}$")))
        .filter(has=page.locator("td:nth-child(4)", has_text=re.compile(f"^{action}$")))
    )
