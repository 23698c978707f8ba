"""The parks & statistics module in a real Chromium: a park reporter enters a month and
submits, the county reviewer approves, and the city supervisor's overview shows it at once;
the park profile draws its chart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from dudao.parks.models import Park
from dudao.stats.models import IndicatorValue
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def reporting_month() -> dt.date:
    """The latest month that can be reported: last month (the current one is not over)."""
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def test_entry_review_and_overview(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path
) -> None:
    month = reporting_month()
    if month.month == 1:
        pytest.skip("1月不单独填报累计数")
    park = Park.objects.get(code="SFS-P01")
    # The demo city has last month approved; the reviewer has returned the park's figure.
    IndicatorValue.objects.filter(
        organisation=park.organisation, indicator__code="fai", period=month
    ).update(status=IndicatorValue.Status.RETURNED, return_reason="请核对后重报")
    previous = IndicatorValue.objects.get(
        organisation=park.organisation,
        indicator__code="fai",
        period=(month - dt.timedelta(days=1)).replace(day=1),
    )
    new_value = previous.value + 12345
    login(page, live_server, "demo_park", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/stats/entry/?period={month:%Y-%m}")
    expect(page.get_by_role("heading", level=1)).to_have_text("指标填报")
    page.get_by_label("固定资产投资数值").fill(f"{new_value}")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="报送本月数据").click()
    expect(page.locator(".messages")).to_contain_text("已报送 1 项")
    page.screenshot(path=artifacts / "parks-entry-submitted.png", full_page=True)

    page.context.clear_cookies()
    login(page, live_server, "demo_reviewer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/stats/entry/?unit={park.organisation_id}&period={month:%Y-%m}")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages")).to_contain_text("已审核通过 1 项")

    page.context.clear_cookies()
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/stats/summary/?period={month:%Y-%m}")
    expect(page.locator("#summary-table")).to_contain_text("固定资产投资")
    page.goto(f"{live_server.url}/stats/summary/")
    expect(page.locator("#sentences")).to_contain_text(
        re.compile(r"18家产业集聚区完成固定资产投资[\d.]+亿元，占全市的[\d.]+%")
    )
    page.screenshot(path=artifacts / "parks-summary.png", full_page=True)
    console.assert_clean()


def test_park_profile_draws_the_chart(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path
) -> None:
    park = Park.objects.get(code="SFS-P01")
    login(page, live_server, "demo_park", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/parks/")
    page.get_by_role("link", name=park.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(park.name)
    expect(page.locator("#profile-table")).to_contain_text("同比")
    expect(page.locator("#park-chart canvas")).to_have_count(1)
    page.get_by_label("图表指标").select_option(label="利润总额")
    page.screenshot(path=artifacts / "parks-profile.png", full_page=True)
    console.assert_clean()
