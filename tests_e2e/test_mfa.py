"""The second factor in a real Chromium, on a desktop (1366×768) and a phone (390×844):
enrolment with the server-rendered QR code (inline SVG, no CSP violation), the recovery codes
shown once, then a login with a TOTP code; and a demo administrator's login with the
published demo key."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.accounts.services import set_mfa_required
from dudao.core.roles import Role
from dudao.demo.registry import DEMO_PASSWORD
from dudao.testing import totp_code
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def demo_city() -> None:
    """The fictional 示范市; 填报员 must use the second factor (a setting of the 安全管理员)."""
    worlds.demo_city()
    secadmin = User.objects.get(username="demo_secadmin")
    set_mfa_required(actor=secadmin, role=Role.REPORTER, required=True)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_enrol_then_log_in_with_a_totp_code(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    console: ConsoleLog,
    artifacts: Path,
    *,
    viewport: str,
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})

    login(page, live_server, "demo_reporter", DEMO_PASSWORD, totp_key=None)
    expect(page).to_have_url(re.compile(r"/login/enrol/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("启用两步验证")
    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 100  # large enough to scan
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width  # fits the phone's screen
    page.screenshot(path=artifacts / f"mfa-enrol-{viewport}.png", full_page=True)

    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    key_hex = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.get_by_label("验证码").fill(totp_code(key_hex))
    with page.expect_navigation():
        page.get_by_role("button", name="确认启用").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    page.screenshot(path=artifacts / f"mfa-codes-{viewport}.png", full_page=True)
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.locator(".topbar .who-name")).to_have_text("王填报")

    context.clear_cookies()
    # The enrolment's code is spent: the next login uses the next 30-second step (the server
    # runs in this process, so its clock moves with time_machine).
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=True):
        login(page, live_server, "demo_reporter", DEMO_PASSWORD, totp_key=None)
        expect(page).to_have_url(re.compile(r"/login/verify/$"))
        page.get_by_label("验证码").fill("000000" if totp_code(key_hex) != "000000" else "111111")
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
        expect(page.locator("#mfa-error")).to_contain_text("验证码错误")
        page.get_by_label("验证码").fill(totp_code(key_hex))
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
        expect(page.locator(".topbar .who-name")).to_have_text("王填报")
    console.assert_clean()


def test_a_demo_administrator_logs_in_with_the_demo_key(
    page: Page, live_server: LiveServer, console: ConsoleLog
) -> None:
    login(page, live_server, "demo_auditadmin", DEMO_PASSWORD)  # passes the TOTP step
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，林审计")
    console.assert_clean()
