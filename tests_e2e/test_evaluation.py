"""省级考评 in a real Chromium: the provincial comparison (ECharts bar chart, our city
highlighted, the speech's counts) and how a computed score was made.

One test on purpose: every transactional test flushes the database, data migrations included
(other modules' demo generators need theirs), so the demo is loaded once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login, menu_link

# serialized_rollback: transactional tests flush the database, data migrations included (the
# regime templates, project categories …); restore them before each test.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def test_leader_compares_cities_and_traces_a_score(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path
) -> None:
    login(page, live_server, "demo_leader", DEMO_PASSWORD)
    menu_link(page, "省级考评").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("省级考评 · 各市对比")
    page.get_by_label("考评体系").select_option(label="河南省产业集聚区考核评价办法")
    page.get_by_label("年度").fill("2021")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"regime=HN-CJQ-2017&year=2021"))

    chart = page.locator("#comparison-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    ours = page.locator("#comparison-table tbody tr.ours")
    expect(ours).to_have_count(1)
    expect(ours.locator("th")).to_contain_text("示范市")
    expect(ours.locator("th .tag")).to_have_text("本市")
    cells = ours.locator("td")
    expect(cells.nth(1)).to_have_text("1")  # 十强: 高新区
    expect(cells.nth(2)).to_have_text("0")  # 十快
    expect(cells.nth(5)).to_have_text("3")  # 2星级及以上
    zhengzhou = page.locator("#comparison-table tbody tr", has_text="郑州市")
    expect(zhengzhou.locator("td").nth(1)).to_have_text("3")
    expect(zhengzhou.locator("td").nth(5)).to_have_text("7")
    page.screenshot(path=artifacts / "evaluation-comparison.png", full_page=True)

    # The example regime was computed: any reader can trace how a score was made.
    page.goto(f"{live_server.url}/evaluation/regimes/")
    page.get_by_role("link", name="示范市产业集聚区综合考评（示例）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("示范市产业集聚区综合考评（示例）")
    expect(page.locator("#indicators tbody tr")).to_have_count(6)
    page.locator("#regime-years").get_by_role("link", name="全省排名").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2021年全省排名")
    first = page.locator("#ranking tbody tr").first
    expect(first.locator("td").first).to_have_text("1")
    first.get_by_role("link").click()
    expect(page.locator("#items tbody tr")).to_have_count(6)
    expect(page.locator("#items")).to_contain_text("÷ 基准值 150 × 权重 30")
    expect(page.locator("main")).to_contain_text("指标得分合计")
    console.assert_clean()
