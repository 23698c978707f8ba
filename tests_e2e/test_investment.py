"""招商引资 in a real Chromium: a county 招商 officer moves a deal to 签约, the entry screening
fails a threshold, the city's 督查员 overrides it with a reason, the officer takes the deal to
供地/立项 (checked again, overridden again) and it becomes a project of the registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.demo.registry import DEMO_PASSWORD
from dudao.investment import services
from dudao.investment.models import Deal
from dudao.orgs.models import Organisation
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def _negotiating_deal() -> Deal:
    """§9.10's deal (亩均税收 20 万元/亩, below the shipped 30) of 明湖区, in 洽谈."""
    officer = User.objects.get(username="demo_reporter")
    deal = services.create_deal(
        actor=officer,
        name="明湖区新材料产业园项目（浏览器测试）",
        investor="示范新材料集团（演示）",
        responsible_org=Organisation.objects.get(code="SFS-MHQ-FGJ"),
        lead_on=timezone.localdate() - dt.timedelta(days=30),
        contract_investment=Decimal("50000"),
        fixed_asset_investment=Decimal("45000"),
        land_mu=Decimal("100"),
        expected_tax=Decimal("2000"),
        plot_ratio=Decimal("1.2"),
        building_coverage=Decimal("45"),
    )
    return services.advance(
        actor=officer,
        deal=deal,
        version=deal.version,
        on=timezone.localdate() - dt.timedelta(days=20),
        evidence="",
    )


def _advance(page: Page, **fields: str) -> None:
    for selector, value in fields.items():
        page.locator(f"#{selector}").fill(value)
    page.locator("#adv-evidence").fill("（浏览器测试）佐证材料")
    page.locator("#advance-button").click()


def test_sign_fail_override_promote(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    console: ConsoleLog,
    artifacts: Path,
) -> None:
    deal = _negotiating_deal()
    url = f"{live_server.url}/investment/{deal.pk}/"

    # 1. The county officer signs the deal: the screening fails on 亩均税收.
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    page.goto(url)
    page.locator("#adv-agreement").select_option(label="正式合同")
    _advance(page)
    expect(page.locator("#deal-stage")).to_have_text("签约")
    expect(page.locator("#deal-screening")).to_contain_text("不符合门槛")
    expect(page.locator("#deal-checks")).to_contain_text(
        "不符合亩均税收门槛（20.0 < 30.0 万元/亩）"
    )
    expect(page.locator("#advance-button")).to_have_count(1)
    # Going on before the override is refused (the page answers 409 with the reason).
    console.allow(lambda message: "409 (Conflict)" in message and "/transition/" in message)
    page.locator("#adv-uscc").fill("91110000600037341L")
    _advance(page)
    expect(page.locator("#deal-error")).to_contain_text("特批")

    # 2. The city's 督查员 overrides it with a reason.
    context.clear_cookies()
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(url)
    page.locator("#override-reason").fill("列入市重点项目，市政府专题会议研究同意")
    page.locator("#override-button").click()
    expect(page.locator("#deal-screening")).to_contain_text("已特批")

    # 3. The officer registers it, takes it to 供地/立项 and promotes it into the registry.
    context.clear_cookies()
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    page.goto(url)
    page.locator("#adv-uscc").fill("91110000600037341L")
    _advance(page)
    expect(page.locator("#deal-stage")).to_have_text("注册")
    page.locator("#adv-code").fill(f"{timezone.localdate():%y%m}-410100-30-03-000777")
    _advance(page)
    expect(page.locator("#deal-stage")).to_have_text("供地/立项")
    # 供地 is the second checkpoint: the same shortfall needs the 督查员's decision again.
    expect(page.locator("#deal-screening")).to_contain_text("不符合门槛")
    expect(page.locator("#promote-button")).to_have_count(0)
    context.clear_cookies()
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(url)
    page.locator("#override-reason").fill("供地时再次核查，维持市政府专题会议意见")
    page.locator("#override-button").click()
    expect(page.locator("#deal-screening")).to_contain_text("已特批")
    context.clear_cookies()
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    page.goto(url)
    page.locator("#promote-button").click()
    expect(page.locator("#deal-project")).to_contain_text("已转入")
    page.locator("#deal-project a").click()
    expect(page.locator("h1")).to_contain_text("明湖区新材料产业园项目")
    page.screenshot(path=str(artifacts / "investment-promoted.png"), full_page=True)
    deal.refresh_from_db()
    assert deal.project is not None
    assert deal.project.county.code == "SFS-MHQ"
    console.assert_clean()
